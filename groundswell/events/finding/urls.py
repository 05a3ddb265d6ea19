"""Finding events: the public finder at /events/ (the event page itself is in urls_rsvp)."""

from django.urls import path

from groundswell.events import views_find

urlpatterns = [
    path("", views_find.event_finder, name="event_finder"),
]
