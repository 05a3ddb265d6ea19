"""The people step: everyone the campaign knows, members with their accounts.

Writes people.Person for `MEMBERS + NON_MEMBER_PEOPLE` people; for each member an
accounts.User (sharing one precomputed password hash), an accounts.Profile and a verified
primary allauth EmailAddress; phone numbers for `PHONE_SHARE` of people.

Ids are contiguous and the layout is arithmetic, so later steps find rows without queries:
person number `j` (0-based) has id `person_first + j`; members are spread evenly through the
people (`member_number(j)`), and member number `k` has user id `user_first + k` and person
number `member_person_number(k)`. Sign-up times grow with `j` (see `joined_seconds`).
"""

from __future__ import annotations

import math
import random
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password

from groundswell.accounts.models import Profile, User
from groundswell.ops.demo import DEMO_PASSWORD
from groundswell.ops.seeding import figures
from groundswell.ops.seeding.base import Step, StepContext, json_text
from groundswell.ops.seeding.geography import Zip, ZipSampler, phone_fictional
from groundswell.ops.seeding.names import (
    BIOS,
    EMAIL_DOMAINS,
    FAMILY_NAMES,
    GIVEN_NAMES,
    STREET_KINDS,
    STREETS,
    Picker,
    ascii_slug,
    weighted_table,
)
from groundswell.people.models import Person, PhoneNumber

CYCLE_SECONDS = (figures.ELECTION_DAY - figures.CYCLE_START).total_seconds()

# Spoken languages, in Profile.Language order as profile_update stores them; () is "not given".
LANGUAGE_SETS = weighted_table(
    (
        ((), 30),
        (("en",), 48),
        (("en", "es"), 9),
        (("es",), 3),
        (("en", "zh"), 2),
        (("en", "vi"), 2),
        (("en", "tl"), 1),
        (("en", "fr"), 1),
        (("en", "ko"), 1),
        (("en", "ar"), 1),
        (("en", "ru"), 1),
        (("en", "ht"), 1),
        (("en", "pt"), 1),
        (("en", "mis"), 1),
    )
)
PRIVACY = weighted_table(
    (
        (Profile.Privacy.MEMBERS.value, 60),
        (Profile.Privacy.PUBLIC.value, 30),
        (Profile.Privacy.PRIVATE.value, 10),
    )
)
MEMBER_EMAIL_STATUS = weighted_table(
    (
        (Person.EmailStatus.SUBSCRIBED.value, 950),
        (Person.EmailStatus.UNSUBSCRIBED.value, 40),
        (Person.EmailStatus.BOUNCING.value, 10),
    )
)
OTHER_EMAIL_STATUS = weighted_table(
    (
        (Person.EmailStatus.SUBSCRIBED.value, 900),
        (Person.EmailStatus.UNSUBSCRIBED.value, 70),
        (Person.EmailStatus.BOUNCING.value, 25),
        (Person.EmailStatus.SPAM_COMPLAINT.value, 5),
    )
)
# Where people without a login came from (Person.source; members' is "signup").
OTHER_SOURCES = weighted_table((("api", 70), ("rsvp", 20), ("import", 10)))
PHONE_TYPES = weighted_table(
    (
        (PhoneNumber.NumberType.MOBILE.value, 70),
        (PhoneNumber.NumberType.HOME.value, 25),
        (PhoneNumber.NumberType.WORK.value, 5),
    )
)
DOMAINS = weighted_table(EMAIL_DOMAINS)
INTERESTS = tuple(Profile.Interest.values)

PERSON_FIELDS = (
    "id",
    "email",
    "email_status",
    "given_name",
    "family_name",
    "address_line",
    "locality",
    "region",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "languages_spoken",
    "custom_fields",
    "source",
    "created_at",
    "modified_at",
    "erased_at",
)
USER_FIELDS = (
    "id",
    "password",
    "last_login",
    "is_superuser",
    "email",
    "person_id",
    "is_active",
    "is_staff",
    "staff_role",
    "date_joined",
)
PROFILE_FIELDS = (
    "id",
    "user_id",
    "display_name",
    "photo",
    "photo_thumbnail",
    "bio",
    "postal_code",
    "country",
    "latitude",
    "longitude",
    "interests",
    "languages",
    "time_zone",
    "privacy",
    "updated_at",
)
EMAIL_FIELDS = ("id", "user_id", "email", "verified", "primary")
PHONE_FIELDS = (
    "id",
    "person_id",
    "number",
    "number_type",
    "primary",
    "do_not_call",
    "sms_opted_in",
    "consent_source",
    "consent_at",
    "created_at",
)


