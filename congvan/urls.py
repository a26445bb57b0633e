"""Top-level URLs: the web interface and the REST API."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _

from congvan.api.urls import api


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Answer unknown API paths in the API's error shape, not with an HTML page."""
    return JsonResponse(
        {"error": {"code": "not_found", "message": _("Không có địa chỉ này")}},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/", api_not_found),
    path("exchange/v1/", include("congvan.exchange.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("congvan.web.urls")),
]
