"""People endpoints, held to Action Network's conventions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

import pytest

from groundswell.accounts.models import User
from groundswell.accounts.testing import make_member
from groundswell.api.testing import ApiClient
from groundswell.core.models import AuditEntry
from groundswell.people.models import Person, PhoneNumber, Tagging
from groundswell.people.services import PhoneNumberInput, person_match_or_create, tag_create

if TYPE_CHECKING:
    from django.db.models import QuerySet


def _people(count: int, *, with_phone: bool = True) -> list[Person]:
    people = []
    for index in range(count):
        phones = [PhoneNumberInput(number=f"202555{index:04d}")] if with_phone else None
        people.append(
            person_match_or_create(
                email=f"person{index}@example.org",
                fields={"given_name": f"Given{index}", "family_name": "Family"},
                phone_numbers=phones,
            ).person
        )
    return people


def _others() -> QuerySet[Person]:
    """Everyone but the token owner (HQ is a Person too, like every member)."""
    return Person.objects.exclude(email="hq@example.org")


def _everyone() -> list[Person]:
    return list(Person.objects.order_by("id"))


def _signup(
    api: ApiClient,
    person: dict,
    add_tags: list[str] | None = None,
    path: str = "/api/v1/people/person_signup_helper",
):
    body: dict = {"person": person}
    if add_tags is not None:
        body["add_tags"] = add_tags
    return api.post(path, body)


# --- The collection ------------------------------------------------------------------------


def test_list_is_a_paged_hal_collection_in_id_order(api):
    _people(29)
    people = _everyone()
    response = api.get("/api/v1/people")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/hal+json; charset=utf-8"
    body = response.json()
    assert (body["page"], body["per_page"], body["total_records"], body["total_pages"]) == (
        1,
        25,
        30,
        2,
    )
    embedded = body["_embedded"]["osdi:people"]
    assert [p["identifiers"] for p in embedded] == [[f"groundswell:{p.pk}"] for p in people[:25]]
    links = body["_links"]
    assert links["next"]["href"] == "http://testserver/api/v1/people?page=2"
    assert "prev" not in links
    assert links["self"]["href"] == "http://testserver/api/v1/people?page=1"
    assert links["osdi:people"][0]["href"] == f"http://testserver/api/v1/people/{people[0].pk}"
    assert links["curies"] == [
        {"name": "osdi", "href": "http://testserver/api/v1/docs/rels/{rel}", "templated": True}
    ]

    second = api.get(links["next"]["href"]).json()
    assert [p["identifiers"][0] for p in second["_embedded"]["osdi:people"]] == [
        f"groundswell:{p.pk}" for p in people[25:]
    ]
    assert second["_links"]["prev"]["href"] == "http://testserver/api/v1/people?page=1"
    assert "next" not in second["_links"]


def test_person_resource_has_the_osdi_fields(api):
    person = person_match_or_create(
        email="ana@example.org",
        fields={
            "given_name": "Ana",
            "family_name": "Lopez",
            "address_line": "1 Main St\nApt 2",
            "locality": "Springfield",
            "region": "IL",
            "postal_code": "62701",
            "languages_spoken": ["en", "es"],
        },
        custom_fields={"shirt": "M"},
        phone_numbers=[
            PhoneNumberInput(number="2025550143", number_type="Mobile", sms_opted_in=True)
        ],
    ).person
    body = api.get(f"/api/v1/people/{person.pk}").json()
    assert body["identifiers"] == [f"groundswell:{person.pk}"]
    assert body["given_name"] == "Ana" and body["family_name"] == "Lopez"
    assert body["email_addresses"] == [
        {"address": "ana@example.org", "primary": True, "status": "subscribed"}
    ]
    address = body["postal_addresses"][0]
    assert address["address_lines"] == ["1 Main St", "Apt 2"]
    assert (address["locality"], address["region"], address["postal_code"], address["country"]) == (
        "Springfield",
        "IL",
        "62701",
        "US",
    )
    assert body["phone_numbers"] == [
        {
            "number": "+12025550143",
            "primary": True,
            "number_type": "Mobile",
            "do_not_call": False,
            "sms_capable": True,
            "status": "subscribed",
        }
    ]
    assert body["languages_spoken"] == ["en", "es"]
    assert body["custom_fields"] == {"shirt": "M"}
    created = datetime.strptime(body["created_date"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert abs(created - person.created_at) < timedelta(seconds=1)
    assert body["modified_date"].endswith("Z")
    assert body["_links"]["self"]["href"] == f"http://testserver/api/v1/people/{person.pk}"
    assert (
        body["_links"]["osdi:taggings"]["href"]
        == f"http://testserver/api/v1/people/{person.pk}/taggings"
    )
    assert body["_links"]["curies"][0]["name"] == "osdi"


def test_per_page_is_capped_at_100_and_links_keep_the_query(api):
    _people(105, with_phone=False)
    body = api.get("/api/v1/people", {"per_page": 500, "filter": "family_name eq 'Family'"}).json()
    assert body["total_records"] == 105
    assert body["per_page"] == 100 and len(body["_embedded"]["osdi:people"]) == 100
    assert body["total_pages"] == 2
    query = parse_qs(urlparse(body["_links"]["next"]["href"]).query)
    assert query == {"per_page": ["500"], "filter": ["family_name eq 'Family'"], "page": ["2"]}


def test_a_page_past_the_last_is_empty_not_an_error(api):
    _people(3, with_phone=False)
    response = api.get("/api/v1/people", {"page": 7})
    assert response.status_code == 200
    body = response.json()
    assert body["_embedded"]["osdi:people"] == []
    assert (body["page"], body["total_records"], body["total_pages"]) == (7, 4, 1)
    assert "next" not in body["_links"]
    assert body["_links"]["prev"]["href"].endswith("page=1")


def test_erased_people_are_not_listed(api):
    from groundswell.people.erasure import person_erase

    kept, erased = _people(2, with_phone=False)
    person_erase(person=erased, actor=None)
    body = api.get("/api/v1/people").json()
    listed = [p["identifiers"][0] for p in body["_embedded"]["osdi:people"]]
    assert f"groundswell:{kept.pk}" in listed
    assert f"groundswell:{erased.pk}" not in listed
    assert body["total_records"] == Person.objects.count() - 1
    assert api.get(f"/api/v1/people/{erased.pk}").status_code == 404


@pytest.mark.parametrize("count", [3, 40])
def test_list_queries_do_not_grow_with_rows(api, count, django_assert_num_queries):
    people = _people(count)
    for person in people[:3]:
        Tagging.objects.create(tag=tag_create(name=f"t{person.pk}"), person=person)
    api.get("/api/v1/")  # the token's last_used_at is now fresh
    # token lookup, COUNT, page of people, their phone numbers
    with django_assert_num_queries(4):
        response = api.get("/api/v1/people", {"per_page": 100})
    assert len(response.json()["_embedded"]["osdi:people"]) == count + 1


def test_detail_queries(api, django_assert_num_queries):
    (person,) = _people(1)
    api.get("/api/v1/")
    with django_assert_num_queries(3):  # token, person, phone numbers
        assert api.get(f"/api/v1/people/{person.pk}").status_code == 200


def test_unknown_person_is_a_json_404(api):
    for path in ["/api/v1/people/999999", "/api/v1/people/abc", "/api/v1/people/999999/taggings"]:
        response = api.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"]


# --- Filters -------------------------------------------------------------------------------


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["identifiers"][0] for p in response.json()["_embedded"]["osdi:people"]]


def test_filter_by_email_is_case_insensitive(api):
    people = _people(3, with_phone=False)
    response = api.get("/api/v1/people", {"filter": "email_address eq 'PERSON1@Example.org'"})
    assert _ids(response) == [f"groundswell:{people[1].pk}"]
    assert response.json()["total_records"] == 1


def test_filter_by_names_and_postal_code(api):
    a = person_match_or_create(
        email="a@example.org",
        fields={"given_name": "Ana", "family_name": "Lopez", "postal_code": "62701"},
    ).person
    person_match_or_create(
        email="b@example.org",
        fields={"given_name": "Ana", "family_name": "Smith", "postal_code": "10001"},
    )
    assert _ids(
        api.get("/api/v1/people", {"filter": "given_name eq 'ana' and family_name eq 'Lopez'"})
    ) == [f"groundswell:{a.pk}"]
    assert _ids(api.get("/api/v1/people", {"filter": "postal_code eq '62701'"})) == [
        f"groundswell:{a.pk}"
    ]


def test_filter_by_modified_and_created_dates(api):
    old, new = _people(2, with_phone=False)
    Person.objects.filter(pk=old.pk).update(
        modified_at=datetime(2023, 6, 1, tzinfo=UTC), created_at=datetime(2023, 5, 1, tzinfo=UTC)
    )
    assert f"groundswell:{old.pk}" not in _ids(
        api.get("/api/v1/people", {"filter": "modified_date gt '2024-01-01'"})
    )
    assert f"groundswell:{new.pk}" in _ids(
        api.get("/api/v1/people", {"filter": "modified_date gt '2024-01-01'"})
    )
    assert _ids(
        api.get("/api/v1/people", {"filter": "modified_date lt '2024-01-01T00:00:00Z'"})
    ) == [f"groundswell:{old.pk}"]
    assert _ids(
        api.get(
            "/api/v1/people",
            {"filter": "created_date gt '2023-04-30' and created_date lt '2023-05-02'"},
        )
    ) == [f"groundswell:{old.pk}"]


@pytest.mark.parametrize(
    ("expression", "field"),
    [
        ("phone_number eq '+12025550143'", "phone_number"),
        ("email_address gt 'a'", "email_address"),
        ("modified_date gt 'yesterday'", "modified_date"),
        ("given_name eq 'a' or family_name eq 'b'", None),
        ("given_name eq", None),
        ("given_name eq 'unterminated", None),
    ],
)
def test_unsupported_filters_are_a_400_naming_the_field(api, expression, field):
    response = api.get("/api/v1/people", {"filter": expression})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["error"]
    if field:
        assert body["details"] == {"field": field}
        assert field in body["error"]


# --- Signup helper -------------------------------------------------------------------------


def test_signup_creates_a_person_and_answers_200(api):
    response = _signup(
        api,
        {
            "given_name": "Ana",
            "family_name": "Lopez",
            "email_addresses": [{"address": "Ana@Example.org", "primary": True}],
            "postal_addresses": [
                {
                    "postal_code": "62701",
                    "address_lines": ["1 Main St"],
                    "locality": "Springfield",
                    "region": "IL",
                    "country": "us",
                }
            ],
            "phone_numbers": [
                {"number": "(202) 555-0143", "number_type": "mobile", "status": "subscribed"}
            ],
            "languages_spoken": ["es"],
            "custom_fields": {"volunteer": "yes"},
            "identifiers": ["action_network:abc"],
        },
    )
    assert response.status_code == 200, response.content
    person = _others().get()
    assert person.email == "ana@example.org"
    assert (person.given_name, person.family_name, person.postal_code, person.country) == (
        "Ana",
        "Lopez",
        "62701",
        "US",
    )
    assert person.source == "api"
    phone = PhoneNumber.objects.get()
    assert (phone.number, phone.number_type, phone.sms_opted_in, phone.primary) == (
        "+12025550143",
        "Mobile",
        True,
        True,
    )
    assert phone.consent_at is not None
    assert response.json()["identifiers"] == [f"groundswell:{person.pk}"]
    audit = AuditEntry.objects.get(action="person.create", subject_id=str(person.pk))
    assert audit.actor.email == "hq@example.org"


def test_signup_matches_by_email_in_any_case_and_overwrites(api):
    first = _signup(
        api, {"given_name": "Ana", "email_addresses": [{"address": "ana@example.org"}]}
    ).json()
    second = _signup(
        api,
        {
            "given_name": "Anna",
            "family_name": "Lopez",
            "email_addresses": [{"address": "ANA@EXAMPLE.ORG"}],
        },
    )
    assert second.status_code == 200
    assert second.json()["identifiers"] == first["identifiers"]
    person = _others().get()
    assert (person.given_name, person.family_name) == ("Anna", "Lopez")


def test_signup_keeps_email_status_unless_sent(api):
    _signup(api, {"email_addresses": [{"address": "ana@example.org", "status": "unsubscribed"}]})
    assert _others().get().email_status == "unsubscribed"
    _signup(api, {"given_name": "Ana", "email_addresses": [{"address": "ana@example.org"}]})
    assert _others().get().email_status == "unsubscribed"
    _signup(api, {"email_addresses": [{"address": "ana@example.org", "status": "subscribed"}]})
    assert _others().get().email_status == "subscribed"


def test_signup_adds_existing_tags_and_ignores_unknown_ones(api):
    tag = tag_create(name="Volunteer")
    response = _signup(
        api, {"email_addresses": [{"address": "a@example.org"}]}, ["volunteer", "No such tag"]
    )
    assert response.status_code == 200
    assert list(Tagging.objects.values_list("tag_id", flat=True)) == [tag.pk]
    _signup(api, {"email_addresses": [{"address": "a@example.org"}]}, ["Volunteer"])
    assert Tagging.objects.count() == 1


@pytest.mark.parametrize(
    "path", ["/api/v1/people", "/api/v1/people/", "/api/v1/people/person_signup_helper/"]
)
def test_post_to_the_collection_is_the_signup_helper_and_never_redirected(api, path):
    response = _signup(api, {"email_addresses": [{"address": "a@example.org"}]}, path=path)
    assert response.status_code == 200, response.content
    assert Person.objects.filter(email="a@example.org").count() == 1


@pytest.mark.parametrize(
    ("person", "field"),
    [
        ({"given_name": "No email"}, "person.email_addresses"),
        ({"email_addresses": [{"address": "not-an-email"}]}, "person.email_addresses"),
        (
            {
                "email_addresses": [{"address": "a@example.org"}],
                "phone_numbers": [{"number": "555-1234"}],
            },
            "person.phone_numbers",
        ),
        (
            {
                "email_addresses": [{"address": "a@example.org"}],
                "phone_numbers": [{"number": "call me"}],
            },
            "person.phone_numbers",
        ),
        (
            {
                "email_addresses": [{"address": "a@example.org"}],
                "phone_numbers": [{"number": "2025550143", "number_type": "Pager"}],
            },
            "person.phone_numbers.0.number_type",
        ),
        (
            {"email_addresses": [{"address": "a@example.org", "status": "bouncing"}]},
            "person.email_addresses.0.status",
        ),
        (
            {
                "email_addresses": [{"address": "a@example.org"}],
                "postal_addresses": [{"country": "USA"}],
            },
            "person.postal_addresses.0.country",
        ),
        (
            {"email_addresses": [{"address": "a@example.org"}], "given_name": "x" * 101},
            "person.given_name",
        ),
    ],
)
def test_invalid_signups_are_422_with_field_messages_and_create_nothing(api, person, field):
    response = _signup(api, person)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["error"]
    assert field in body["details"], body
    assert body["details"][field]
    assert not _others().exists()


def test_two_signups_differing_in_case_make_one_person(api):
    for address in ["Sam@Example.org", "sam@example.ORG", " SAM@EXAMPLE.ORG "]:
        assert _signup(api, {"email_addresses": [{"address": address}]}).status_code == 200
    assert _others().count() == 1


def test_api_signup_then_site_account_is_one_person(api):
    response = _signup(
        api, {"given_name": "Lee", "email_addresses": [{"address": "Lee@Example.org"}]}
    )
    person_id = _others().get().pk
    user = make_member("lee@example.org", given_name="Someone", family_name="Else")
    assert Person.objects.filter(email__iexact="lee@example.org").count() == 1
    user = User.objects.get(pk=user.pk)
    assert user.person_id == person_id
    # The account did not rename the person the API created.
    assert Person.objects.get(pk=person_id).given_name == "Lee"
    assert response.json()["identifiers"] == [f"groundswell:{person_id}"]


def test_api_signup_then_the_sign_up_form_path_is_one_person(api):
    """member_finish_signup is what allauth's sign-up form calls (accounts.adapters)."""
    from groundswell.accounts.services import member_finish_signup

    _signup(api, {"given_name": "Kai", "email_addresses": [{"address": "kai@example.org"}]})
    user = User(email="KAI@example.org")
    user.set_unusable_password()
    member_finish_signup(user=user)
    person = _others().get()
    assert User.objects.get(pk=user.pk).person_id == person.pk
    assert (person.given_name, person.source) == ("Kai", "api")


