"""RSVPs and calendars: the event page, RSVP, links from emails, .ics files and feeds."""

from django.urls import path

from groundswell.events import views_rsvp

urlpatterns = [
    path("<int:event_id>/", views_rsvp.event_detail, name="event_detail"),
    path("<int:event_id>.ics", views_rsvp.event_ics, name="event_ics"),
    path("<int:event_id>/rsvp/", views_rsvp.event_rsvp, name="event_rsvp"),
    path("rsvp/<str:token>/cancel/", views_rsvp.rsvp_cancel, name="rsvp_cancel"),
    path("rsvp/<str:token>/confirm/", views_rsvp.rsvp_confirm, name="rsvp_confirm"),
    path("rsvp/<str:token>/decline/", views_rsvp.rsvp_decline, name="rsvp_decline"),
    path("calendar/", views_rsvp.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views_rsvp.calendar_feed, name="calendar_feed"),
    path("group/<int:group_id>.ics", views_rsvp.group_events_ics, name="group_events_ics"),
]
