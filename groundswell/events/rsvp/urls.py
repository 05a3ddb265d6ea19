"""RSVPs and calendars: the event page, RSVP, links from emails, .ics files and feeds."""

from django.urls import path

from groundswell.events.rsvp import views

urlpatterns = [
    path("<int:event_id>/", views.event_detail, name="event_detail"),
    path("<int:event_id>.ics", views.event_ics, name="event_ics"),
    path("<int:event_id>/rsvp/", views.event_rsvp, name="event_rsvp"),
    path("rsvp/<str:token>/cancel/", views.rsvp_cancel, name="rsvp_cancel"),
    path("rsvp/<str:token>/confirm/", views.rsvp_confirm, name="rsvp_confirm"),
    path("rsvp/<str:token>/decline/", views.rsvp_decline, name="rsvp_decline"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("group/<int:group_id>.ics", views.group_events_ics, name="group_events_ics"),
]
