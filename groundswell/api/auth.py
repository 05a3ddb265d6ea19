"""`OSDI-API-Token` header authentication, as Action Network does it.

Any method other than GET/HEAD/OPTIONS is a write: a read-scoped token gets 403 there. The
check lives in the authenticator so no endpoint can forget it.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import APIKeyHeader

from groundswell.api.models import ApiToken
from groundswell.api.selectors import api_token_authenticate
from groundswell.api.services import api_token_touch

TOKEN_HEADER = "OSDI-API-Token"  # noqa: S105 - a header name, not a secret
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class OsdiToken(APIKeyHeader):
    param_name = TOKEN_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiToken:
        if not key:
            raise AuthenticationError(
                message=_("Send your API token in the %(header)s header.")
                % {"header": TOKEN_HEADER}
            )
        token = api_token_authenticate(key=key)
        if token is None:
            raise AuthenticationError(message=_("This API token is not valid or has been revoked."))
        if request.method not in SAFE_METHODS and token.scope != ApiToken.Scope.WRITE:
            raise AuthorizationError(message=_("This API token is read-only."))
        api_token_touch(token=token)
        return token


def api_actor(request: HttpRequest):
    """The staff member a request acts for (written to audit rows)."""
    return request.auth.user  # type: ignore[attr-defined]
