"""The project's URLs: the items API, its OpenAPI document and docs, and the admin."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView, SpectacularSwaggerView

# region: wiring
urlpatterns = [
    path("", include("items.urls")),
    # endregion
    # region: docs
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs", SpectacularSwaggerView.as_view(url_name="openapi"), name="swagger-ui"),
    path("redoc", SpectacularRedocView.as_view(url_name="openapi"), name="redoc"),
    # endregion
    # region: wiring
    path("admin/", admin.site.urls),
]
# endregion
# region: errors
# Django default: HTML error pages; contract: problem+json for every error, whatever answers it.
handler400 = "items.problems.bad_request"
handler403 = "items.problems.permission_denied"
handler404 = "items.problems.not_found"
handler500 = "items.problems.server_error"
# endregion
