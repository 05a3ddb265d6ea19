"""The `Idempotency-Key` header on API POSTs, with Stripe's semantics (decision 0021).

A POST that carries the header runs once per key: its status and body are stored (for the
token's owner, the method and the path), and the same key again answers them again with
`Idempotent-Replayed: true`, running nothing. The same key with a different body is a 422;
a key whose first request is still running is a 409; a key that is empty or longer than 255
characters is a 400. Answers of 500 and above are not stored: the claim is released, so a
retry runs again.

`idempotency_install(api)` adds two ninja decorators to every operation:

- around the view function (ninja's "operation" mode: after authentication and after the
  body was parsed and validated), the key is claimed, or the stored answer returned. So
  requests refused before the view runs (401, 403, 400, 415, 422) claim and store nothing,
  as Stripe stores nothing for a request that failed validation;
- around the whole operation ("view" mode), the final response, errors included, is stored
  or the claim released.

The work's services own their transactions, so the answer is stored just after the work
commits: a process killed in between leaves the key claimed, and a retry after the lease
(`core.idempotency.DEFAULT_LEASE`) runs the work again. Services whose work must never run
twice (money) take the key themselves, inside their transaction.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from groundswell.api.errors import error_response
from groundswell.api.models import ApiToken
from groundswell.core.idempotency import (
    KEY_MAX_LENGTH,
    SCOPE_MAX_LENGTH,
    Claim,
    IdempotencyClaimLost,
    IdempotencyInFlight,
    IdempotencyKeyInvalid,
    IdempotencyMismatch,
    JsonObject,
    idempotency_claim,
    idempotency_complete,
    idempotency_release,
    request_fingerprint,
)

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
METHODS = frozenset({"POST"})
# Answers at or above this status are not stored: the retry runs again.
FIRST_UNSTORED_STATUS = 500
# Where the claim waits on the request between the two decorators.
_CLAIM_ATTRIBUTE = "_groundswell_idempotency_claim"


def _scope(request: HttpRequest, token: ApiToken) -> str:
    """Keys belong to the token's owner (a retry sent after rotating the token still
    replays) and to the method and path (the same key on another endpoint is another key)."""
    scope = f"api:user:{token.user_id}:{request.method} {request.path_info}"
    if len(scope) > SCOPE_MAX_LENGTH:
        path_hash = hashlib.sha256(request.path_info.encode()).hexdigest()
        scope = f"api:user:{token.user_id}:{request.method} sha256:{path_hash}"
    return scope


def _fingerprint(request: HttpRequest) -> str:
    """The body as canonical JSON (the same object with its keys in another order or other
    spacing is the same request) and the query string; a body that is not JSON as bytes."""
    try:
        body: Any = json.loads(request.body) if request.body else None
    except ValueError:
        body = {"sha256": hashlib.sha256(request.body).hexdigest()}
    query = sorted((name, sorted(values)) for name, values in request.GET.lists())
    return request_fingerprint({"body": body, "query": query})


def _stored(response: HttpResponseBase) -> JsonObject | None:
    """What a replay needs of this response, or None if it must not be stored."""
    if response.status_code >= FIRST_UNSTORED_STATUS or not isinstance(response, HttpResponse):
        return None
    try:
        body = response.content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return {
        "status": response.status_code,
        "content_type": response.get("Content-Type", ""),
        "body": body,
    }


def _replay(result: JsonObject | None) -> HttpResponse:
    stored = result or {}
    response = HttpResponse(
        stored.get("body", ""),
        status=stored.get("status", 200),
        content_type=stored.get("content_type") or None,
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _claim_or_answer(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Around the view function: claim the key, or answer without running the view."""

    @wraps(view_func)
    def claim_first(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        token = getattr(request, "auth", None)
        if key is None or request.method not in METHODS or not isinstance(token, ApiToken):
            return view_func(request, *args, **kwargs)
        try:
            claim = idempotency_claim(
                scope=_scope(request, token), key=key, fingerprint=_fingerprint(request)
            )
        except IdempotencyKeyInvalid:
            return error_response(
                400,
                _("The %(header)s header must be 1 to %(max)s printable characters.")
                % {"header": HEADER, "max": KEY_MAX_LENGTH},
            )
        except IdempotencyMismatch:
            return error_response(
                422,
                _(
                    "This %(header)s was already used with a different request. Use a new "
                    "key for a new request."
                )
                % {"header": HEADER},
            )
        except IdempotencyInFlight:
            return error_response(
                409,
                _(
                    "A request with this %(header)s is still being processed. Retry in a "
                    "few seconds."
                )
                % {"header": HEADER},
            )
        if claim.replayed:
            return _replay(claim.result)
        setattr(request, _CLAIM_ATTRIBUTE, claim)
        return view_func(request, *args, **kwargs)

    return claim_first


def _settle(claim: Claim, response: HttpResponseBase) -> None:
    result = _stored(response)
    try:
        if result is None:
            idempotency_release(claim=claim)
        else:
            idempotency_complete(claim=claim, result=result)
    except IdempotencyClaimLost:
        # It ran longer than the lease and a retry took the key over: that retry's answer
        # will be the stored one. This client still gets the answer of the work it did.
        logger.warning("idempotency key %r lost its claim before its answer was stored", claim.key)
    except DatabaseError:
        # The work is done and committed: answer it. The key stays claimed; a retry gets a
        # 409 until the lease passes, then runs again.
        logger.exception("could not store the answer for idempotency key %r", claim.key)


def _store_answer(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Around the whole operation: store the final answer under the claim, or release it."""

    @wraps(run)
    def store_after(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            claim = request.__dict__.pop(_CLAIM_ATTRIBUTE, None)
            if claim is not None:
                idempotency_release(claim=claim)
            raise
        claim = request.__dict__.pop(_CLAIM_ATTRIBUTE, None)
        if claim is not None:
            _settle(claim, response)
        return response

    return store_after


def idempotency_install(api: NinjaAPI) -> None:
    """Honour `Idempotency-Key` on every POST of this API."""
    api.add_decorator(_claim_or_answer, mode="operation")
    api.add_decorator(_store_answer, mode="view")


def idempotency_openapi(schema: Any) -> None:
    """Declare the header, and the 409 it can answer, on every POST of the schema."""
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            if method.upper() not in METHODS:
                continue
            parameters = operation.setdefault("parameters", [])
            if any(parameter["name"] == HEADER for parameter in parameters):
                continue  # already declared (the schema object was reused)
            parameters.append(
                {
                    "in": "header",
                    "name": HEADER,
                    "required": False,
                    "description": (
                        "Any unique string (a UUID): a retry with the same key and body "
                        "answers the first response again instead of running twice."
                    ),
                    "schema": {"type": "string", "maxLength": KEY_MAX_LENGTH},
                }
            )
            # ninja keys responses by int status; JSON makes them strings.
            responses = {int(status): status for status in operation["responses"]}
            if 422 in responses and 409 not in responses:
                operation["responses"][409] = {
                    **operation["responses"][responses[422]],
                    "description": "Conflict: a request with this Idempotency-Key is in flight",
                }
