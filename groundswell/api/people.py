"""OSDI people: the collection, one person, partial update and the signup helper."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema
from pydantic import field_validator

from groundswell.api.auth import api_actor
from groundswell.api.errors import ApiError, ErrorOut, django_validation_details
from groundswell.api.filters import FilterError, FilterField, filter_parse
from groundswell.api.hal import (
    CollectionOut,
    Hal,
    PageQuery,
    collection,
    identifiers,
    osdi_datetime,
    paginate,
)
from groundswell.api.registry import aep_link_register
from groundswell.api.taggings import TaggingCollectionOut, tagging_resource
from groundswell.people.models import Person, PhoneNumber
from groundswell.people.selectors import (
    PersonFilter,
    person_get,
    person_has_login,
    person_list,
    tagging_list_for_person,
)
from groundswell.people.services import (
    PhoneNumberInput,
    email_normalize,
    person_signup,
    person_update,
)

router = Router(tags=["people"])
aep_link_register(
    rel="osdi:people", path="people", title=gettext_lazy("The collection of people in the system")
)
aep_link_register(
    rel="osdi:person_signup_helper",
    path="people/person_signup_helper",
    title=gettext_lazy("The person signup helper"),
)

# Where a domain field's error is reported, in OSDI terms.
FIELD_NAMES = {
    "email": "email_addresses",
    "email_status": "email_addresses",
    "address_line": "postal_addresses",
    "locality": "postal_addresses",
    "region": "postal_addresses",
    "postal_code": "postal_addresses",
    "country": "postal_addresses",
    "__all__": "person",
}

PERSON_FILTERS = {
    "email_address": FilterField(frozenset({"eq"})),
    "given_name": FilterField(frozenset({"eq"})),
    "family_name": FilterField(frozenset({"eq"})),
    "postal_code": FilterField(frozenset({"eq"})),
    "created_date": FilterField(frozenset({"gt", "lt"}), kind="datetime"),
    "modified_date": FilterField(frozenset({"gt", "lt"}), kind="datetime"),
}

SubscriptionStatus = Literal["subscribed", "unsubscribed"]
NUMBER_TYPES = {
    "mobile": PhoneNumber.NumberType.MOBILE,
    "cell": PhoneNumber.NumberType.MOBILE,
    "home": PhoneNumber.NumberType.HOME,
    "work": PhoneNumber.NumberType.WORK,
    "other": PhoneNumber.NumberType.OTHER,
    # OSDI types we don't keep apart.
    "daytime": PhoneNumber.NumberType.OTHER,
    "evening": PhoneNumber.NumberType.OTHER,
    "fax": PhoneNumber.NumberType.OTHER,
}


# --- Input ---------------------------------------------------------------------------------


class EmailAddressIn(Schema):
    address: str = Field(..., max_length=254)
    primary: bool | None = None
    status: SubscriptionStatus | None = None


class PostalAddressIn(Schema):
    primary: bool | None = None
    address_lines: list[str] | None = Field(None, max_length=4)
    locality: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    postal_code: str | None = Field(None, max_length=20)
    country: str | None = Field(None, description="ISO 3166-1 alpha-2, e.g. US.")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if len(value) != 2 or not value.isalpha():
            raise ValueError("use a two-letter ISO 3166-1 country code, e.g. US")
        return value

    @field_validator("address_lines")
    @classmethod
    def _lines(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len("\n".join(line.strip() for line in value)) > 200:
            raise ValueError("the address lines are longer than 200 characters together")
        return value


class PhoneNumberIn(Schema):
    number: str = Field(..., max_length=40)
    primary: bool | None = None
    number_type: str | None = Field(None, description="Mobile, Home, Work or Other.")
    do_not_call: bool | None = None
    sms_capable: bool | None = None
    status: SubscriptionStatus | None = Field(
        None, description="Consent to text messages (Action Network's mobile status)."
    )

    @field_validator("number_type")
    @classmethod
    def _number_type(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return NUMBER_TYPES[value.strip().lower()]
        except KeyError:
            raise ValueError("use Mobile, Home, Work or Other") from None


CustomValue = str | int | float | bool | None


class PersonIn(Schema):
    """OSDI person fields we accept. Unknown fields (identifiers, _links...) are ignored."""

    given_name: str | None = Field(None, max_length=100)
    family_name: str | None = Field(None, max_length=100)
    email_addresses: list[EmailAddressIn] | None = Field(None, max_length=10)
    postal_addresses: list[PostalAddressIn] | None = Field(None, max_length=10)
    phone_numbers: list[PhoneNumberIn] | None = Field(None, max_length=10)
    languages_spoken: list[str] | None = Field(None, max_length=20)
    custom_fields: dict[str, CustomValue] | None = Field(
        None, description="Merged into the stored fields; a key set to null is removed."
    )

    @field_validator("languages_spoken")
    @classmethod
    def _languages(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        cleaned = [code.strip() for code in value if code.strip()]
        if any(len(code) > 16 for code in cleaned):
            raise ValueError("use ISO 639 language codes, e.g. en or es")
        return cleaned

    @field_validator("custom_fields")
    @classmethod
    def _custom_fields(cls, value: dict[str, CustomValue] | None) -> dict[str, CustomValue] | None:
        if value is None:
            return None
        if len(value) > 200:
            raise ValueError("at most 200 custom fields")
        for key, item in value.items():
            if not key.strip() or len(key) > 100:
                raise ValueError("custom field names are 1 to 100 characters")
            if isinstance(item, str) and len(item) > 5000:
                raise ValueError(f"the value of {key} is longer than 5000 characters")
        return value


class SignupIn(Schema):
    person: PersonIn
    add_tags: list[str] = Field(
        default_factory=list, description="Names of existing tags; unknown names are ignored."
    )


# --- Output --------------------------------------------------------------------------------


class EmailAddressOut(Schema):
    address: str
    primary: bool
    status: str


class LocationOut(Schema):
    latitude: float
    longitude: float
    accuracy: str


class PostalAddressOut(Schema):
    primary: bool
    address_lines: list[str]
    locality: str
    region: str
    postal_code: str
    country: str
    location: LocationOut | None = None


class PhoneNumberOut(Schema):
    number: str
    primary: bool
    number_type: str
    do_not_call: bool
    sms_capable: bool
    status: str


class PersonOut(Schema):
    identifiers: list[str]
    given_name: str
    family_name: str
    email_addresses: list[EmailAddressOut]
    postal_addresses: list[PostalAddressOut]
    phone_numbers: list[PhoneNumberOut]
    languages_spoken: list[str]
    custom_fields: dict[str, Any]
    created_date: datetime
    modified_date: datetime
    links: dict[str, Any] = Field(..., alias="_links")


class PeopleEmbedded(Schema):
    people: list[PersonOut] = Field(..., alias="osdi:people")


class PeopleCollectionOut(CollectionOut):
    embedded: PeopleEmbedded = Field(..., alias="_embedded")


def person_resource(hal: Hal, person: Person) -> dict[str, Any]:
    base = f"people/{person.pk}"
    addresses = []
    if person.address_line or person.locality or person.region or person.postal_code:
        address: dict[str, Any] = {
            "primary": True,
            "address_lines": [line for line in person.address_line.split("\n") if line],
            "locality": person.locality,
            "region": person.region,
            "postal_code": person.postal_code,
            "country": person.country,
        }
        if person.latitude is not None and person.longitude is not None:
            address["location"] = {
                "latitude": person.latitude,
                "longitude": person.longitude,
                "accuracy": "Approximate",
            }
        addresses.append(address)
    return {
        "identifiers": identifiers(person),
        "given_name": person.given_name,
        "family_name": person.family_name,
        "email_addresses": (
            [{"address": person.email, "primary": True, "status": person.email_status}]
            if person.email
            else []
        ),
        "postal_addresses": addresses,
        "phone_numbers": [
            {
                "number": phone.number,
                "primary": phone.primary,
                "number_type": phone.number_type,
                "do_not_call": phone.do_not_call,
                "sms_capable": phone.number_type == PhoneNumber.NumberType.MOBILE,
                "status": "subscribed" if phone.sms_opted_in else "unsubscribed",
            }
            for phone in person.phone_numbers.all()
        ],
        "languages_spoken": person.languages_spoken or [],
        "custom_fields": person.custom_fields or {},
        "created_date": osdi_datetime(person.created_at),
        "modified_date": osdi_datetime(person.modified_at),
        "_links": {
            "self": hal.link(base),
            "osdi:taggings": hal.link(f"{base}/taggings"),
        },
    }


def _single(hal: Hal, person: Person) -> dict[str, Any]:
    resource = person_resource(hal, person)
    resource["_links"]["curies"] = hal.curies()
    return resource


def _person_or_404(person_id: int) -> Person:
    person = person_get(person_id=person_id)
    if person is None:
        raise Http404
    return person


def _person_filter(text: str | None) -> PersonFilter:
    try:
        conditions = filter_parse(text, fields=PERSON_FILTERS)
    except FilterError as exc:
        raise ApiError(400, exc.message, {"field": exc.field} if exc.field else None) from exc
    values: dict[str, Any] = {}
    for condition in conditions:
        match condition.field, condition.operator:
            case "email_address", _op:
                values["email"] = str(condition.value).strip().lower()
            case "created_date", "gt":
                values["created_after"] = condition.value
            case "created_date", "lt":
                values["created_before"] = condition.value
            case "modified_date", "gt":
                values["modified_after"] = condition.value
            case "modified_date", "lt":
                values["modified_before"] = condition.value
            case field, _op:
                values[field] = str(condition.value).strip()
    return PersonFilter(**values)


def _domain_input(data: PersonIn) -> dict[str, Any]:
    """OSDI person -> the keyword arguments of the people services (only what was sent)."""
    fields: dict[str, Any] = {}
    if data.given_name is not None:
        fields["given_name"] = data.given_name
    if data.family_name is not None:
        fields["family_name"] = data.family_name
    if data.languages_spoken is not None:
        fields["languages_spoken"] = data.languages_spoken
    email = None
    if data.email_addresses:
        chosen = next((e for e in data.email_addresses if e.primary), data.email_addresses[0])
        try:
            email = email_normalize(chosen.address)
        except ValidationError as exc:
            raise ValidationError(
                {
                    "email_addresses": _("“%(address)s” is not a valid email address.")
                    % {"address": chosen.address[:100]}
                }
            ) from exc
        if chosen.status is not None:
            fields["email_status"] = chosen.status
    if data.postal_addresses:
        address = next((a for a in data.postal_addresses if a.primary), data.postal_addresses[0])
        if address.address_lines is not None:
            fields["address_line"] = "\n".join(
                line.strip() for line in address.address_lines if line.strip()
            )
        for name in ("locality", "region", "postal_code", "country"):
            if (value := getattr(address, name)) is not None:
                fields[name] = value
    phones = [
        PhoneNumberInput(
            number=phone.number,
            number_type=phone.number_type
            or (PhoneNumber.NumberType.MOBILE if phone.sms_capable else None),
            primary=phone.primary,
            do_not_call=phone.do_not_call,
            sms_opted_in=None if phone.status is None else phone.status == "subscribed",
        )
        for phone in data.phone_numbers or []
    ]
    return {
        "email": email,
        "fields": fields,
        "custom_fields": data.custom_fields,
        "phone_numbers": phones,
    }


def _invalid(exc: ValidationError, *, prefix: str = "") -> ApiError:
    """A domain ValidationError as a 422, its fields named by their place in the JSON body."""
    details = django_validation_details(exc, FIELD_NAMES)
    if isinstance(details, dict) and prefix:
        details = {f"{prefix}{name}": messages for name, messages in details.items()}
    return ApiError(422, _("The request body is not valid."), details)


WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 415: ErrorOut, 422: ErrorOut}


@router.get(
    "/people",
    response={200: PeopleCollectionOut, 400: ErrorOut, 401: ErrorOut},
    by_alias=True,
    url_name="people_list",
    summary="List people",
)
def people_list(request: HttpRequest, paging: PageQuery, filter: str | None = None):
    """People in id order, `per_page` (default 25, at most 100) to a page.

    `filter` takes OData conditions joined by `and`: `email_address eq`, `given_name eq`,
    `family_name eq`, `postal_code eq`, `created_date gt|lt`, `modified_date gt|lt`.
    """
    people = person_list(filters=_person_filter(filter))
    hal = Hal(request)
    return collection(
        hal, paginate(people, paging), rel="osdi:people", item=lambda p: person_resource(hal, p)
    )


def _signup(request: HttpRequest, payload: SignupIn) -> dict[str, Any]:
    try:
        data = _domain_input(payload.person)
        if data["email"] is None:
            raise ValidationError(
                {"email_addresses": _("An email address is required to sign someone up.")}
            )
        match = person_signup(**data, add_tags=payload.add_tags, actor=api_actor(request))
    except ValidationError as exc:
        raise _invalid(exc, prefix="person.") from exc
    return _single(Hal(request), _person_or_404(match.person.pk))


@router.post(
    "/people",
    response={200: PersonOut, **WRITE_ERRORS},
    by_alias=True,
    url_name="people_create",
    summary="Sign up a person (same as the signup helper)",
)
def people_create(request: HttpRequest, payload: SignupIn):
    """Action Network accepts POSTs to the people collection only as the signup helper."""
    return _signup(request, payload)


@router.post(
    "/people/person_signup_helper",
    response={200: PersonOut, **WRITE_ERRORS},
    by_alias=True,
    url_name="person_signup_helper",
    summary="Person signup helper",
)
def person_signup_helper(request: HttpRequest, payload: SignupIn):
    """Create a person, or update the one with this email (matched case-insensitively);
    then add the named existing tags. Given fields overwrite stored ones; the email status
    changes only when `status` is sent. Always answers 200, as Action Network does."""
    return _signup(request, payload)


@router.get(
    "/people/{int:person_id}",
    response={200: PersonOut, 401: ErrorOut, 404: ErrorOut},
    by_alias=True,
    url_name="people_detail",
    summary="Get a person",
)
def people_detail(request: HttpRequest, person_id: int):
    return _single(Hal(request), _person_or_404(person_id))


@router.put(
    "/people/{int:person_id}",
    response={200: PersonOut, 404: ErrorOut, **WRITE_ERRORS},
    by_alias=True,
    url_name="people_update",
    summary="Update a person",
)
def people_update(request: HttpRequest, person_id: int, payload: PersonIn):
    """Partial update, as Action Network does it: fields left out keep their values; phone
    numbers are added or updated, never removed; custom fields are merged."""
    person = _person_or_404(person_id)
    try:
        data = _domain_input(payload)
        if (
            data["email"] is not None
            and data["email"] != person.email
            and person_has_login(person=person)
        ):
            raise ValidationError(
                {
                    "email_addresses": _(
                        "This person has a member account; only they can change its email address."
                    )
                }
            )
        person_update(person=person, **data, source="api", actor=api_actor(request))
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return _single(Hal(request), _person_or_404(person_id))


@router.get(
    "/people/{int:person_id}/taggings",
    response={200: TaggingCollectionOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    by_alias=True,
    url_name="people_taggings",
    summary="List a person's taggings",
)
def people_taggings(request: HttpRequest, person_id: int, paging: PageQuery):
    person = _person_or_404(person_id)
    hal = Hal(request)
    return collection(
        hal,
        paginate(tagging_list_for_person(person=person), paging),
        rel="osdi:taggings",
        item=lambda tagging: tagging_resource(hal, tagging),
    )
