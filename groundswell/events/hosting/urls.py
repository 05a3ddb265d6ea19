"""Host tools, the organizers' approval queue and event campaigns (views_host)."""

from django.urls import path

from groundswell.events import views_host as views

urlpatterns = [
    path("new/", views.event_create_view, name="event_create"),
    path("hosting/", views.events_hosting_view, name="events_hosting"),
    path("approvals/", views.event_approvals_view, name="event_approvals"),
    path("campaigns/", views.campaign_list_view, name="campaign_list"),
    path("campaigns/new/", views.campaign_create_view, name="campaign_create"),
    path("campaigns/<slug:slug>/", views.campaign_detail_view, name="campaign_detail"),
    path("campaigns/<slug:slug>/edit/", views.campaign_edit_view, name="campaign_edit"),
    path("<int:event_id>/edit/", views.event_edit_view, name="event_edit"),
    path("<int:event_id>/cancel/", views.event_cancel_view, name="event_cancel"),
    path("<int:event_id>/review/", views.event_review_view, name="event_review"),
    path("<int:event_id>/manage/", views.event_manage_view, name="event_manage"),
    path("<int:event_id>/attendees.csv", views.event_attendees_csv, name="event_attendees_csv"),
    path("<int:event_id>/message/", views.event_message_view, name="event_message"),
    path("<int:event_id>/cohosts/", views.event_cohost_add_view, name="event_cohost_add"),
    path(
        "<int:event_id>/cohosts/<int:user_id>/remove/",
        views.event_cohost_remove_view,
        name="event_cohost_remove",
    ),
    path("<int:event_id>/report/", views.event_report_view, name="event_report"),
    path(
        "<int:event_id>/attendees/<int:attendance_id>/attended/",
        views.attendance_mark_view,
        name="attendance_mark",
    ),
    path("<int:event_id>/check-in/", views.event_checkin_view, name="event_checkin"),
    path(
        "<int:event_id>/check-in/<int:attendance_id>/",
        views.attendance_check_in_view,
        name="attendance_check_in",
    ),
    path("<int:event_id>/walk-in/", views.event_walk_in_view, name="event_walk_in"),
]
