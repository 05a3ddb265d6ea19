"""Host tools and the organizers' approval queue (events.hosting.views)."""

from django.urls import path

from groundswell.events.hosting.views import checkin, events, manage

urlpatterns = [
    path("new/", events.event_create_view, name="event_create"),
    path("hosting/", events.events_hosting_view, name="events_hosting"),
    path("approvals/", events.event_approvals_view, name="event_approvals"),
    path("<int:event_id>/edit/", events.event_edit_view, name="event_edit"),
    path("<int:event_id>/cancel/", events.event_cancel_view, name="event_cancel"),
    path("<int:event_id>/review/", events.event_review_view, name="event_review"),
    path("<int:event_id>/manage/", manage.event_manage_view, name="event_manage"),
    path("<int:event_id>/attendees.csv", manage.event_attendees_csv, name="event_attendees_csv"),
    path("<int:event_id>/message/", manage.event_message_view, name="event_message"),
    path("<int:event_id>/cohosts/", manage.event_cohost_add_view, name="event_cohost_add"),
    path(
        "<int:event_id>/cohosts/<int:user_id>/remove/",
        manage.event_cohost_remove_view,
        name="event_cohost_remove",
    ),
    path("<int:event_id>/report/", manage.event_report_view, name="event_report"),
    path(
        "<int:event_id>/attendees/<int:attendance_id>/attended/",
        manage.attendance_mark_view,
        name="attendance_mark",
    ),
    path("<int:event_id>/check-in/", checkin.event_checkin_view, name="event_checkin"),
    path(
        "<int:event_id>/check-in/<int:attendance_id>/",
        checkin.attendance_check_in_view,
        name="attendance_check_in",
    ),
    path("<int:event_id>/walk-in/", checkin.event_walk_in_view, name="event_walk_in"),
]
