"""Groups: OSDI has no groups resource, so this is our own shape in OSDI's style (HAL links,
paging, identifiers, dates). Documented in docs/api.md under "Groups"."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlparse

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from groundswell.api.auth import api_actor
from groundswell.api.errors import ApiError, ErrorOut, django_validation_details
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
from groundswell.groups.models import Group
from groundswell.groups.selectors import DEFAULT_RADIUS, MAX_RADIUS, group_get, group_list
from groundswell.groups.services import group_create, group_update
from groundswell.people.selectors import person_get, person_has_login

router = Router(tags=["groups"])
aep_link_register(
    rel="osdi:groups", path="groups", title=gettext_lazy("The collection of local groups")
)

PERSON_HREF = re.compile(r"/people/(\d+)/?$")
Focus = Literal["neighborhood", "campus", "constituency", "issue"]
FIELD_NAMES = {
    "postal_code": "location.postal_code",
    "country": "location.country",
    "__all__": "group",
}


# --- Schemas -------------------------------------------------------------------------------


class GroupLocationIn(Schema):
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


class HrefIn(Schema):
    href: str = Field(..., max_length=2000)


class GroupLinksIn(Schema):
    creator: HrefIn | None = Field(None, alias="osdi:creator")


class GroupUpdateIn(Schema):
    """Fields left out keep their values."""

    name: str | None = Field(None, max_length=120)
    description: str | None = Field(None, max_length=5000)
    focus: Focus | None = None
    location: GroupLocationIn | None = None
    meeting_area: str | None = Field(None, max_length=200)


class GroupCreateIn(GroupUpdateIn):
    name: str = Field(..., min_length=1, max_length=120)
    focus: Focus = "neighborhood"
    location: GroupLocationIn
    links: GroupLinksIn | None = Field(
        None,
        alias="_links",
        description="`osdi:creator`: a person with a member account, who becomes the leader "
        "(default: the token's owner).",
    )


class GeoOut(Schema):
    latitude: float
    longitude: float
    accuracy: str


class GroupLocationOut(Schema):
    postal_code: str
    country: str
    locality: str
    region: str
    location: GeoOut | None = None


class GroupOut(Schema):
    identifiers: list[str]
    origin_system: str
    name: str
    description: str
    focus: str
    location: GroupLocationOut
    meeting_area: str
    member_count: int
    status: str
    browser_url: str
    distance_miles: float | None = None
    created_date: datetime
    modified_date: datetime
    archived_date: datetime | None = None
    links: dict[str, Any] = Field(..., alias="_links")


class GroupsEmbedded(Schema):
    groups: list[GroupOut] = Field(..., alias="osdi:groups")


class GroupCollectionOut(CollectionOut):
    embedded: GroupsEmbedded = Field(..., alias="_embedded")


class NearParams(Schema):
    near: str | None = Field(
        None, max_length=20, description="A postal code: groups within `radius` of it."
    )
    radius: float = Field(DEFAULT_RADIUS, gt=0, le=MAX_RADIUS, description="Miles (with near).")
    country: str = Field("US", min_length=2, max_length=2, description="Country of `near`.")


# --- Resources -----------------------------------------------------------------------------


def group_resource(hal: Hal, group: Group) -> dict[str, Any]:
    location: dict[str, Any] = {
        "postal_code": group.postal_code,
        "country": group.country,
        "locality": getattr(group, "place_name", None) or "",
        "region": getattr(group, "place_region", None) or "",
    }
    if group.latitude is not None and group.longitude is not None:
        location["location"] = {
            "latitude": group.latitude,
            "longitude": group.longitude,
            "accuracy": "Approximate",
        }
    links: dict[str, Any] = {
        "self": hal.link(f"groups/{group.pk}"),
        # The events collection's `group` filter (see docs/api.md).
        "osdi:events": hal.link(f"events?group={group.pk}"),
    }
    creator_person_id = (
        getattr(group.created_by, "person_id", None) if group.created_by_id else None
    )
    if creator_person_id:
        links["osdi:creator"] = hal.link(f"people/{creator_person_id}")
    resource: dict[str, Any] = {
        "identifiers": identifiers(group),
        "origin_system": "Groundswell",
        "name": group.name,
        "description": group.description,
        "focus": group.focus,
        "location": location,
        "meeting_area": group.meeting_area,
        "member_count": group.member_count,
        "status": "archived" if group.archived_at else "active",
        "browser_url": hal.request.build_absolute_uri(reverse("groups:detail", args=[group.pk])),
        "created_date": osdi_datetime(group.created_at),
        "modified_date": osdi_datetime(group.updated_at),
        "archived_date": osdi_datetime(group.archived_at),
        "_links": links,
    }
    distance = getattr(group, "distance_miles", None)
    if distance is not None:
        resource["distance_miles"] = round(distance, 2)
    return resource


def _single(hal: Hal, group: Group) -> dict[str, Any]:
    resource = group_resource(hal, group)
    resource["_links"]["curies"] = hal.curies()
    return resource


def _group_or_404(group_id: int) -> Group:
    group = group_get(group_id=group_id) if 0 < group_id <= 2**63 - 1 else None
    if group is None:
        raise Http404
    return group


def _invalid(exc: ValidationError) -> ApiError:
    return ApiError(
        422, _("The request body is not valid."), django_validation_details(exc, FIELD_NAMES)
    )


def _creator(request: HttpRequest, links: GroupLinksIn | None) -> Any:
    if links is None or links.creator is None:
        return api_actor(request)
    match = PERSON_HREF.search(urlparse(links.creator.href).path)
    person = person_get(person_id=int(match.group(1))) if match else None
    if person is None or not person_has_login(person=person) or not person.user.is_active:
        raise ApiError(
            422,
            _("The request body is not valid."),
            {
                "_links.osdi:creator.href": [
                    _("This link does not point to a person with a member account here.")
                ]
            },
        )
    return person.user


WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 415: ErrorOut, 422: ErrorOut}


# --- Endpoints -----------------------------------------------------------------------------


@router.get(
    "/groups",
    response={200: GroupCollectionOut, 400: ErrorOut, 401: ErrorOut},
    by_alias=True,
    url_name="groups_list",
    summary="List groups",
)
def groups_list(request: HttpRequest, paging: PageQuery, where: Query[NearParams]):
    """Every group in id order (archived ones too, with `status: archived`), or with
    `near=<postal code>` the active groups within `radius` miles (default 25), nearest
    first, each with `distance_miles`."""
    try:
        groups = group_list(
            near_code=(where.near or "").strip(), country=where.country, radius_miles=where.radius
        )
    except ValidationError as exc:
        raise ApiError(
            400, _("A query parameter is not valid."), django_validation_details(exc, {})
        ) from exc
    hal = Hal(request)
    return collection(
        hal,
        paginate(groups.select_related("created_by"), paging),
        rel="osdi:groups",
        item=lambda group: group_resource(hal, group),
    )


@router.post(
    "/groups",
    response={200: GroupOut, **WRITE_ERRORS},
    by_alias=True,
    url_name="groups_create",
    summary="Create a group",
)
def groups_create(request: HttpRequest, payload: GroupCreateIn):
    creator = _creator(request, payload.links)
    try:
        group = group_create(
            creator=creator,
            name=payload.name,
            focus=payload.focus,
            description=payload.description or "",
            meeting_area=payload.meeting_area or "",
            postal_code=payload.location.postal_code or "",
            country=payload.location.country or "US",
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return _single(Hal(request), _group_or_404(group.pk))


@router.get(
    "/groups/{int:group_id}",
    response={200: GroupOut, 401: ErrorOut, 404: ErrorOut},
    by_alias=True,
    url_name="groups_detail",
    summary="Get a group",
)
def groups_detail(request: HttpRequest, group_id: int):
    return _single(Hal(request), _group_or_404(group_id))


@router.put(
    "/groups/{int:group_id}",
    response={200: GroupOut, 404: ErrorOut, **WRITE_ERRORS},
    by_alias=True,
    url_name="groups_update",
    summary="Update a group",
)
def groups_update(request: HttpRequest, group_id: int, payload: GroupUpdateIn):
    """Partial update: fields left out keep their values. Membership and leadership are
    managed on the site, not here."""
    group = _group_or_404(group_id)
    location = payload.location
    try:
        group_update(
            group=group,
            actor=api_actor(request),
            name=payload.name,
            description=payload.description,
            focus=payload.focus,
            meeting_area=payload.meeting_area,
            postal_code=location.postal_code if location else None,
            country=location.country if location else None,
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    except PermissionDenied as exc:
        raise ApiError(403, _("This token may not change this group.")) from exc
    return _single(Hal(request), _group_or_404(group_id))
