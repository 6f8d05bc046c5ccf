from django.urls import register_converter
from rest_framework.routers import SimpleRouter

from .views import ItemViewSet


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
# endregion
# region: wiring
# DRF's DefaultRouter is this plus an API root view at "/" and format suffixes ("/items.json"): no such routes here.
# DRF default: trailing slashes, and regex paths (no converter); contract: /items, /items/{item_id}.
router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("items", ItemViewSet, basename="item")

urlpatterns = router.urls
# endregion
