"""`groundswell create_member`: output contract and errors."""

from __future__ import annotations

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from groundswell.accounts.models import User
from groundswell.accounts.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_member", *args, stdout=out)
    return out.getvalue()


def test_creates_a_verified_member_and_prints_the_id_last(postal_codes):
    output = _run(
        "--email",
        "New@Example.org",
        "--password",
        PASSWORD,
        "--zip",
        "10001",
        "--given-name",
        "Nia",
        "--family-name",
        "New",
    )
    last_line = output.strip().splitlines()[-1]
    user = User.objects.select_related("person", "profile").get(pk=int(last_line))
    assert user.email == "new@example.org"
    assert user.check_password(PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert (user.staff_role, user.is_staff) == ("", False)
    assert user.person.given_name == "Nia" and user.person.postal_code == "10001"
    assert user.profile.postal_code == "10001" and user.profile.latitude is not None


@pytest.mark.parametrize(
    ("flag", "role"), [("--staff", User.StaffRole.ORGANIZER), ("--hq", User.StaffRole.HQ)]
)
def test_staff_flags(flag, role):
    output = _run("--email", "staff@example.org", "--password", PASSWORD, flag)
    user = User.objects.get(pk=int(output.strip().splitlines()[-1]))
    assert user.staff_role == role and user.is_staff


def test_password_from_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    output = _run("--email", "stdin@example.org", "--password", "-")
    assert User.objects.get(pk=int(output.strip().splitlines()[-1])).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "member@example.org", "--password", PASSWORD], "already exists"),
        (["--email", "weak@example.org", "--password", "123"], "too short"),
        (["--email", "zip@example.org", "--password", PASSWORD, "--zip", "00000"], "postal code"),
        (["--email", "not-an-email", "--password", PASSWORD], "valid email"),
    ],
)
def test_clear_errors(member, postal_codes, args, message):
    before = User.objects.count()
    with pytest.raises(CommandError) as caught:
        _run(*args)
    assert message in str(caught.value)
    assert User.objects.count() == before


def test_staff_and_hq_are_exclusive():
    with pytest.raises(CommandError):
        _run("--email", "x@example.org", "--password", PASSWORD, "--staff", "--hq")
