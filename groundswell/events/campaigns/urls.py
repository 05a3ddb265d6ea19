"""Event campaigns: the public list and pages, and the staff forms (events.campaigns.views)."""

from django.urls import path

from groundswell.events.campaigns import views

urlpatterns = [
    path("campaigns/", views.campaign_list_view, name="campaign_list"),
    path("campaigns/new/", views.campaign_create_view, name="campaign_create"),
    path("campaigns/<slug:slug>/", views.campaign_detail_view, name="campaign_detail"),
    path("campaigns/<slug:slug>/edit/", views.campaign_edit_view, name="campaign_edit"),
]
