"""Whole-page cache for anonymous visitors (docs/decisions/0007-anonymous-page-cache.md).

    @require_safe
    @anonymous_cache(60, key=path_only)
    def member_profile(request, user_id): ...

Who gets cached pages: a request is answered from the cache only when it carries no session
cookie and no messages cookie. Nothing on the page can then depend on who is asking, only on
the URL and the active language. Everyone else (signed in, or mid-way through a sign-up that
keeps state in the session) gets the view itself, and the cache is never read or written.

What is stored: a page is kept only when it is safe to hand to a stranger: a 200, fully
rendered, that sets no cookie and touched no per-visitor state (no CSRF token rendered, no
session write, no new flash message, no CSP nonce), and that is not marked private or
no-store. Otherwise it is served once and forgotten, so a page that gains a POST form later
silently stops being cached instead of leaking one visitor's CSRF token to the next.

Where: the pages themselves live in each web process's memory (a bounded LRU), so the
shared cache never fills with pages (the file cache keeps 300 entries and lists its folder
on every write; Redis runs `noeviction` next to the task queue). What is shared is a small
validity token per bucket of paths (BUCKETS of them). Every lookup reads the path's token
from the shared cache *before* the view reads the database, and a stored page is served
only while its token is still the current one.

Invalidation: `anonymous_cache_invalidate(path)` deletes the path's bucket token, in the
changing transaction and again after commit; every process's copies of every page in that
bucket (every language) stop matching. A render that read the old data before the commit
holds the old token, so it can't be served after the change either: no race window. A token
that is evicted or unreadable (cache outage) reads as "no page is valid": the cache fails
closed, towards rendering.

Responses carry `X-Cache: hit | miss | bypass` for observability.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)

# Bump to make every stored page invalid at once (new tokens everywhere).
NAMESPACE = "pagecache:v1"
# Shared tokens: one per bucket of paths. Invalidating a page drops 1/BUCKETS of all
# cached pages; more buckets would crowd the file cache's 300 entries.
BUCKETS = 64
# Memory for stored pages, per web process (settings.ANONYMOUS_PAGE_CACHE_BYTES overrides).
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
# Pages larger than this are not stored (one page must not push out hundreds).
MAX_PAGE_BYTES = 512 * 1024
# Headers of the view's response that are replayed on a hit; middleware adds the rest
# (security headers, CSP, Content-Language) to the hit as it does to any response.
STORED_HEADERS = ("Content-Type", "Content-Language", "Vary")
# Cache-Control directives that say "don't hand this to someone else".
_PRIVATE_DIRECTIVES = ("private", "no-store", "no-cache")
_clock = time.monotonic

KeyFunction = Callable[[HttpRequest], str | None]
View = Callable[..., HttpResponseBase]


def full_path(request: HttpRequest) -> str | None:
    """Key on the path and the query string: pages whose content depends on the query."""
    query = request.META.get("QUERY_STRING", "")
    return request.path_info + ("?" + query if query else "")


def path_only(request: HttpRequest) -> str | None:
    """Key on the path alone, and only cache requests without a query string.

    For pages that ignore their query string: `?utm_source=...` variants are rendered, not
    stored, so nobody can fill the cache with them.
    """
    if request.META.get("QUERY_STRING"):
        return None
    return request.path_info


# --- Shared tokens ----------------------------------------------------------------------------


def _bucket_key(path: str) -> str:
    """The token of the bucket of `path`: the same for the page with any query string and in
    any language, so invalidating the path reaches all of them."""
    bare = path.split("?", 1)[0]
    digest = hashlib.sha256(bare.encode("utf-8", "surrogateescape")).digest()
    return f"{NAMESPACE}:token:{int.from_bytes(digest[:4]) % BUCKETS}"


def _token(bucket_key: str) -> str | None:
    """The bucket's current token, created when missing; None when the cache can't say."""
    try:
        token = cache.get(bucket_key)
        if token is None:
            cache.add(bucket_key, secrets.token_hex(8), timeout=None)
            # Read back: another process may have added its own at the same moment.
            token = cache.get(bucket_key)
    except Exception:  # a cache outage costs speed, never the page
        logger.warning("Page cache token read failed", exc_info=True)
        return None
    return token if isinstance(token, str) else None


# --- This process's pages -----------------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    content: bytes
    headers: dict[str, str]
    token: str
    expires: float  # _clock()


class _LocalPages:
    """A thread-safe LRU of pages, bounded by their total size in bytes."""

    def __init__(self) -> None:
        self._pages: OrderedDict[tuple[str, str], _Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> _Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if page.expires <= _clock():
                self._drop(key)
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple[str, str], page: _Page) -> None:
        limit = getattr(settings, "ANONYMOUS_PAGE_CACHE_BYTES", DEFAULT_MAX_BYTES)
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = page
            self._bytes += len(page.content)
            while self._bytes > limit and self._pages:
                self._drop(next(iter(self._pages)))

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._bytes = 0

    def _drop(self, key: tuple[str, str]) -> None:
        self._bytes -= len(self._pages.pop(key).content)


_pages = _LocalPages()


# --- The decorator --------------------------------------------------------------------------


def _request_is_anonymous(request: HttpRequest) -> bool:
    """No cookie that can make the page differ for this visitor: the session (a login, or
    state kept for an anonymous visitor) and flash messages waiting to be shown."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
    )


