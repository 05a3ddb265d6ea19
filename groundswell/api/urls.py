"""Mounted at /api/v1/ by groundswell/urls.py. Routes are declared without a trailing slash
(core.middleware.ApiPathNormalizeMiddleware strips it); anything unmatched is a JSON 404."""

from django.urls import path, re_path

from groundswell.api.errors import not_found_view
from groundswell.api.osdi import api

urlpatterns = [
    path("", api.urls),
    re_path(r"^.*$", not_found_view, name="api_not_found"),
]
