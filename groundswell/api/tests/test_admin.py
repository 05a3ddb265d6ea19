"""Admin registrations for tokens, people, phone numbers, tags and taggings."""

from __future__ import annotations

import pytest

from groundswell.api.models import ApiToken
from groundswell.api.services import api_token_create
from groundswell.core.models import AuditEntry
from groundswell.people.models import Person, Tag, Tagging
from groundswell.people.services import (
    PhoneNumberInput,
    person_match_or_create,
    tag_create,
    tagging_add,
)


@pytest.fixture
def rows(hq):
    person = person_match_or_create(
        email="ana@example.org",
        fields={"given_name": "Ana", "family_name": "Lopez", "postal_code": "62701"},
        phone_numbers=[PhoneNumberInput(number="2025550143")],
    ).person
    tag = tag_create(name="Volunteer")
    tagging_add(tag=tag, person=person)
    token, _secret = api_token_create(user=hq, scope="read", name="sync", created_by=hq)
    return {"person": person, "tag": tag, "token": token}


@pytest.mark.parametrize(
    ("model", "search"),
    [
        ("api/apitoken", "sync"),
        ("people/person", "lopez"),
        ("people/person", "+12025550143"),
        ("people/phonenumber", "2025550143"),
        ("people/tag", "volunteer"),
        ("people/tagging", "ana@example.org"),
    ],
)
def test_changelists_search(admin_client, rows, model, search):
    response = admin_client.get(f"/admin/{model}/", {"q": search})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert (
        admin_client.get(f"/admin/{model}/", {"q": "zzz-no-match"}).context["cl"].result_count == 0
    )


def test_token_key_hash_is_read_only_and_tokens_are_not_added_here(admin_client, rows):
    token = rows["token"]
    page = admin_client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash in page
    assert 'name="key_hash"' not in page
    assert admin_client.get("/admin/api/apitoken/add/").status_code == 403


def test_revoke_action(admin_client, rows):
    token = rows["token"]
    admin_client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    token.refresh_from_db()
    assert token.is_revoked
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1


def test_person_change_goes_through_the_service(admin_client, rows):
    person = rows["person"]
    data = {
        "email_status": "subscribed",
        "given_name": "Anna",
        "family_name": "Lopez",
        "address_line": "",
        "locality": "",
        "region": "",
        "postal_code": "62701",
        "country": "US",
        "languages_spoken": "[]",
        "source": "",
        "phone_numbers-TOTAL_FORMS": "1",
        "phone_numbers-INITIAL_FORMS": "1",
        "phone_numbers-0-id": person.phone_numbers.get().pk,
        "phone_numbers-0-person": person.pk,
        "taggings-TOTAL_FORMS": "1",
        "taggings-INITIAL_FORMS": "1",
        "taggings-0-id": Tagging.objects.get().pk,
        "taggings-0-person": person.pk,
    }
    response = admin_client.post(f"/admin/people/person/{person.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.given_name == "Anna"
    audit = AuditEntry.objects.filter(action="person.update", subject_id=str(person.pk)).latest(
        "id"
    )
    assert audit.details["fields"] == ["given_name"]


def test_people_are_not_added_or_deleted_in_the_admin(admin_client, rows):
    assert admin_client.get("/admin/people/person/add/").status_code == 403
    person = rows["person"]
    assert admin_client.get(f"/admin/people/person/{person.pk}/delete/").status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()


def test_tag_add_goes_through_the_service(admin_client, db):
    response = admin_client.post("/admin/people/tag/add/", {"name": "Donor"})
    assert response.status_code == 302
    tag = Tag.objects.get()
    assert AuditEntry.objects.filter(action="tag.create", subject_id=str(tag.pk)).exists()


def test_tagging_remove_action(admin_client, rows):
    tagging = Tagging.objects.get()
    admin_client.post(
        "/admin/people/tagging/", {"action": "remove_selected", "_selected_action": [tagging.pk]}
    )
    assert not Tagging.objects.exists()
    assert AuditEntry.objects.filter(action="tagging.remove").exists()
    assert ApiToken.objects.exists()
