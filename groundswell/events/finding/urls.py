"""Finding events: the public finder at /events/ (the event page itself is in rsvp.urls)."""

from django.urls import path

from groundswell.events.finding import views

urlpatterns = [
    path("", views.event_finder, name="event_finder"),
]
