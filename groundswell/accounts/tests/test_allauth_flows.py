"""Sign-up, email confirmation, log-in, password reset and email change through allauth."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from groundswell.accounts.models import Profile, User
from groundswell.accounts.testing import PASSWORD
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def _link(message, pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/{pattern}[^\s]*)", message.body)
    assert match, message.body
    return match.group(1)


def test_signup_confirm_and_log_in(client, django_capture_on_commit_callbacks):
    # Someone who RSVP'd as a guest already has a Person: the account must reuse it.
    guest = Person.objects.create(email="new@example.org", given_name="Nia", source="rsvp")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup"),
            {"email": "New@Example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.person_id == guest.pk
    assert Profile.objects.filter(user=user).exists()
    assert Person.objects.filter(email="new@example.org").count() == 1
    assert not EmailAddress.objects.get(user=user).verified

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.org"]
    confirm_url = _link(mail.outbox[0], "accounts/confirm-email/")
    assert client.get(confirm_url).status_code == 200  # GET only shows a button
    assert not EmailAddress.objects.get(user=user).verified
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session[SESSION_KEY] == str(user.pk)

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "new@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get(reverse("profile_edit")).status_code == 200


def test_unverified_member_cannot_log_in_before_confirming(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {"email": "late@example.org", "password1": PASSWORD, "password2": PASSWORD},
        )
    client.logout()
    client.post(reverse("account_login"), {"login": "late@example.org", "password": PASSWORD})
    assert SESSION_KEY not in client.session


def test_password_reset_sends_a_working_link(client, member, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "member@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["member@example.org"]
    reset_url = _link(mail.outbox[0], "accounts/password/reset/key/")
    response = client.get(reset_url, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else reset_url
    new_password = "a brand new passphrase 42"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(new_password)


def test_password_reset_for_unknown_email_does_not_reveal_it(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    # Same answer as for a member (enumeration prevention); no reset link is sent.
    assert response.status_code == 302
    assert all("password/reset/key" not in message.body for message in mail.outbox)


def test_change_email_sends_a_verification_to_the_new_address(
    member_client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("account_email"), {"email": "maya@new.example", "action_add": ""}
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["maya@new.example"]]
    assert "accounts/confirm-email/" in mail.outbox[0].body
    assert EmailAddress.objects.filter(
        user=member, email="maya@new.example", verified=False
    ).exists()


def test_login_failed_rate_limit_refuses_the_eleventh_attempt(client, member):
    # 10 failures per minute per IP (different emails, so the per-email limit stays out of it).
    for attempt in range(10):
        response = client.post(
            reverse("account_login"), {"login": f"guess{attempt}@example.org", "password": "wrong"}
        )
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()
    response = client.post(
        reverse("account_login"), {"login": "member@example.org", "password": PASSWORD}
    )
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_failed_rate_limit_per_email(client, member):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "member@example.org", "password": "wrong"})
    response = client.post(
        reverse("account_login"), {"login": "member@example.org", "password": PASSWORD}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert SESSION_KEY not in client.session
