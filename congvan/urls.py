"""Top-level URLs: the web interface and the REST API."""

from django.urls import include, path

from congvan.api.urls import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("congvan.web.urls")),
]
