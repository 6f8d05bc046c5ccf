from django.urls import path, register_converter
from rest_framework.routers import SimpleRouter

from .auth import TokenView, UserViewSet
from .views import BrowseView, ItemViewSet


# region: validation
class ItemIdConverter:
    """``<item_id:...>``: ASCII digits naming a positive int64; anything else matches no route (404)."""

    regex = "[0-9]+"  # Django default (int): the same, but 0 and ids beyond int64 match (SQLite: OverflowError)

    def to_python(self, value: str) -> int:
        item_id = int(value)
        if not 1 <= item_id <= 2**63 - 1:
            raise ValueError(value)  # Django: this pattern does not match
        return item_id

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(ItemIdConverter, "item_id")
register_converter(ItemIdConverter, "user_id")  # the same rule for /users/{user_id}
# endregion
# region: wiring
# DRF's DefaultRouter is this plus an API root view at "/" and format suffixes ("/items.json"): no such routes here.
# DRF default: trailing slashes, and regex paths (no converter); contract: /items, /items/{item_id}.
router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("items", ItemViewSet, basename="item")
# endregion
# region: auth
router.register("users", UserViewSet, basename="user")  # /users, /users/me, /users/{user_id}

urlpatterns = [
    *router.urls,
    path("token", TokenView.as_view(), name="token"),
    # endregion
    # region: templates
    path("", BrowseView.as_view(), name="browse"),  # the page of GET /items, in HTML
]
# endregion
