"""Events URLs: the app's one entry point, including each feature's own URLs (one owner
each): finding (the finder), rsvp (the event page, RSVPs, links from emails, calendars),
hosting (host tools, the approval queue) and campaigns."""

from django.urls import include, path

urlpatterns = [
    path("", include("groundswell.events.finding.urls")),
    path("", include("groundswell.events.rsvp.urls")),
    path("", include("groundswell.events.hosting.urls")),
    path("", include("groundswell.events.campaigns.urls")),
]
