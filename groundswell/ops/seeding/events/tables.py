"""The fixed figures and words the events step draws events and shifts from."""

from __future__ import annotations

from datetime import datetime

from groundswell.events.models import Event
from groundswell.ops.seeding import figures
from groundswell.ops.seeding.names import weighted_table

CYCLE_EPOCH = figures.CYCLE_START.timestamp()
DAY = 86_400

UPCOMING_SHARE = 0.15
UPCOMING_DAYS = 60
# Cycle dates: this share uniform, the rest with a density growing as the square of the time.
CYCLE_UNIFORM_SHARE = 0.30
WEEKEND_PULL = 0.45
MULTI_SHIFT_SHARE = 0.10
GROUP_SHARE = 0.30
OFFICIAL_SHARE = 0.05
UNLIMITED_SHARE = 0.40
REPORTED_SHARE = 0.40

Type = Event.Type
TYPES = weighted_table(
    (
        (Type.CANVASS.value, 28),
        (Type.PHONE_BANK.value, 26),
        (Type.HOUSE_PARTY.value, 13),
        (Type.MEETING.value, 12),
        (Type.VOTER_REGISTRATION.value, 10),
        (Type.RALLY.value, 5),
        (Type.FUNDRAISER.value, 6),
    )
)
STATUSES = weighted_table(
    (
        (Event.Status.PUBLISHED.value, 90),
        (Event.Status.PENDING.value, 5),
        (Event.Status.CANCELLED.value, 3),
        (Event.Status.REJECTED.value, 2),
    )
)

# Share of online events per type (about 10% overall).
VIRTUAL_SHARE = {
    Type.PHONE_BANK.value: 0.25,
    Type.MEETING.value: 0.15,
    Type.FUNDRAISER.value: 0.05,
    Type.HOUSE_PARTY.value: 0.03,
}


def _half_hours(first: int, last: int) -> tuple[int, ...]:
    """Local start times in minutes after midnight, every half hour from `first` to `last` h."""
    return tuple(range(first * 60, last * 60 + 1, 30))


# Local start times by type: (weekday, weekend). All between 10:00 and 19:00.
START_TIMES = {
    Type.CANVASS.value: (_half_hours(16, 17), _half_hours(10, 14)),
    Type.PHONE_BANK.value: (_half_hours(17, 19), _half_hours(11, 16)),
    Type.HOUSE_PARTY.value: (_half_hours(18, 19), _half_hours(14, 19)),
    Type.MEETING.value: (_half_hours(18, 19), _half_hours(10, 14)),
    Type.VOTER_REGISTRATION.value: (_half_hours(10, 16), _half_hours(10, 14)),
    Type.RALLY.value: (_half_hours(12, 18), _half_hours(11, 17)),
    Type.FUNDRAISER.value: (_half_hours(17, 19), _half_hours(12, 18)),
}
DURATIONS = (120, 150, 180)
SHIFT_MINUTES = 120

TITLES = {
    Type.CANVASS.value: ("Canvass {place}", "Door knocking in {place}", "Weekend canvass: {place}"),
    Type.PHONE_BANK.value: ("Phone bank in {place}", "Call voters from {place}"),
    Type.HOUSE_PARTY.value: ("House party in {place}", "{place} house party and potluck"),
    Type.MEETING.value: ("{place} volunteer meeting", "Neighborhood team meeting, {place}"),
    Type.VOTER_REGISTRATION.value: (
        "Register voters in {place}",
        "Voter registration drive at the {place} farmers market",
    ),
    Type.RALLY.value: ("Rally in {place}", "Early vote rally, {place}"),
    Type.FUNDRAISER.value: ("Grassroots fundraiser in {place}", "Fundraiser: {place}"),
}
VIRTUAL_TITLES = {
    Type.PHONE_BANK.value: "Virtual phone bank",
    Type.MEETING.value: "Online volunteer meeting",
    Type.FUNDRAISER.value: "Online fundraiser",
    Type.HOUSE_PARTY.value: "Online house party",
}
TYPE_LABELS = {
    Type.CANVASS.value: "Canvass",
    Type.PHONE_BANK.value: "Phone bank",
    Type.HOUSE_PARTY.value: "House party",
    Type.MEETING.value: "Meeting",
    Type.VOTER_REGISTRATION.value: "Voter registration",
    Type.RALLY.value: "Rally",
    Type.FUNDRAISER.value: "Fundraiser",
}
DESCRIPTIONS = {
    Type.CANVASS.value: "We'll pair up, get a short training and a list of doors, and talk "
    "with our neighbors about what's at stake.\n\nWear comfortable shoes. Water provided.",
    Type.PHONE_BANK.value: "Bring a charged phone and a laptop if you have one. First time? "
    "We'll walk you through the script.",
    Type.HOUSE_PARTY.value: "Meet other supporters nearby, hear about the plan for the next "
    "weeks and sign up for a shift. Snacks provided; bring a friend.",
    Type.MEETING.value: "Our regular meeting: results from last week, the plan for this one, "
    "and who does what. Newcomers welcome.",
    Type.VOTER_REGISTRATION.value: "Help eligible neighbors register to vote. We'll bring "
    "forms, clipboards and a table; you bring a smile.",
    Type.RALLY.value: "Come rally with supporters from across the area. Doors open an hour "
    "before the start; expect security screening.",
    Type.FUNDRAISER.value: "A grassroots fundraiser: every gift counts, and every guest can "
    "sign up to volunteer.",
}
VENUES = {
    Type.CANVASS.value: ("Campaign field office", "{street} Park pavilion", "Staging location"),
    Type.PHONE_BANK.value: ("Campaign field office", "Union hall", "{place} Public Library"),
    Type.MEETING.value: ("{place} Public Library", "Community center", "Coffee shop"),
    Type.VOTER_REGISTRATION.value: ("{place} farmers market", "Community college", "Grocery"),
    Type.RALLY.value: ("{street} Park", "High school gym", "Town square"),
    Type.FUNDRAISER.value: ("Restaurant", "A supporter's home", "Community hall"),
    Type.HOUSE_PARTY.value: ("A supporter's home",),
}
ACCESSIBILITY = (
    "Wheelchair accessible entrance on the side of the building.",
    "Step-free access and an accessible restroom.",
    "ASL interpretation on request: tell the host a week ahead.",
    "Seating available for everyone who needs it.",
)

PUBLISHED = Event.Status.PUBLISHED.value
EVENT_CANCELLED = Event.Status.CANCELLED.value


def seconds(value: datetime) -> int:
    """Seconds after the cycle's start: the unit the step computes in."""
    return int(value.timestamp() - CYCLE_EPOCH)