def test_site_account_then_api_signup_is_one_person(api, member):
    _signup(api, {"email_addresses": [{"address": "MEMBER@example.org"}], "given_name": "Maya"})
    assert Person.objects.filter(email="member@example.org").count() == 1
    assert User.objects.get(pk=member.pk).person.email == "member@example.org"


# --- Update --------------------------------------------------------------------------------


def test_put_is_a_partial_update(api):
    person = person_match_or_create(
        email="ana@example.org",
        fields={
            "given_name": "Ana",
            "family_name": "Lopez",
            "postal_code": "62701",
            "locality": "Springfield",
        },
        custom_fields={"shirt": "M", "team": "red"},
        phone_numbers=[PhoneNumberInput(number="2025550143")],
    ).person
    response = api.put(
        f"/api/v1/people/{person.pk}",
        {
            "family_name": "Lopez-Garcia",
            "custom_fields": {"shirt": "L", "team": None},
            "phone_numbers": [
                {"number": "+1 202 555 0199", "number_type": "Home", "primary": True}
            ],
            "postal_addresses": [{"locality": "Chicago"}],
        },
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert (person.given_name, person.family_name) == ("Ana", "Lopez-Garcia")
    assert (person.postal_code, person.locality) == ("62701", "Chicago")
    assert person.custom_fields == {"shirt": "L"}
    numbers = dict(PhoneNumber.objects.filter(person=person).values_list("number", "primary"))
    assert numbers == {"+12025550143": False, "+12025550199": True}
    assert response.json()["family_name"] == "Lopez-Garcia"
    audit = AuditEntry.objects.filter(action="person.update").latest("id")
    assert set(audit.details["fields"]) >= {
        "family_name",
        "custom_fields",
        "locality",
        "phone_numbers",
    }


def test_put_can_change_email_but_not_to_anothers(api):
    a, b = _people(2, with_phone=False)
    response = api.put(
        f"/api/v1/people/{a.pk}", {"email_addresses": [{"address": b.email.upper()}]}
    )
    assert response.status_code == 422
    assert "email_addresses" in response.json()["details"]
    assert (
        api.put(
            f"/api/v1/people/{a.pk}", {"email_addresses": [{"address": "New@Example.org"}]}
        ).status_code
        == 200
    )
    assert Person.objects.get(pk=a.pk).email == "new@example.org"


def test_put_cannot_change_a_members_login_email(api, member):
    response = api.put(
        f"/api/v1/people/{member.person_id}", {"email_addresses": [{"address": "x@example.org"}]}
    )
    assert response.status_code == 422
    assert Person.objects.get(pk=member.person_id).email == "member@example.org"


def test_put_rejects_invalid_phone_and_changes_nothing(api):
    (person,) = _people(1, with_phone=False)
    response = api.put(
        f"/api/v1/people/{person.pk}", {"given_name": "X", "phone_numbers": [{"number": "12"}]}
    )
    assert response.status_code == 422
    assert Person.objects.get(pk=person.pk).given_name == "Given0"


def test_put_unknown_person_is_404(api):
    assert api.put("/api/v1/people/424242", {"given_name": "X"}).status_code == 404


# --- A person's taggings --------------------------------------------------------------------


def test_person_taggings(api):
    (person,) = _people(1, with_phone=False)
    tags = [tag_create(name=name) for name in ["A", "B"]]
    taggings = [Tagging.objects.create(tag=tag, person=person) for tag in tags]
    body = api.get(f"/api/v1/people/{person.pk}/taggings").json()
    assert body["total_records"] == 2
    embedded = body["_embedded"]["osdi:taggings"]
    assert [t["identifiers"][0] for t in embedded] == [f"groundswell:{t.pk}" for t in taggings]
    assert (
        embedded[0]["_links"]["osdi:tag"]["href"] == f"http://testserver/api/v1/tags/{tags[0].pk}"
    )
    assert (
        embedded[0]["_links"]["osdi:person"]["href"]
        == f"http://testserver/api/v1/people/{person.pk}"
    )


def test_put_records_sms_consent_from_the_api(api):
    (person,) = _people(1)
    response = api.put(
        f"/api/v1/people/{person.pk}",
        {"phone_numbers": [{"number": "202-555-0000", "status": "subscribed"}]},
    )
    assert response.status_code == 200
    phone = PhoneNumber.objects.get(person=person)
    assert (phone.sms_opted_in, phone.consent_source) == (True, "api")
    assert response.json()["phone_numbers"][0]["status"] == "subscribed"
