"""Mounted at /staff/api-tokens/ by groundswell/urls.py."""

from django.urls import path

from groundswell.api import views

urlpatterns = [
    path("", views.api_tokens, name="api_tokens"),
    path("<int:token_id>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
]
