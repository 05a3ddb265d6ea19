"""Tags and taggings, Action Network style."""

from __future__ import annotations

import pytest

from groundswell.core.models import AuditEntry
from groundswell.people.models import Tag, Tagging
from groundswell.people.services import person_match_or_create, tag_create, tagging_add


@pytest.fixture
def person(db):
    return person_match_or_create(email="tagme@example.org").person


def _tagging_body(person_id: int, host: str = "http://testserver") -> dict:
    return {"_links": {"osdi:person": {"href": f"{host}/api/v1/people/{person_id}"}}}


def test_create_tag_and_read_it_back(api):
    response = api.post("/api/v1/tags", {"name": "  Volunteer  "})
    assert response.status_code == 200, response.content
    tag = Tag.objects.get()
    body = response.json()
    assert tag.name == "Volunteer"
    assert body["name"] == "Volunteer"
    assert body["identifiers"] == [f"groundswell:{tag.pk}"]
    assert body["_links"]["self"]["href"] == f"http://testserver/api/v1/tags/{tag.pk}"
    assert (
        body["_links"]["osdi:taggings"]["href"]
        == f"http://testserver/api/v1/tags/{tag.pk}/taggings"
    )
    assert api.get(f"/api/v1/tags/{tag.pk}").json()["name"] == "Volunteer"
    assert AuditEntry.objects.filter(action="tag.create", subject_id=str(tag.pk)).count() == 1


def test_posting_an_existing_tag_name_in_any_case_returns_it(api):
    first = api.post("/api/v1/tags", {"name": "Volunteer"}).json()
    second = api.post("/api/v1/tags", {"name": "VOLUNTEER"})
    assert second.status_code == 200
    assert second.json()["identifiers"] == first["identifiers"]
    assert Tag.objects.count() == 1


@pytest.mark.parametrize(
    "body", [{}, {"name": ""}, {"name": "   "}, {"name": "x" * 101}, {"name": 5}]
)
def test_invalid_tags_are_422(api, body):
    response = api.post("/api/v1/tags", body)
    assert response.status_code == 422, response.content
    assert response.json()["details"]
    assert not Tag.objects.exists()


def test_tag_list_is_paged_and_flat_in_queries(api, django_assert_num_queries):
    tags = [tag_create(name=f"Tag {index:02d}") for index in range(30)]
    api.get("/api/v1/")
    with django_assert_num_queries(3):  # token, COUNT, page
        body = api.get("/api/v1/tags").json()
    assert body["total_records"] == 30 and body["total_pages"] == 2
    assert [t["name"] for t in body["_embedded"]["osdi:tags"]] == [t.name for t in tags[:25]]
    assert body["_links"]["next"]["href"] == "http://testserver/api/v1/tags?page=2"


def test_unknown_tag_is_404(api):
    assert api.get("/api/v1/tags/99999").status_code == 404
    assert api.get("/api/v1/tags/99999/taggings").status_code == 404
    assert api.post("/api/v1/tags/99999/taggings", _tagging_body(1)).status_code == 404


def test_tagging_a_person_is_idempotent(api, person):
    tag = tag_create(name="Volunteer")
    first = api.post(f"/api/v1/tags/{tag.pk}/taggings", _tagging_body(person.pk))
    assert first.status_code == 200, first.content
    again = api.post(
        f"/api/v1/tags/{tag.pk}/taggings/", _tagging_body(person.pk, "https://elsewhere.example")
    )
    assert again.status_code == 200
    assert again.json()["identifiers"] == first.json()["identifiers"]
    tagging = Tagging.objects.get()
    assert (tagging.tag_id, tagging.person_id) == (tag.pk, person.pk)
    body = first.json()
    assert body["item_type"] == "osdi:person"
    assert body["_links"]["osdi:person"]["href"] == f"http://testserver/api/v1/people/{person.pk}"
    assert (
        body["_links"]["self"]["href"]
        == f"http://testserver/api/v1/tags/{tag.pk}/taggings/{tagging.pk}"
    )
    assert AuditEntry.objects.filter(action="tagging.add").count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"_links": {"osdi:person": {"href": "http://testserver/api/v1/people/987654"}}},
        {"_links": {"osdi:person": {"href": "http://testserver/api/v1/tags/1"}}},
        {"_links": {"osdi:person": {"href": "not a url"}}},
        {"_links": {}},
        {"person_id": 1},
    ],
)
def test_tagging_needs_a_link_to_a_real_person(api, person, body):
    tag = tag_create(name="Volunteer")
    response = api.post(f"/api/v1/tags/{tag.pk}/taggings", body)
    assert response.status_code == 422, response.content
    assert response.json()["details"]
    assert not Tagging.objects.exists()


def test_taggings_of_a_tag_list_and_detail(api, person, django_assert_num_queries):
    tag = tag_create(name="Volunteer")
    others = [person_match_or_create(email=f"p{index}@example.org").person for index in range(5)]
    taggings = [tagging_add(tag=tag, person=p) for p in [person, *others]]
    api.get("/api/v1/")
    with django_assert_num_queries(4):  # token, tag, COUNT, page
        body = api.get(f"/api/v1/tags/{tag.pk}/taggings").json()
    assert body["total_records"] == 6
    assert [t["identifiers"][0] for t in body["_embedded"]["osdi:taggings"]] == [
        f"groundswell:{t.pk}" for t in taggings
    ]
    detail = api.get(f"/api/v1/tags/{tag.pk}/taggings/{taggings[0].pk}")
    assert detail.status_code == 200
    other_tag = tag_create(name="Other")
    # A tagging is only found under its own tag.
    assert api.get(f"/api/v1/tags/{other_tag.pk}/taggings/{taggings[0].pk}").status_code == 404


def test_delete_a_tagging(api, person):
    tag = tag_create(name="Volunteer")
    tagging = tagging_add(tag=tag, person=person)
    response = api.delete(f"/api/v1/tags/{tag.pk}/taggings/{tagging.pk}")
    assert response.status_code == 200
    assert response.json() == {"notice": "This tagging was successfully deleted."}
    assert not Tagging.objects.exists()
    audit = AuditEntry.objects.get(action="tagging.remove")
    assert audit.details == {"tag_id": tag.pk, "person_id": person.pk}
    assert api.delete(f"/api/v1/tags/{tag.pk}/taggings/{tagging.pk}").status_code == 404


def test_delete_under_the_wrong_tag_is_404_and_keeps_the_tagging(api, person):
    tag, other = tag_create(name="A"), tag_create(name="B")
    tagging = tagging_add(tag=tag, person=person)
    assert api.delete(f"/api/v1/tags/{other.pk}/taggings/{tagging.pk}").status_code == 404
    assert Tagging.objects.filter(pk=tagging.pk).exists()