def joined_seconds(j: int, people: int) -> float:
    """When person number `j` signed up, in seconds after the cycle's start.

    Sign-ups accelerate towards election day: the share signed up by time t (as a fraction
    x of the cycle) is (x + x²) / 2, so the rate ends three times where it started.
    """
    u = (j + 0.5) / people
    return (math.sqrt(0.25 + 2 * u) - 0.5) * CYCLE_SECONDS


def member_number(j: int, *, members: int, people: int) -> int | None:
    """The member number of person number `j`, or None for a person without a login."""
    before, after = (j * members) // people, ((j + 1) * members) // people
    return before if after > before else None


def member_person_number(k: int, *, members: int, people: int) -> int:
    """The person number of member number `k` (the inverse of member_number)."""
    return -(-(k + 1) * people // members) - 1


def people_run(ctx: StepContext) -> dict[str, Any]:
    members = ctx.count(figures.MEMBERS)
    people = members + ctx.count(figures.NON_MEMBER_PEOPLE)
    ids = {
        "person_first": ctx.next_id(Person),
        "user_first": ctx.next_id(User),
        "profile_first": ctx.next_id(Profile),
        "email_first": ctx.next_id(EmailAddress),
        "phone_first": ctx.next_id(PhoneNumber),
    }
    writers = {
        "person": ctx.writer(Person, PERSON_FIELDS),
        "user": ctx.writer(User, USER_FIELDS),
        "profile": ctx.writer(Profile, PROFILE_FIELDS),
        "email": ctx.writer(EmailAddress, EMAIL_FIELDS),
        "phone": ctx.writer(PhoneNumber, PHONE_FIELDS),
    }
    generator = _PeopleRows(ctx, members=members, people=people, ids=ids)
    for chunk, start in enumerate(range(0, people, figures.CHUNK)):
        rows = generator.build(chunk, start, min(start + figures.CHUNK, people))
        with ctx.atomic():
            for name, writer in writers.items():
                writer.write(rows[name])
    return {
        **ids,
        "people": people,
        "members": members,
        "phones": writers["phone"].rows_written,
        "rows": {writer.table: writer.rows_written for writer in writers.values()},
    }


class _PeopleRows:
    """Builds the rows of people chunk by chunk; each chunk draws from its own random stream."""

    def __init__(self, ctx: StepContext, *, members: int, people: int, ids: dict[str, int]):
        self.ctx = ctx
        self.members, self.people, self.ids = members, people, ids
        self.zips: ZipSampler = ctx.shared_get("zips", ZipSampler)
        self.given = Picker(GIVEN_NAMES)
        self.family = Picker(FAMILY_NAMES)
        self.slugs = {name: ascii_slug(name) for name in (*GIVEN_NAMES, *FAMILY_NAMES)}
        # One hash for every member: benchmarks log in as anyone with the demo password.
        self.password = make_password(DEMO_PASSWORD)
        self.interest_cache: dict[tuple[str, ...], str] = {}
        self.language_json = {langs: json_text(list(langs)) for langs in set(LANGUAGE_SETS)}
        self.empty_object = json_text({})
        self.phone_next = ids["phone_first"]

    def build(self, chunk: int, start: int, stop: int) -> dict[str, list[tuple[Any, ...]]]:
        ctx, rng = self.ctx, self.ctx.rng(chunk)
        rand = rng.random
        ids, members, people = self.ids, self.members, self.people
        persons: list[tuple[Any, ...]] = []
        users: list[tuple[Any, ...]] = []
        profiles: list[tuple[Any, ...]] = []
        emails: list[tuple[Any, ...]] = []
        phones: list[tuple[Any, ...]] = []
        # Phone ids run on across chunks, which are built in order.
        phone_id = self.phone_next
        for j in range(start, stop):
            k = member_number(j, members=members, people=people)
            person_id = ids["person_first"] + j
            given, family = self.given.draw(rng), self.family.draw(rng)
            where = self.zips.draw(rng)
            email = self._email(rng, given, family, j)
            joined = joined_seconds(j, people)
            created = ctx.timestamp(joined)
            languages: tuple[str, ...] = ()
            if k is None:
                source = OTHER_SOURCES[int(rand() * len(OTHER_SOURCES))]
                status = OTHER_EMAIL_STATUS[int(rand() * len(OTHER_EMAIL_STATUS))]
                # Imported and API records often carry an address; sign-ups don't.
                if rand() < 0.5:
                    street = f"{1 + int(rand() * 9899)} {STREETS[int(rand() * len(STREETS))]} "
                    address = street + STREET_KINDS[int(rand() * len(STREET_KINDS))]
                    locality, region = where.place_name, where.state
                else:
                    address = locality = region = ""
            else:
                source, address, locality, region = "signup", "", "", ""
                status = MEMBER_EMAIL_STATUS[int(rand() * len(MEMBER_EMAIL_STATUS))]
                languages = LANGUAGE_SETS[int(rand() * len(LANGUAGE_SETS))]
                user_id = ids["user_first"] + k
                last_login = None
                if rand() < 0.7:
                    last_login = ctx.timestamp(joined + rand() * (CYCLE_SECONDS - joined))
                users.append(
                    (
                        user_id,
                        self.password,
                        last_login,
                        False,
                        email,
                        person_id,
                        True,
                        False,
                        "",
                        created,
                    )
                )
                emails.append((ids["email_first"] + k, user_id, email, True, True))
                profiles.append(
                    self._profile(
                        rng,
                        ids["profile_first"] + k,
                        user_id,
                        where,
                        given,
                        family,
                        languages,
                        created,
                    )
                )
            persons.append(
                (
                    person_id,
                    email,
                    status,
                    given,
                    family,
                    address,
                    locality,
                    region,
                    where.code,
                    "US",
                    where.latitude,
                    where.longitude,
                    self.language_json[languages],
                    self.empty_object,
                    source,
                    created,
                    created,
                    None,
                )
            )
            if rand() < figures.PHONE_SHARE:
                count = 2 if rand() < figures.PHONE_SECOND_SHARE else 1
                numbers = {phone_fictional(rng, where) for _ in range(count)}
                for index, number in enumerate(sorted(numbers)):
                    kind = PHONE_TYPES[int(rand() * len(PHONE_TYPES))]
                    sms = kind == PhoneNumber.NumberType.MOBILE and rand() < 0.3
                    phones.append(
                        (
                            phone_id,
                            person_id,
                            number,
                            kind,
                            index == 0,
                            rand() < 0.03,
                            sms,
                            "signup form" if sms else "",
                            created if sms else None,
                            created,
                        )
                    )
                    phone_id += 1
        self.phone_next = phone_id
        return {
            "person": persons,
            "user": users,
            "profile": profiles,
            "email": emails,
            "phone": phones,
        }

    def _email(self, rng: random.Random, given: str, family: str, j: int) -> str:
        """Unique by construction: every form ends in the person number, right before the @,
        and names have no digits. Lower-case ASCII, as email_normalize() stores it."""
        g, f = self.slugs[given], self.slugs[family]
        form = rng.random()
        if form < 0.5:
            local = f"{g}.{f}{j}"
        elif form < 0.75:
            local = f"{g[0]}{f}{j}"
        elif form < 0.9:
            local = f"{g}_{f}{j}"
        else:
            local = f"{f}.{g}{j}"
        return f"{local}@{DOMAINS[int(rng.random() * len(DOMAINS))]}"

    def _profile(
        self,
        rng: random.Random,
        profile_id: int,
        user_id: int,
        where: Zip,
        given: str,
        family: str,
        languages: tuple[str, ...],
        created: str,
    ) -> tuple[Any, ...]:
        rand = rng.random
        roll = rand()
        if roll < 0.06:
            display_name = f"{given} {family}"
        elif roll < 0.08:
            display_name = given
        elif roll < 0.10:
            display_name = f"{given} in {where.place_name}"[:80]
        else:
            display_name = ""
        bio = BIOS[int(rand() * len(BIOS))] if rand() < 0.2 else ""
        interests: tuple[str, ...] = ()
        if rand() < 0.6:
            picked = set(rng.sample(INTERESTS, k=1 + int(rand() * 3)))
            interests = tuple(value for value in INTERESTS if value in picked)
        interests_json = self.interest_cache.get(interests)
        if interests_json is None:
            interests_json = self.interest_cache[interests] = json_text(list(interests))
        privacy = PRIVACY[int(rand() * len(PRIVACY))]
        return (
            profile_id,
            user_id,
            display_name,
            "",
            "",
            bio,
            where.code,
            "US",
            where.latitude,
            where.longitude,
            interests_json,
            self.language_json[languages],
            where.time_zone,
            privacy,
            created,
        )


STEP = Step(
    name="people",
    models=(
        "people.Person",
        "accounts.User",
        "accounts.Profile",
        "account.EmailAddress",
        "people.PhoneNumber",
    ),
    per_scale={
        "people.Person": figures.MEMBERS + figures.NON_MEMBER_PEOPLE,
        "accounts.User": figures.MEMBERS,
        "accounts.Profile": figures.MEMBERS,
        "account.EmailAddress": figures.MEMBERS,
        "people.PhoneNumber": (figures.MEMBERS + figures.NON_MEMBER_PEOPLE)
        * figures.PHONE_SHARE
        * (1 + figures.PHONE_SECOND_SHARE),
    },
    run=people_run,
)
