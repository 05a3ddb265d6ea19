"""`groundswell seed --scale`: the generated data set is valid, deterministic and usable."""

from __future__ import annotations

import json
import math
import zoneinfo
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from groundswell.accounts.models import Profile, User
from groundswell.accounts.services import time_zones_available
from groundswell.events.models import Event
from groundswell.geo.selectors import postal_code_find
from groundswell.ops.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_seed
from groundswell.ops.models import SeedRun
from groundswell.ops.seeding import figures, runner
from groundswell.ops.seeding.base import Progress, Step, TableWriter
from groundswell.ops.seeding.geography import METROS, ZipSampler, metro_radius_miles
from groundswell.ops.seeding.people import PERSON_FIELDS, member_number, member_person_number
from groundswell.ops.seeding.runner import SeedConflict, schema_version, seed_generate
from groundswell.people.models import Person, PhoneNumber, Tag, Tagging
from groundswell.people.phones import phone_normalize
from groundswell.people.selectors import PersonFilter, person_get, person_list
from groundswell.people.services import email_normalize

pytestmark = pytest.mark.django_db

SMALL = 0.0002  # 400 members, 800 people


def _generate(scale: float = SMALL, seed: int = 2008) -> runner.SeedOutcome:
    return seed_generate(scale=scale, seed=seed)


