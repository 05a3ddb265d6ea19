"""The small demo data set `make run` loads once: three logins and a neighbourhood of members."""

from __future__ import annotations

import random

from django.db import transaction

from groundswell.accounts.models import Profile, User
from groundswell.accounts.services import member_create, profile_update
from groundswell.people.services import tag_create, tagging_add

DEMO_PASSWORD = "groundswell-demo-2026"  # noqa: S105 (printed demo login, local only)
DEMO_LOGINS = [
    ("supporter", "supporter@demo.groundswell.test"),
    ("organizer", "organizer@demo.groundswell.test"),
    ("hq", "hq@demo.groundswell.test"),
]
_STAFF_ROLES = {"supporter": "", "organizer": User.StaffRole.ORGANIZER, "hq": User.StaffRole.HQ}

# Real ZIP codes, denser where people live.
DEMO_ZIPS = [
    "10001", "10025", "11215", "19104", "20009", "60614", "60637", "30303", "33130", "77004",
    "78701", "80205", "85004", "94110", "94612", "98103", "97214", "55408", "48201", "02139",
    "27701", "63103", "44102", "37203", "70116", "53703", "50309", "89101", "84111", "96813",
]  # fmt: skip
GIVEN_NAMES = [
    "Alex", "Maria", "James", "Aisha", "Wei", "Sofia", "Jamal", "Emily", "Carlos", "Priya",
    "Noah", "Fatima", "Liam", "Grace", "Diego", "Hannah", "Kwame", "Olivia", "Tuan", "Rosa",
]  # fmt: skip
FAMILY_NAMES = [
    "Johnson", "Garcia", "Nguyen", "Smith", "Williams", "Brown", "Martinez", "Lee", "Davis",
    "Lopez", "Clark", "Patel", "Robinson", "Walker", "Young", "Hernandez", "King", "Wright",
]  # fmt: skip


DEMO_GROUPS = [
    ("Adams Morgan Neighbors", "neighborhood", "20009", "Adams Morgan library, upstairs room"),
    ("Howard University Students", "campus", "20059", "Student center"),
    ("Chelsea for Change", "neighborhood", "10001", "Chelsea public library"),
    ("Mission District Volunteers", "neighborhood", "94110", "24th Street BART plaza"),
    ("South Side Organizers", "constituency", "60637", "Community center on 61st"),
]
DEMO_EVENTS = [
    ("Weekend canvass in Adams Morgan", "canvass", "20009", 3, 10, 30),
    ("Tuesday night phone bank", "phone_bank", "20009", 5, 18, None),
    ("House party: meet your neighbors", "house_party", "20010", 9, 19, 25),
    ("Voter registration at the farmers market", "voter_registration", "20001", 12, 9, 12),
    ("Chelsea door-knocking", "canvass", "10001", 4, 11, 40),
    ("Mission phone bank", "phone_bank", "94110", 6, 17, None),
    ("South Side rally", "rally", "60637", 14, 12, 200),
]


def demo_exists() -> bool:
    return User.objects.filter(email=DEMO_LOGINS[0][1]).exists()


def demo_seed(*, members: int = 40, seed: int = 2008) -> int:
    """Create the demo data unless it is already there; returns how many members it made."""
    if demo_exists():
        return 0
    rng = random.Random(seed)
    created = 0
    for role, email in DEMO_LOGINS:
        user = member_create(
            email=email,
            password=DEMO_PASSWORD,
            postal_code="20009",
            given_name=role.capitalize(),
            family_name="Demo",
            staff_role=_STAFF_ROLES[role],
        )
        _fill_profile(user, rng, postal_code="20009")
        created += 1
    volunteers = tag_create(name="Volunteer leads")
    for index in range(members):
        given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
        postal_code = rng.choice(DEMO_ZIPS)
        user = member_create(
            email=f"{given}.{family}.{index}@demo.groundswell.test".lower(),
            password=DEMO_PASSWORD,
            postal_code=postal_code,
            given_name=given,
            family_name=family,
        )
        _fill_profile(user, rng, postal_code=postal_code)
        if index % 5 == 0 and user.person:
            tagging_add(tag=volunteers, person=user.person)
        created += 1
    demo_groups_and_events_seed()
    return created


def demo_groups_and_events_seed() -> None:
    """A few groups and upcoming events near the demo logins, hosted by the organizer, so a
    newcomer sees the finders working. Skipped when any event exists already."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from groundswell.events.hosting.services.events import event_create
    from groundswell.events.models import Event
    from groundswell.events.rsvp.services import attendance_rsvp
    from groundswell.groups.services import group_create, group_join

    if Event.objects.exists():
        return
    organizer = User.objects.get(email=DEMO_LOGINS[1][1])
    supporter = User.objects.get(email=DEMO_LOGINS[0][1])
    groups = []
    for name, focus, postal_code, meeting_area in DEMO_GROUPS:
        group = group_create(
            creator=organizer,
            name=name,
            focus=focus,
            postal_code=postal_code,
            meeting_area=meeting_area,
            description="Neighbors organizing together. New members welcome.",
        )
        groups.append(group)
    group_join(group=groups[0], user=supporter)
    today = timezone.localdate()
    for index, (title, event_type, postal_code, days, hour, capacity) in enumerate(DEMO_EVENTS):
        day = today + timedelta(days=days)
        event = event_create(
            host=organizer,
            title=title,
            event_type=event_type,
            starts_at_local=datetime(day.year, day.month, day.day, hour, 0),
            ends_at_local=datetime(day.year, day.month, day.day, hour + 2, 0),
            postal_code=postal_code,
            venue_name="Community room",
            address_line="100 Main Street",
            description="Bring a friend and a phone. We'll train you on arrival.",
            capacity=capacity,
            group=groups[0] if postal_code.startswith("200") else None,
            is_official=index % 3 == 0,
        )
        if index < 2 and supporter.person:
            attendance_rsvp(event=event, person=supporter.person, user=supporter)


def _fill_profile(user: User, rng: random.Random, *, postal_code: str) -> None:
    interests = rng.sample([choice.value for choice in Profile.Interest], k=rng.randint(1, 3))
    with transaction.atomic():
        profile_update(
            user=user,
            display_name=user.profile.display_name,
            bio=rng.choice(
                [
                    "Neighbor, parent, first-time volunteer.",
                    "I knock doors on weekends and make calls on Tuesdays.",
                    "Retired teacher. Happy to host a house party.",
                    "Student organizer on campus.",
                ]
            ),
            postal_code=postal_code,
            country="US",
            interests=interests,
            languages=rng.choice([["en"], ["en", "es"], ["en", "fr"], ["en", "vi"]]),
            time_zone=user.profile.time_zone,
            privacy=rng.choice([Profile.Privacy.PUBLIC, Profile.Privacy.MEMBERS]),
        )
