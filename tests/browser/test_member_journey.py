"""A newcomer's first visit, end to end in a real browser: sign up, verify the email from the
mail folder, fill the profile, switch to French, delete the account."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import expect

from groundswell.accounts.models import User
from groundswell.geo.models import PostalCode
from groundswell.people.models import Person

PASSWORD = "a sturdy passphrase 2026"


def _latest_mail(mail_dir: Path) -> email.message.EmailMessage:
    files = sorted(mail_dir.glob("*.eml"))
    assert files, "no mail was written to the mail folder"
    return email.message_from_bytes(files[-1].read_bytes(), policy=policy.default)


@pytest.mark.django_db(transaction=True)
def test_sign_up_verify_profile_french_delete(page, axe_check, mail_dir, live_server):
    PostalCode.objects.get_or_create(
        country="US",
        code="10001",
        defaults={"place_name": "New York", "admin1": "NY", "latitude": 40.75, "longitude": -73.99},
    )

    # Sign up.
    page.goto("/")
    axe_check(page)
    page.get_by_role("link", name="Join now").click()
    axe_check(page)
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile("Password \\(again\\)")).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile("/accounts/confirm-email/"))
    axe_check(page)

    # Verify the email from the message written to the mail folder.
    message = _latest_mail(mail_dir)
    assert message["To"] == "newcomer@example.org"
    body = message.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", body)
    assert link, body
    page.goto(link.group(0))
    axe_check(page)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    # Fill the profile.
    page.goto("/members/me/edit/")
    axe_check(page)
    page.get_by_label("Display name").fill("Nia Newcomer")
    page.get_by_label("ZIP code").fill("99999")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("We don't know the postal code").first).to_be_visible()
    page.get_by_label("ZIP code").fill("10001")
    page.get_by_label("Door-to-door canvassing").check()
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_url(re.compile(r"/members/\d+/$"))
    axe_check(page)
    expect(page.get_by_role("heading", name="Nia Newcomer")).to_be_visible()
    expect(page.get_by_text("New York").first).to_be_visible()

    user = User.objects.get(email="newcomer@example.org")
    assert user.profile.postal_code == "10001"
    assert user.person is not None

    # Switch to French.
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change language").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("link", name="Modifier le profil").first).to_be_visible()
    axe_check(page)
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer de langue").click()
    page.wait_for_load_state()

    # Delete the account.
    page.goto("/members/me/delete/")
    axe_check(page)
    page.get_by_label("Your current password").fill(PASSWORD)
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(re.compile("/$"))
    expect(page.get_by_text("Your account was deleted")).to_be_visible()
    assert not User.objects.filter(email="newcomer@example.org").exists()
    assert not Person.objects.filter(email="newcomer@example.org").exists()