def _sample(queryset, size: int = 40):
    """Rows spread over the whole id range (first, last and evenly in between)."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // size)
    return list(queryset.filter(pk__in=[*ids[::step], ids[-1]]).order_by("pk"))


def test_counts_follow_the_scale():
    outcome = _generate(0.0005)
    members = round(figures.MEMBERS * 0.0005)
    people = members + round(figures.NON_MEMBER_PEOPLE * 0.0005)
    assert (members, people) == (1000, 2000)
    assert User.objects.count() == members
    assert Profile.objects.count() == members
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == members
    assert Person.objects.count() == people
    assert Person.objects.filter(user__isnull=False).count() == members
    phones_expected = people * figures.PHONE_SHARE * (1 + figures.PHONE_SECOND_SHARE)
    assert abs(PhoneNumber.objects.count() - phones_expected) < 0.15 * phones_expected
    people_with_phone = Person.objects.filter(phone_numbers__isnull=False).distinct().count()
    assert abs(people_with_phone / people - figures.PHONE_SHARE) < 0.05
    tagged = Person.objects.filter(taggings__isnull=False).distinct().count()
    assert abs(tagged / people - figures.TAGGED_SHARE) < 0.03
    assert Tag.objects.filter(name__in=figures.TAG_NAMES).count() == len(figures.TAG_NAMES)

    run = outcome.run
    assert run.finished_at is not None
    assert run.counts["people_person"] == people
    assert run.counts["accounts_user"] == members
    assert run.counts["people_phonenumber"] == PhoneNumber.objects.count()
    assert run.counts["people_tagging"] == Tagging.objects.count()
    assert run.schema_version == schema_version()
    assert outcome.ran == ["people", "tags", "groups", "events"]


def test_same_seed_same_rows_other_seed_other_rows():
    def snapshot():
        people = Person.objects.order_by("pk").values_list(
            "email", "given_name", "family_name", "postal_code", "created_at"
        )
        phones = PhoneNumber.objects.order_by("pk").values_list("person__email", "number")
        return list(people), list(phones)

    def wipe():
        Event.objects.all().delete()  # hosts are protected
        Tagging.objects.all().delete()
        User.objects.all().delete()
        Person.objects.all().delete()
        SeedRun.objects.all().delete()

    _generate(seed=7)
    first = snapshot()
    wipe()
    _generate(seed=7)
    assert snapshot() == first
    wipe()
    _generate(seed=8)
    other = snapshot()
    assert len(other[0]) == len(first[0])
    assert other[0] != first[0]


def test_generated_rows_pass_the_products_validation():
    _generate(0.0005)
    zones = time_zones_available()
    for person in _sample(Person.objects.all()):
        person.full_clean()
        assert email_normalize(person.email) == person.email
        found = postal_code_find(country=person.country, code=person.postal_code)
        assert found is not None
        assert (person.latitude, person.longitude) == (found.latitude, found.longitude)
        assert set(person.languages_spoken) <= set(Profile.Language.values)
        if person.locality:
            assert (person.locality, person.region) == (found.place_name, found.admin1)
    for user in _sample(User.objects.select_related("person")):
        user.full_clean()
        assert user.email == user.person.email
        assert user.is_active and not user.is_staff and not user.staff_role
        assert user.date_joined == user.person.created_at
        assert user.has_usable_password()
    for profile in _sample(Profile.objects.select_related("user__person")):
        profile.full_clean(exclude=["photo", "photo_thumbnail"])
        found = postal_code_find(country="US", code=profile.postal_code)
        assert found is not None
        assert (profile.latitude, profile.longitude) == (found.latitude, found.longitude)
        assert profile.time_zone == found.time_zone
        assert profile.time_zone in zones
        zoneinfo.ZoneInfo(profile.time_zone)
        # Stored as profile_update stores them: known values, in the order of the choices.
        assert profile.interests == [v for v in Profile.Interest.values if v in profile.interests]
        assert profile.languages == [v for v in Profile.Language.values if v in profile.languages]
        assert profile.languages == profile.user.person.languages_spoken
        assert len(profile.bio) <= 1000
        assert profile.public_name
    for address in _sample(EmailAddress.objects.select_related("user")):
        address.full_clean()
        assert (address.verified, address.primary) == (True, True)
        assert address.email == address.user.email
    for phone in _sample(PhoneNumber.objects.all()):
        phone.full_clean()
        assert phone_normalize(phone.number) == phone.number
        assert phone.number[5:10] == "55501"  # the fictional 555-01xx range
        assert phone.sms_opted_in == (phone.consent_at is not None)
    for tagging in _sample(Tagging.objects.all()):
        tagging.full_clean()
    # Every person with phones has exactly one primary number.
    primaries = PhoneNumber.objects.filter(primary=True).values_list("person_id", flat=True)
    assert len(primaries) == len(set(primaries))
    assert set(primaries) == set(PhoneNumber.objects.values_list("person_id", flat=True))
    # The email constraints the models can't check row by row.
    emails = list(Person.objects.values_list("email", flat=True))
    assert len({email.lower() for email in emails}) == len(emails)
    assert all(
        email.split("@")[1].endswith(("example.com", "example.net", "example.org"))
        for email in emails
    )


def test_people_are_denser_in_big_metros():
    _generate(0.0005)
    sampler = ZipSampler()
    metro_codes = {sampler.zips[i].code for nearby in sampler.metro_zips for i in nearby}
    codes = list(Person.objects.values_list("postal_code", flat=True))
    near_metro = sum(code in metro_codes for code in codes) / len(codes)
    # 75% drawn near a metro, plus the uniform draws that happen to fall near one.
    assert near_metro > 0.75
    new_york = {sampler.zips[i].code for i in sampler.metro_zips[0]}
    birmingham = {sampler.zips[i].code for i in sampler.metro_zips[-1]}
    assert sum(c in new_york for c in codes) > 5 * sum(c in birmingham for c in codes)
    assert len(set(codes)) > 500
    assert metro_radius_miles(METROS[0][2]) == 50.0


def test_sign_ups_spread_over_the_cycle_and_grow_towards_election_day():
    _generate(0.0005)
    joined = list(User.objects.order_by("pk").values_list("date_joined", flat=True))
    assert joined == sorted(joined)
    assert joined[0] >= figures.CYCLE_START
    assert joined[-1] <= figures.ELECTION_DAY
    midpoint = figures.CYCLE_START + (figures.ELECTION_DAY - figures.CYCLE_START) / 2
    first_half = sum(when < midpoint for when in joined)
    assert 0.3 * len(joined) < first_half < 0.45 * len(joined)


def test_member_layout_helpers_match_the_rows():
    outcome = _generate()
    result = outcome.run.steps["people"]
    members, people = result["members"], result["people"]
    numbers = [member_number(j, members=members, people=people) for j in range(people)]
    assert [n for n in numbers if n is not None] == list(range(members))
    for k in (0, 1, members // 2, members - 1):
        j = member_person_number(k, members=members, people=people)
        assert numbers[j] == k
        user = User.objects.get(pk=result["user_first"] + k)
        assert user.person_id == result["person_first"] + j


def test_a_generated_member_logs_in_with_the_demo_password(client):
    _generate()
    user = User.objects.order_by("pk")[123]
    assert client.login(email=user.email, password=DEMO_PASSWORD)
    client.logout()
    # Through allauth's form too: the verified primary address lets them straight in.
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user == user


def test_profile_pages_and_people_selectors_work_over_generated_data(client):
    _generate()
    public = Profile.objects.filter(privacy=Profile.Privacy.PUBLIC).order_by("pk").first()
    private = Profile.objects.filter(privacy=Profile.Privacy.PRIVATE).order_by("pk").first()
    assert public is not None and private is not None
    response = client.get(reverse("member_profile", args=[public.user_id]))
    assert response.status_code == 200
    assert public.public_name in response.content.decode()
    assert client.get(reverse("member_profile", args=[private.user_id])).status_code == 404

    with_phone = PhoneNumber.objects.order_by("pk").first().person
    person = person_get(person_id=with_phone.pk)
    assert person is not None and [p.number for p in person.phone_numbers.all()]
    smiths = list(person_list(filters=PersonFilter(family_name="Smith"))[:50])
    assert smiths and all(p.family_name == "Smith" for p in smiths)
    assert person_list(filters=PersonFilter(email=person.email.upper())).get() == person


def test_ids_continue_after_existing_rows_and_sequences_move_on():
    demo_seed(members=3)
    before = Person.objects.count()
    outcome = _generate()
    assert Person.objects.count() == before + 800
    assert outcome.run.steps["people"]["person_first"] > 1
    # The demo tag is reused, not duplicated.
    assert Tag.objects.filter(name__iexact="volunteer leads").count() == 1
    # New rows made the ordinary way get fresh ids (PostgreSQL sequences were reset).
    person = Person.objects.create(email="after-seed@example.org")
    assert person.pk == Person.objects.order_by("-pk").values_list("pk", flat=True)[0]
    for role, email in DEMO_LOGINS[:1]:
        assert User.objects.get(email=email).person.given_name == role.capitalize()


def test_a_second_run_reuses_the_data_set_and_refuses_another():
    _generate()
    people = Person.objects.count()
    again = _generate()
    assert again.ran == []
    assert Person.objects.count() == people
    with pytest.raises(SeedConflict, match=r"scale 0\.0002 and seed 2008"):
        _generate(scale=0.0003)
    with pytest.raises(SeedConflict):
        _generate(seed=9)
    assert Person.objects.count() == people


def test_an_interrupted_run_is_refused(monkeypatch):
    def broken(ctx):
        raise RuntimeError("disk full")

    monkeypatch.setattr(
        runner, "STEPS", (Step(name="broken", models=("people.Person",), per_scale={}, run=broken),)
    )
    with pytest.raises(RuntimeError):
        _generate()
    assert SeedRun.objects.get().finished_at is None
    monkeypatch.undo()
    with pytest.raises(SeedConflict, match="half-way"):
        _generate()


def test_steps_wait_for_their_tables(monkeypatch):
    calls = []

    def later(ctx):
        calls.append(ctx.results["people"]["people"])
        return {"rows": {}}

    future = Step(name="later_feature", models=("people.Tag",), per_scale={}, run=later)
    monkeypatch.setattr(runner, "STEPS", (*runner.STEPS, future))
    real_tables_exist = Step.tables_exist
    monkeypatch.setattr(
        Step,
        "tables_exist",
        lambda self, c: self.name != "later_feature" and real_tables_exist(self, c),
    )
    outcome = _generate()
    assert outcome.skipped == ["later_feature"]
    assert "later_feature" not in outcome.run.steps
    # Once the feature's table exists, the same command runs just that step.
    monkeypatch.setattr(Step, "tables_exist", real_tables_exist)
    again = _generate()
    assert again.ran == ["later_feature"]
    assert calls == [800]
    assert Person.objects.count() == 800


def test_a_step_for_a_model_that_does_not_exist_yet_is_not_runnable():
    missing = Step(name="widgets", models=("widgets.Widget",), per_scale={}, run=lambda ctx: {})
    present = Step(name="tags", models=("people.Tag",), per_scale={}, run=lambda ctx: {})
    assert not missing.tables_exist(connection)
    assert present.tables_exist(connection)


def test_scale_is_checked():
    with pytest.raises(ValueError):
        _generate(scale=0)
    with pytest.raises(ValueError):
        _generate(scale=math.inf)
    assert not SeedRun.objects.exists()


def test_writer_refuses_a_column_it_cannot_fill():
    fields = ("id", "tag_id", "person_id", "modified_at")
    with pytest.raises(ValueError, match=r"people_tagging\.created_at"):
        TableWriter(model=Tagging, fields=fields, connection=connection, progress=Progress())
    # A column with a default is filled with it.
    # Columns with a default (or blank text) get it: the generator survives new columns.
    fields = [f for f in PERSON_FIELDS if f not in {"email_status", "custom_fields", "source"}]
    writer = TableWriter(model=Person, fields=fields, connection=connection, progress=Progress())
    extras = dict(zip(writer.extra_names, writer.extra_values, strict=True))
    assert {name: extras[name] for name in ("email_status", "custom_fields", "source")} == {
        "email_status": "subscribed",
        "custom_fields": "{}",
        "source": "",
    }


def test_command_reports_progress_and_info(capsys):
    out = StringIO()
    call_command("seed", scale=SMALL, seed=3, stdout=out)
    assert "people_person" in out.getvalue()
    assert DEMO_PASSWORD in out.getvalue()
    err = capsys.readouterr().err
    assert "\rseed people: people_person" in err
    assert "/s)" in err

    info = StringIO()
    call_command("seed", info=True, stdout=info)
    data = json.loads(info.getvalue())
    assert (data["scale"], data["seed"], data["complete"]) == (SMALL, 3, True)
    assert data["counts"]["people_person"] == 800
    assert data["schema_version"] == schema_version()

    quiet = StringIO()
    call_command("seed", scale=SMALL, seed=3, verbosity=0, stdout=quiet)
    assert quiet.getvalue() == ""
    assert capsys.readouterr().err == ""

    with pytest.raises(CommandError, match="seed 3"):
        call_command("seed", scale=SMALL, seed=4, verbosity=0)


def test_seed_without_scale_still_loads_the_demo_set():
    call_command("seed", demo=True, verbosity=0, stdout=StringIO())
    assert User.objects.filter(email=DEMO_LOGINS[0][1]).exists()
    assert not SeedRun.objects.exists()


def test_full_clean_would_catch_a_bad_row():
    """The validation test above can fail: a row outside the product's rules is caught."""
    _generate()
    person = Person.objects.order_by("pk").first()
    person.email_status = "lost"
    with pytest.raises(ValidationError):
        person.full_clean()
