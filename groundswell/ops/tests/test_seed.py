from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from groundswell.accounts.models import User
from groundswell.ops.demo import DEMO_LOGINS, DEMO_PASSWORD
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def test_seed_creates_demo_logins_once():
    call_command("seed", members=5, stdout=StringIO())
    users = User.objects.count()
    people = Person.objects.count()
    assert users == len(DEMO_LOGINS) + 5
    for role, email in DEMO_LOGINS:
        user = User.objects.get(email=email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.emailaddress_set.filter(verified=True, primary=True).exists()
        assert user.is_staff == (role != "supporter")
        assert user.profile.latitude is not None

    from groundswell.events.models import Attendance, Event
    from groundswell.groups.models import Group
    from groundswell.ops.demo import DEMO_EVENTS, DEMO_GROUPS

    assert Group.objects.count() == len(DEMO_GROUPS)
    assert Event.objects.filter(status=Event.Status.PUBLISHED).count() == len(DEMO_EVENTS)
    assert Attendance.objects.filter(user__email=DEMO_LOGINS[0][1]).count() == 2

    out = StringIO()
    call_command("seed", members=5, stdout=out)
    assert "nothing added" in out.getvalue()
    assert User.objects.count() == users
    assert Person.objects.count() == people
    assert Event.objects.count() == len(DEMO_EVENTS)


def test_seed_is_deterministic():
    call_command("seed", members=6, seed=7, stdout=StringIO())
    first = sorted(User.objects.values_list("email", flat=True))
    User.objects.all().delete()
    Person.objects.all().delete()
    call_command("seed", members=6, seed=7, stdout=StringIO())
    assert sorted(User.objects.values_list("email", flat=True)) == first