def _response_is_shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """May this response, rendered for this anonymous visitor, be given to the next one?"""
    if response.status_code != 200 or response.streaming:
        return False
    if not getattr(response, "is_rendered", True):
        return False  # an unrendered TemplateResponse: not what would be sent
    if response.cookies or len(response.content) > MAX_PAGE_BYTES:
        return False
    # Cookies that middleware would set on the way out, decided by what the view did:
    # a rendered CSRF token (its cookie, and the token itself is tied to this visitor),
    # a session write, a new flash message.
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and getattr(messages, "added_new", False):
        return False
    # A CSP nonce is per response: a page that used one must not be replayed.
    if getattr(request, "_csp_nonce", None) or b'nonce="' in response.content:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(directive in cache_control for directive in _PRIVATE_DIRECTIVES):
        return False
    return "*" not in response.get("Vary", "")


def _response_from(page: _Page) -> HttpResponse:
    response = HttpResponse(page.content)
    for name, value in page.headers.items():
        response[name] = value
    return response


def anonymous_cache(seconds: int, *, key: KeyFunction = full_path) -> Callable[[View], View]:
    """Serve a GET view's page to anonymous visitors from the cache for up to `seconds`.

    `key(request)` names the page within a language (`full_path` by default, `path_only`
    for pages that ignore the query string); returning None skips the cache for that
    request. Put it under the method decorator (`@require_safe` first).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            language = translation.get_language()
            path = key(request) if request.method in ("GET", "HEAD") else None
            if (
                path is None
                or language not in {code for code, _name in settings.LANGUAGES}
                or not _request_is_anonymous(request)
            ):
                response = view(request, *args, **kwargs)
                response["X-Cache"] = "bypass"
                return response

            # Read before the view reads the database: a change committed after this
            # point replaces the token, so a page rendered from older data never matches.
            token = _token(_bucket_key(path))
            page_key = (language, path)
            page = _pages.get(page_key) if token is not None else None
            if page is not None and page.token == token:
                response = _response_from(page)
                response["X-Cache"] = "hit"
            else:
                response = view(request, *args, **kwargs)
                if (
                    token is not None
                    and request.method == "GET"
                    and isinstance(response, HttpResponse)
                    and _response_is_shareable(request, response)
                ):
                    headers = {n: response[n] for n in STORED_HEADERS if response.has_header(n)}
                    expires = _clock() + seconds
                    _pages.put(page_key, _Page(response.content, headers, token, expires))
                response["X-Cache"] = "miss"
            # The page differs for signed-in visitors; say so to any cache downstream.
            patch_vary_headers(response, ("Cookie",))
            return response

        return wrapped

    return decorator


def anonymous_cache_invalidate(path: str) -> None:
    """Make every stored copy of the page at `path` (as `reverse()` spells it: with any query
    string, in every language, in every process) invalid, and with it the other pages of
    its bucket.

    Call it inside the transaction that changes what the page shows: it acts at once and
    again after commit, so neither a page rendered before the change nor one rendered from
    the old data while the transaction was still open can be served afterwards.
    """
    prefix = get_script_prefix()
    if prefix != "/" and path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    bucket_key = _bucket_key(path)
    _token_delete(bucket_key)
    transaction.on_commit(lambda: _token_delete(bucket_key))


def _token_delete(bucket_key: str) -> None:
    try:
        cache.delete(bucket_key)
    except Exception:
        # Pages already stored stay valid until they expire (at most their `seconds`).
        logger.exception("Page cache invalidation failed (%s)", bucket_key)
