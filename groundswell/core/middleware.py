from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"
ENTRY_POINT = "/api/v1/"


class ApiPathNormalizeMiddleware:
    """API paths answer with or without a trailing slash, and a POST is never redirected.

    Clients written for Action Network mix both spellings; the API's routes are declared
    without the slash, so strip it here before URL resolution (CommonMiddleware's
    APPEND_SLASH would otherwise answer a 301 that drops POST bodies).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path == ENTRY_POINT.rstrip("/"):
            # The entry point is declared as /api/v1/; answer /api/v1 the same, unredirected.
            request.path_info = ENTRY_POINT
            request.path = request.path + "/"
        elif path.startswith(API_PREFIX) and path.endswith("/") and path != ENTRY_POINT:
            stripped = path.rstrip("/")
            request.path_info = stripped
            request.path = request.path[: len(request.path) - (len(path) - len(stripped))]
        return self.get_response(request)
