"""Events: canvasses, phone banks, house parties... with shifts, RSVPs and waitlists.

Every event has at least one Shift (a one-slot event has one shift spanning it); capacity and
the waitlist live on the shift, so an RSVP is always to a shift. Attendance is the OSDI
attendance: one row per (shift, person), whatever the path (member, guest, API), so an RSVP
submitted twice is one attendance.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from groundswell.groups.models import Group
from groundswell.people.models import Person


def event_days(today: date) -> tuple[date, date]:
    """The first and last days the event finder searches, and the last an event may start on:
    settings.EVENT_MAX_YEARS_AHEAD years either side of `today` (28 February for a 29th).

    Campaigns plan a few years ahead at most; the bound also keeps every time, in any zone,
    far from the calendar's ends (year 9999 overflows in time zones and calendar files).
    """
    years = settings.EVENT_MAX_YEARS_AHEAD

    def shifted(by: int) -> date:
        day = min(today.day, 28) if (today.month, today.day) == (2, 29) else today.day
        return today.replace(year=today.year + by, day=day)

    return shifted(-years), shifted(years)


class EventCampaign(models.Model):
    """A national push ("Weekend of Action"): members host events under it from a template."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("short name in the address"), max_length=80, unique=True)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    event_type = models.CharField(_("suggested event type"), max_length=20, blank=True)
    template_title = models.CharField(_("suggested event title"), max_length=150, blank=True)
    template_description = models.TextField(
        _("suggested description"), max_length=10000, blank=True
    )
    starts_on = models.DateField(_("first day"), null=True, blank=True)
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("event campaign")
        verbose_name_plural = _("event campaigns")

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    class Type(models.TextChoices):
        CANVASS = "canvass", _("Canvass (door to door)")
        PHONE_BANK = "phone_bank", _("Phone bank")
        HOUSE_PARTY = "house_party", _("House party")
        MEETING = "meeting", _("Meeting")
        RALLY = "rally", _("Rally")
        FUNDRAISER = "fundraiser", _("Fundraiser")
        VOTER_REGISTRATION = "voter_registration", _("Voter registration")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Not approved")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), max_length=20000, blank=True)
    event_type = models.CharField(_("type"), max_length=20, choices=Type)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    is_official = models.BooleanField(_("official campaign event"), default=False)
    # Null once the host deleted their account: upcoming events pass to a co-host or are
    # cancelled first (events.hosting.services.events.hosted_events_erase); past ones keep
    # their counts.
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_events",
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    campaign = models.ForeignKey(
        EventCampaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    # Stored in UTC; shown and edited in the event's own time zone.
    time_zone = models.CharField(_("time zone"), max_length=64)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue_name = models.CharField(_("venue"), max_length=150, blank=True)
    address_line = models.CharField(_("street address"), max_length=200, blank=True)
    locality = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state"), max_length=100, blank=True)
    postal_code = models.CharField(_("ZIP / postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # A house party's address is shown to confirmed attendees only; others see the area.
    hide_address = models.BooleanField(_("show the exact address only to attendees"), default=False)
    is_virtual = models.BooleanField(_("virtual event"), default=False)
    virtual_url = models.URLField(_("link to join (shown to attendees only)"), blank=True)
    accessibility_notes = models.TextField(_("accessibility"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # After the event: what the host reports.
    reported_at = models.DateTimeField(null=True, blank=True)
    doors_knocked = models.PositiveIntegerField(_("doors knocked"), null=True, blank=True)
    calls_made = models.PositiveIntegerField(_("calls made"), null=True, blank=True)
    report_notes = models.TextField(_("notes"), max_length=5000, blank=True)
    # iCalendar SEQUENCE: bumped by event_reminders_reschedule when times change (rsvp area)
    # and by event_update when the place, link or title change.
    calendar_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="events_event_ends_after_start"
            )
        ]
        indexes = [
            # The event finder: a range scan on (status, starts_at) that checks the rest of
            # its WHERE clause from the index alone (see events/selectors.py); it also
            # serves every query the former (status, starts_at) index did.
            models.Index(
                fields=["status", "starts_at", "is_virtual", "latitude", "longitude", "ends_at"],
                name="events_event_find",
            ),
            # Events near a place in a date range: the box on latitude/longitude, and the
            # start time checked in the index, before any row is read (decision 0019).
            models.Index(
                fields=["latitude", "longitude", "starts_at"], name="events_event_latlng_start"
            ),
            models.Index(fields=["host", "starts_at"], name="events_event_host_start"),
        ]

    def __str__(self) -> str:
        return self.title


class EventCoHost(models.Model):
    """A co-host has the host's tools for one event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="cohosts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohosted_events"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="events_cohost_event_user")
        ]

    def __str__(self) -> str:
        return f"co-host {self.user_id} of {self.event_id}"


class TrustedHost(models.Model):
    """Members whose events skip the organizers' approval queue."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_trust"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"trusted host {self.user_id}"


class Shift(models.Model):
    """A time slot of an event with its own capacity (null: unlimited).

    `confirmed_count` is maintained under a row lock by the RSVP services, so capacity checks
    never count rows; a test guard compares it with the attendances.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    confirmed_count = models.PositiveIntegerField(default=0)
    waitlist_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            # The reminder planner looks up the shifts starting in the next day or so.
            models.Index(fields=["starts_at"], name="events_shift_starts_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="events_shift_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(confirmed_count__lte=F("capacity")),
                name="events_shift_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    """An RSVP (OSDI attendance) of a person to a shift."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Going")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attendances",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.CONFIRMED)
    # When the person joined the waitlist: promotion takes the earliest first.
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    # Credit, recorded exactly: who invited them (bring-a-friend link) and the refcode/source.
    referred_by = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="referred_attendances",
    )
    source = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # When the person got their place (RSVP or promotion): a capacity cut demotes the latest.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The reply to the day-before reminder: True = confirmed, False = can't make it.
    reminder_reply = models.BooleanField(null=True, blank=True)
    reminder_day_before_sent_at = models.DateTimeField(null=True, blank=True)
    reminder_day_of_sent_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "person"], name="events_attendance_shift_person"
            )
        ]
        indexes = [
            models.Index(fields=["event", "status"], name="events_attendance_event_status"),
            models.Index(
                fields=["shift", "status", "waitlisted_at"], name="events_attendance_waitlist"
            ),
            models.Index(fields=["person", "event"], name="events_attendance_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.shift_id} ({self.status})"


class CalendarFeed(models.Model):
    """The private token in a member's "my events" .ics feed URL (revocable by regenerating)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"


class EventMessage(models.Model):
    """A message from an event's hosts to its attendees, or a notice that an edit changed what
    attendees rely on (times, place, link, title).

    Recipients are fixed when it is sent; it goes out in batches from tasks, and each batch
    records itself in `batches_sent` under a row lock, so a batch task run twice sends once.
    Also the count behind the per-event daily limit on hosts' messages.
    """

    class Kind(models.TextChoices):
        HOST = "host", _("Message from the hosts")
        CHANGE = "change", _("Change to the event")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.HOST)
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=5000)
    include_waitlisted = models.BooleanField(default=False)
    recipient_ids = models.JSONField(default=list, blank=True)
    batches_sent = models.JSONField(default=list, blank=True)
    # A change notice: what the edit changed, so each mail is written at delivery in its
    # reader's language. {"old": {field: value}, "new": {field: value}, "shifts":
    # {"<shift id>": {"old": [start, end], "new": [start, end]}}} with ISO times; empty for
    # host messages (and for time notices queued before it existed: new times only).
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("message to attendees")
        verbose_name_plural = _("messages to attendees")
        indexes = [
            models.Index(fields=["event", "kind", "created_at"], name="events_message_event_kind")
        ]

    def __str__(self) -> str:
        return self.subject


class ReminderPlan(models.Model):
    """One row: how far ahead event reminders are queued, and when the planner runs next.

    Reminders are queued a couple of hours before they are due, one task per shift and kind
    (decision 0016), so the task queue never holds a row per RSVP for every future event.
    `planned_until`: every reminder due before it is queued. `next_run_at`: when the queued
    planner run is due; a run queues its successor only once that time has come, so
    duplicate runs never fork the schedule.
    """

    planned_until = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"reminders planned until {self.planned_until}"
