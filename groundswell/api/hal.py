"""HAL+JSON helpers: absolute links, curies and paged collections (Action Network's shape)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Schema
from ninja.renderers import JSONRenderer

HAL_MEDIA_TYPE = "application/hal+json"
NAMESPACE = "groundswell"


class HalRenderer(JSONRenderer):
    media_type = HAL_MEDIA_TYPE


class Link(Schema):
    href: str
    title: str | None = None
    templated: bool | None = None
    name: str | None = None


def osdi_datetime(value: datetime | None) -> str | None:
    """ISO 8601 in UTC, to the second, with a Z: the format Action Network sends."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def identifiers(obj: Model) -> list[str]:
    return [f"{NAMESPACE}:{obj.pk}"]


class Hal:
    """Builds absolute URLs under the API root for one request."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.root = request.build_absolute_uri(reverse("api-v1:api-root"))

    def url(self, path: str = "") -> str:
        return self.root + path

    def link(self, path: str = "", title: str | None = None) -> dict[str, Any]:
        link: dict[str, Any] = {"href": self.url(path)}
        if title:
            link["title"] = str(title)
        return link

    def curies(self) -> list[dict[str, Any]]:
        """`osdi:<rel>` leads to the API reference's section on it (entry.rel_docs)."""
        return [
            {
                "name": "osdi",
                "href": self.url("docs/rels/") + "{rel}",
                "templated": True,
            }
        ]


class PageParams(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    per_page: int = Field(
        settings.API_DEFAULT_PER_PAGE,
        ge=1,
        description=f"Items per page; larger values are capped at {settings.API_MAX_PER_PAGE}.",
    )


PageQuery = Query[PageParams]


@dataclass(frozen=True)
class Page:
    items: Sequence[Any]
    page: int
    per_page: int
    total_records: int

    @property
    def total_pages(self) -> int:
        return math.ceil(self.total_records / self.per_page)


# Counting millions of rows costs more than serving the page: a large count is reused for
# this long (`total_records` may lag by up to a minute on big collections; small ones are
# always exact). docs/decisions/0006-api-counts.md.
LARGE_COUNT = 10_000
LARGE_COUNT_SECONDS = 60


def collection_count(queryset: QuerySet) -> int:
    sql, sql_params = queryset.query.sql_with_params()
    key = "api-count:" + hashlib.sha256(f"{sql}|{sql_params!r}".encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    total = queryset.count()
    if total >= LARGE_COUNT:
        cache.set(key, total, LARGE_COUNT_SECONDS)
    return total


def paginate(queryset: QuerySet, params: PageParams) -> Page:
    """One COUNT (cached when large) and one page query. A page past the last is empty.

    OFFSET paging walks the id index past the earlier rows: page 1000 of 25 skips 25,000 index
    entries, a few milliseconds. Keyset paging (`id > last id` in the next link) is the step
    after that if clients page much deeper.
    """
    per_page = min(params.per_page, settings.API_MAX_PER_PAGE)
    total = collection_count(queryset)
    offset = (params.page - 1) * per_page
    items = list(queryset[offset : offset + per_page]) if offset < total else []
    return Page(items=items, page=params.page, per_page=per_page, total_records=total)


def _page_url(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def collection(
    hal: Hal,
    page: Page,
    *,
    rel: str,
    item: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """A paged OSDI collection: counts, self/next/prev links and the embedded items."""
    request = hal.request
    embedded = [item(obj) for obj in page.items]
    links: dict[str, Any] = {"self": {"href": _page_url(request, page.page)}}
    if page.page < page.total_pages:
        links["next"] = {"href": _page_url(request, page.page + 1)}
    if page.page > 1:
        links["prev"] = {"href": _page_url(request, min(page.page - 1, max(page.total_pages, 1)))}
    links[rel] = [{"href": resource["_links"]["self"]["href"]} for resource in embedded]
    links["curies"] = hal.curies()
    return {
        "total_pages": page.total_pages,
        "per_page": page.per_page,
        "page": page.page,
        "total_records": page.total_records,
        "_links": links,
        "_embedded": {rel: embedded},
    }


class CollectionOut(Schema):
    total_pages: int
    per_page: int
    page: int
    total_records: int
    links: dict[str, Any] = Field(..., alias="_links")
