"""The OSDI API at /api/v1/: django-ninja, HAL+JSON, token auth, JSON errors."""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.parser import Parser

from groundswell.api import entry, people, taggings
from groundswell.api.auth import OsdiToken
from groundswell.api.errors import (
    ERROR_CONTENT_TYPE,
    UnsupportedMediaType,
    api_view,
    error_handlers_install,
)
from groundswell.api.hal import HalRenderer
from groundswell.api.idempotency import idempotency_install, idempotency_openapi

JSON_TYPES = frozenset({"application/json", "application/hal+json"})


class JsonOnlyParser(Parser):
    """Bodies must be JSON. A missing Content-Type is read as JSON (curl -d and some
    scripts omit it); any other type (forms, multipart, text) is refused with 415."""

    def parse_body(self, request: HttpRequest) -> Any:
        content_type = (request.content_type or "").strip().lower()
        if content_type and content_type not in JSON_TYPES and not content_type.endswith("+json"):
            raise UnsupportedMediaType(
                _("Send the request body as JSON (Content-Type: application/json), not %(type)s.")
                % {"type": content_type[:80]}
            )
        return json.loads(request.body)


class OsdiApi(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any):
        """Errors are plain JSON, not HAL: say so in the schema."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content")
                    if int(status) >= 400 and content and HalRenderer.media_type in content:
                        response["content"] = {
                            ERROR_CONTENT_TYPE: content.pop(HalRenderer.media_type)
                        }
        idempotency_openapi(schema)
        return schema

    def _get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = api_view(cast(Any, pattern.callback))
        return urls


api = OsdiApi(
    title="Groundswell OSDI API",
    version="1.0",
    description=(
        "An OSDI 1.0 API following Action Network's conventions: HAL+JSON, the "
        "`OSDI-API-Token` header, `page`/`per_page` paging and OData-style `filter`. "
        "See docs/api.md."
    ),
    urls_namespace="api-v1",
    auth=OsdiToken(),
    renderer=HalRenderer(),
    parser=JsonOnlyParser(),
    docs=Swagger(settings={"persistAuthorization": False}),
)
error_handlers_install(api)
idempotency_install(api)
api.add_router("", entry.router)
api.add_router("", people.router)
api.add_router("", taggings.router)
api.add_router("", "groundswell.api.groups.router")
api.add_router("", "groundswell.api.events.router")
api.add_router("", "groundswell.api.attendances.router")
