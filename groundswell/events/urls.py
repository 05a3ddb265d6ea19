"""Events URLs, one module per area so each has one owner:
finding and the event page (urls_find), RSVPs and calendars (urls_rsvp), host tools (urls_host)."""

from django.urls import include, path

urlpatterns = [
    path("", include("groundswell.events.urls_find")),
    path("", include("groundswell.events.urls_rsvp")),
    path("", include("groundswell.events.urls_host")),
]
