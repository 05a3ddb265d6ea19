"""Every API error is JSON: `{"error": "<message>", "details": ...}` (details optional).

Status codes: 400 malformed request (bad JSON, bad query parameter, unsupported filter, a
number or date out of range), 401 missing/invalid token, 403 read-only token on a write, 404
unknown resource or path, 405 method not allowed, 413 body over DATA_UPLOAD_MAX_MEMORY_SIZE,
415 body that is not JSON, 422 well-formed body that fails validation.

Every API response carries `Cache-Control: no-store` (`api_view`): they hold personal data.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import BaseModel

logger = logging.getLogger(__name__)

ERROR_CONTENT_TYPE = "application/json"
# The largest id a database row can have (a signed 64-bit integer); a larger one in a path
# names nothing, so it is a 404 before any query (SQLite would raise OverflowError).
MAX_ID = 2**63 - 1


class ErrorOut(BaseModel):
    """The shape of every error response."""

    error: str
    details: Any = None


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


class UnsupportedMediaType(Exception):
    """Raised by the body parser; ninja wraps it in a 400 that the handler turns into 415."""


def error_response(
    status: int, message: str, details: Any = None, *, headers: dict[str, str] | None = None
) -> HttpResponse:
    body: dict[str, Any] = {"error": str(message)}
    if details is not None:
        body["details"] = details
    response = HttpResponse(
        json.dumps(body, default=str),
        status=status,
        content_type=f"{ERROR_CONTENT_TYPE}; charset=utf-8",
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _field_path(loc: tuple | list) -> str:
    # ninja prefixes body errors with ("body", "<parameter name>"): callers only know their JSON.
    parts = [str(part) for part in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 1 else []
    elif parts and parts[0] in {"query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_details(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    details: dict[str, list[str]] = {}
    for error in errors:
        details.setdefault(_field_path(error.get("loc", ())), []).append(str(error.get("msg", "")))
    return details


def django_validation_details(exc: DjangoValidationError, field_names: dict[str, str]) -> Any:
    if hasattr(exc, "error_dict"):
        details: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            details.setdefault(field_names.get(name, name), []).extend(messages)
        return details
    return {"body": exc.messages}


def docs_url(request: HttpRequest) -> str:
    """The API reference this server serves (Swagger UI over its OpenAPI schema)."""
    return request.build_absolute_uri(reverse("api-v1:openapi-view"))


def _too_big() -> HttpResponse:
    return error_response(413, _("The request body is too large."))


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, UnsupportedMediaType):
        return error_response(415, str(exc.__cause__))
    if isinstance(exc.__cause__, RequestDataTooBig):
        return _too_big()
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return error_response(400, _("The request body is not valid JSON."))
    if isinstance(exc, AuthenticationError):
        message = str(exc) if str(exc) != "Unauthorized" else _("Authentication required.")
        return error_response(401, message, {"documentation": docs_url(request)})
    return error_response(exc.status_code, str(exc))


def _on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    in_body = any(tuple(error.get("loc", ()))[:1] == ("body",) for error in exc.errors)
    if in_body:
        return error_response(
            422, _("The request body is not valid."), validation_details(exc.errors)
        )
    return error_response(400, _("A query parameter is not valid."), validation_details(exc.errors))


def _on_django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return error_response(
        422, _("The request body is not valid."), django_validation_details(exc, {})
    )


def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.message, exc.details)


def _on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _too_big()


def _on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """The last guard for a number or date past what Python or the database holds (the
    endpoints check their own parameters first, with a message naming the field)."""
    logger.warning("out-of-range value on %s %s: %s", request.method, request.path, exc)
    return error_response(400, _("A number or date in the request is out of range."))


def _on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, _("Not found."))


def _on_exception(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, _("Something went wrong on our side. Nothing was saved."))


def error_handlers_install(api: NinjaAPI) -> None:
    api.add_exception_handler(HttpError, _on_http_error)  # type: ignore[arg-type]
    api.add_exception_handler(NinjaValidationError, _on_validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(DjangoValidationError, _on_django_validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(ApiError, _on_api_error)  # type: ignore[arg-type]
    api.add_exception_handler(RequestDataTooBig, _on_too_big)  # type: ignore[arg-type]
    api.add_exception_handler(OverflowError, _on_overflow)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, _on_404)  # type: ignore[arg-type]
    api.add_exception_handler(Exception, _on_exception)  # type: ignore[arg-type]


def api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps every URL callback of the API (OsdiApi._get_urls): an id in the path past what a
    row can have is a 404, ninja's bare 405 becomes JSON like every error, and no response is
    ever cached (they hold personal data)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if any(isinstance(value, int) and not 0 <= value <= MAX_ID for value in kwargs.values()):
            response = error_response(404, _("Not found."))
        else:
            response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            ERROR_CONTENT_TYPE
        ):
            response = error_response(
                405,
                _("Method %(method)s is not allowed here.") % {"method": request.method},
                headers={"Allow": response.get("Allow", "")},
            )
        add_never_cache_headers(response)
        return response

    wrapper.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapper


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any path under the API that matches no route: JSON, never Django's HTML page."""
    response = error_response(404, _("There is no API endpoint at this address."))
    add_never_cache_headers(response)
    return response


not_found_view.csrf_exempt = True  # type: ignore[attr-defined]
