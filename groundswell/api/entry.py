"""The API entry point (AEP): what this server is and where its collections live."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from groundswell.api.errors import ErrorOut, docs_url
from groundswell.api.hal import NAMESPACE, Hal
from groundswell.api.registry import AEP_LINKS

router = Router(tags=["entry point"])


class EntryPointOut(Schema):
    motd: str
    vendor_name: str
    product_name: str
    osdi_version: str
    namespace: str
    max_pagesize: int
    links: dict[str, Any] = Field(..., alias="_links")


@router.get(
    "/",
    response={200: EntryPointOut, 401: ErrorOut},
    by_alias=True,
    url_name="entry_point",
    summary="API entry point",
)
def entry_point(request: HttpRequest) -> dict[str, Any]:
    """Links to every collection, like Action Network's `GET /api/v2/`."""
    hal = Hal(request)
    links: dict[str, Any] = {
        "self": hal.link("", _("This API entry point")),
        "docs": {"href": hal.url("docs"), "title": _("Documentation"), "name": "Docs"},
        "curies": hal.curies(),
    }
    for link in AEP_LINKS:
        links[link.rel] = hal.link(link.path, str(link.title))
    return {
        "motd": _("Welcome to the %(campaign)s OSDI API entry point.")
        % {"campaign": settings.CAMPAIGN_NAME},
        "vendor_name": "Groundswell",
        "product_name": "Groundswell",
        "osdi_version": "1.0",
        "namespace": NAMESPACE,
        "max_pagesize": settings.API_MAX_PER_PAGE,
        "_links": links,
    }


# The section of the API reference (Swagger UI tags) that documents each link relation; the
# curie `osdi` expands `osdi:<rel>` to /api/v1/docs/rels/<rel>. Any other rel opens the
# reference at its top. docs/decisions/0025-curies-point-at-the-served-reference.md.
REL_SECTIONS = {
    "people": "people",
    "person": "people",
    "person_signup_helper": "people",
    "creator": "people",
    "organizer": "people",
    "tags": "tags",
    "tag": "tags",
    "taggings": "tags",
    "events": "events",
    "event": "events",
    "attendances": "events",
    "record_attendance_helper": "events",
    "groups": "groups",
}


@router.get("/docs/rels/{rel}", auth=None, include_in_schema=False, url_name="rel_docs")
def rel_docs(request: HttpRequest, rel: str) -> HttpResponseRedirect:
    """Where a curie leads: the part of the API reference about this link relation."""
    section = REL_SECTIONS.get(rel)
    return HttpResponseRedirect(docs_url(request) + (f"#/{section}" if section else ""))
