"""OSDI tags and taggings: a tag's taggings link it to the people who carry it."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Router, Schema

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
from groundswell.people.models import Tag, Tagging
from groundswell.people.selectors import (
    person_get,
    tag_get,
    tag_list,
    tagging_get,
    tagging_list_for_tag,
)
from groundswell.people.services import tag_create, tagging_add, tagging_remove

router = Router(tags=["tags"])
aep_link_register(
    rel="osdi:tags", path="tags", title=gettext_lazy("The collection of tags in the system")
)

PERSON_HREF = re.compile(r"/people/(\d+)/?$")


# --- Schemas -------------------------------------------------------------------------------


class TagIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)


class HrefIn(Schema):
    href: str = Field(..., max_length=2000)


class TaggingLinksIn(Schema):
    person: HrefIn = Field(..., alias="osdi:person")


class TaggingIn(Schema):
    """Action Network's shape: `{"_links": {"osdi:person": {"href": ".../people/<id>"}}}`."""

    links: TaggingLinksIn = Field(..., alias="_links")


class TagOut(Schema):
    identifiers: list[str]
    name: str
    created_date: datetime
    modified_date: datetime
    links: dict[str, Any] = Field(..., alias="_links")


class TaggingOut(Schema):
    identifiers: list[str]
    item_type: str
    created_date: datetime
    modified_date: datetime
    links: dict[str, Any] = Field(..., alias="_links")


class TagsEmbedded(Schema):
    tags: list[TagOut] = Field(..., alias="osdi:tags")


class TagCollectionOut(CollectionOut):
    embedded: TagsEmbedded = Field(..., alias="_embedded")


class TaggingsEmbedded(Schema):
    taggings: list[TaggingOut] = Field(..., alias="osdi:taggings")


class TaggingCollectionOut(CollectionOut):
    embedded: TaggingsEmbedded = Field(..., alias="_embedded")


class NoticeOut(Schema):
    notice: str


# --- Resources -----------------------------------------------------------------------------


def tag_resource(hal: Hal, tag: Tag) -> dict[str, Any]:
    return {
        "identifiers": identifiers(tag),
        "name": tag.name,
        "created_date": osdi_datetime(tag.created_at),
        "modified_date": osdi_datetime(tag.modified_at),
        "_links": {
            "self": hal.link(f"tags/{tag.pk}"),
            "osdi:taggings": hal.link(f"tags/{tag.pk}/taggings"),
        },
    }


def tagging_resource(hal: Hal, tagging: Tagging) -> dict[str, Any]:
    return {
        "identifiers": identifiers(tagging),
        "item_type": "osdi:person",
        "created_date": osdi_datetime(tagging.created_at),
        "modified_date": osdi_datetime(tagging.modified_at),
        "_links": {
            "self": hal.link(f"tags/{tagging.tag_id}/taggings/{tagging.pk}"),
            "osdi:person": hal.link(f"people/{tagging.person_id}"),
            "osdi:tag": hal.link(f"tags/{tagging.tag_id}"),
        },
    }


def _with_curies(hal: Hal, resource: dict[str, Any]) -> dict[str, Any]:
    resource["_links"]["curies"] = hal.curies()
    return resource


def _tag_or_404(tag_id: int) -> Tag:
    tag = tag_get(tag_id=tag_id)
    if tag is None:
        raise Http404
    return tag


# --- Endpoints -----------------------------------------------------------------------------


@router.get(
    "/tags",
    response={200: TagCollectionOut, 400: ErrorOut, 401: ErrorOut},
    by_alias=True,
    url_name="tags_list",
    summary="List tags",
)
def tags_list(request: HttpRequest, paging: PageQuery):
    hal = Hal(request)
    return collection(
        hal, paginate(tag_list(), paging), rel="osdi:tags", item=lambda t: tag_resource(hal, t)
    )


@router.post(
    "/tags",
    response={
        200: TagOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
    },
    by_alias=True,
    url_name="tags_create",
    summary="Create a tag",
)
def tags_create(request: HttpRequest, payload: TagIn):
    """Tag names are unique regardless of case: posting an existing name returns that tag."""
    try:
        tag = tag_create(name=payload.name, actor=api_actor(request))
    except ValidationError as exc:
        raise ApiError(
            422, _("The request body is not valid."), django_validation_details(exc, {})
        ) from exc
    return _with_curies(Hal(request), tag_resource(Hal(request), tag))


@router.get(
    "/tags/{int:tag_id}",
    response={200: TagOut, 401: ErrorOut, 404: ErrorOut},
    by_alias=True,
    url_name="tags_detail",
    summary="Get a tag",
)
def tags_detail(request: HttpRequest, tag_id: int):
    hal = Hal(request)
    return _with_curies(hal, tag_resource(hal, _tag_or_404(tag_id)))


@router.get(
    "/tags/{int:tag_id}/taggings",
    response={200: TaggingCollectionOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    by_alias=True,
    url_name="taggings_list",
    summary="List a tag's taggings",
)
def taggings_list(request: HttpRequest, tag_id: int, paging: PageQuery):
    tag = _tag_or_404(tag_id)
    hal = Hal(request)
    return collection(
        hal,
        paginate(tagging_list_for_tag(tag=tag), paging),
        rel="osdi:taggings",
        item=lambda tagging: tagging_resource(hal, tagging),
    )


@router.post(
    "/tags/{int:tag_id}/taggings",
    response={
        200: TaggingOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
    },
    by_alias=True,
    url_name="taggings_create",
    summary="Tag a person",
)
def taggings_create(request: HttpRequest, tag_id: int, payload: TaggingIn):
    """Idempotent: tagging a person twice returns the existing tagging."""
    tag = _tag_or_404(tag_id)
    match = PERSON_HREF.search(urlparse(payload.links.person.href).path)
    person = person_get(person_id=int(match.group(1))) if match else None
    if person is None:
        raise ApiError(
            422,
            _("The request body is not valid."),
            {"_links.osdi:person.href": [_("This link does not point to a person here.")]},
        )
    tagging = tagging_add(tag=tag, person=person, actor=api_actor(request))
    hal = Hal(request)
    return _with_curies(hal, tagging_resource(hal, tagging))


@router.get(
    "/tags/{int:tag_id}/taggings/{int:tagging_id}",
    response={200: TaggingOut, 401: ErrorOut, 404: ErrorOut},
    by_alias=True,
    url_name="taggings_detail",
    summary="Get a tagging",
)
def taggings_detail(request: HttpRequest, tag_id: int, tagging_id: int):
    tagging = tagging_get(tag=_tag_or_404(tag_id), tagging_id=tagging_id)
    if tagging is None:
        raise Http404
    hal = Hal(request)
    return _with_curies(hal, tagging_resource(hal, tagging))


@router.delete(
    "/tags/{int:tag_id}/taggings/{int:tagging_id}",
    response={200: NoticeOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    url_name="taggings_delete",
    summary="Remove a tagging",
)
def taggings_delete(request: HttpRequest, tag_id: int, tagging_id: int):
    tagging = tagging_get(tag=_tag_or_404(tag_id), tagging_id=tagging_id)
    if tagging is None:
        raise Http404
    tagging_remove(tagging=tagging, actor=api_actor(request))
    return {"notice": _("This tagging was successfully deleted.")}
