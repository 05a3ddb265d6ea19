"""Rate limits on the public write paths (decision 0013).

Fixed windows counted in Django's cache, which every web process shares (the file cache by
default, Redis with REDIS_URL). Limits live in settings:

    GROUNDSWELL_RATE_LIMITS = {"group.create": "5/h", "event.rsvp_guest": "20/m/client,5/h/key"}

A limit is `<count>/<period>[/<scope>]`; the period is s, m, h or d with an optional
multiplier ("10m", "2h"); several limits for one action are separated by commas and all of
them must pass. The scope says who shares a counter:

- none (the usual case): the client (the user id when signed in, else the IP address) plus
  the optional `key` the view passes;
- `client`: the client alone (the `key` is ignored);
- `key`: the `key` alone, whoever sends it (e.g. one email address on one event).

An action missing from the setting, or set to None, is unlimited; staff are never limited.
The client IP is REMOTE_ADDR unless settings.TRUSTED_PROXY_COUNT says how many proxies
in front of us append to X-Forwarded-For (never trust a header anyone can send).

Views call `rate_limit_consume` once per attempt and, when it answers False, show
`RATE_LIMITED_MESSAGE` on the form they re-render with status 429 (`RATE_LIMITED_STATUS`).
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.base import BaseCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from groundswell.core.policies import is_staff

logger = logging.getLogger(__name__)

RATE_LIMITED_STATUS = 429
RATE_LIMITED_MESSAGE = _(
    "You've done this too many times in a short while. Please wait a bit and try again; "
    "what you wrote is still here."
)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^(\d+)/(\d*)([smhd])(?:/(client|key))?$")
_SCOPES = ("", "client", "key")


@dataclass(frozen=True)
class Rate:
    count: int
    period: int  # seconds
    scope: str = ""  # "" (client and key), "client" or "key"


@lru_cache(maxsize=256)
def rate_parse(value: str) -> tuple[Rate, ...]:
    """ "30/10m" -> (Rate(30, 600),); "20/m/client,5/h/key" -> two rates. Raises
    ImproperlyConfigured for anything else (a typo must not switch a limit off)."""
    rates = []
    for part in value.split(","):
        match = _RATE.fullmatch(part.strip().lower())
        if match is None:
            raise ImproperlyConfigured(
                f"Rate limit {value!r}: write <count>/<period>[/client|/key], e.g. '5/h' or "
                "'30/10m' (periods: s, m, h, d)"
            )
        count, multiplier, unit, scope = match.groups()
        period = int(multiplier or 1) * _UNITS[unit]
        if period <= 0:
            raise ImproperlyConfigured(f"Rate limit {value!r}: the period must be positive")
        rates.append(Rate(count=int(count), period=period, scope=scope or ""))
    return tuple(rates)


def rate_limits_for(action: str) -> tuple[Rate, ...]:
    """The configured limits of an action; () when it is unlimited."""
    value = getattr(settings, "GROUNDSWELL_RATE_LIMITS", {}).get(action)
    return rate_parse(value) if value else ()


def client_ip(request: HttpRequest) -> str:
    """The caller's address. Each trusted proxy appends the address it got the request from
    to X-Forwarded-For, so with N proxies the client is the N-th entry from the right;
    anything further left was written by the client and is not believed."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: the header is missing or short, so it tells us nothing
        # reliable; the nearest address we know is the one that connected.
        return remote
    return forwarded[-proxies]


def _client(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def _cache_key(action: str, rate: Rate, client: str, key: str, window: int) -> str:
    if rate.scope == "client":
        who = client
    elif rate.scope == "key":
        who = f"key:{key}"
    else:
        who = f"{client}|{key}"
    # Hashed: short, safe for every backend, and no email address or IP in the cache.
    digest = hashlib.sha256(f"{action}|{rate.count}/{rate.period}|{who}".encode()).hexdigest()
    return f"rl:{action}:{digest[:32]}:{window}"


def _bump(cache_key: str, timeout: int) -> int:
    """Add one to a window's counter and return the new count."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    if type(cache).incr is BaseCache.incr:
        # Backends without their own incr (the file cache) emulate it with get + set at the
        # *default* timeout (300 s), which would end a 1-hour window early. Set it ourselves
        # with the window's own timeout (not atomic: concurrent hits may count once).
        count = int(cache.get(cache_key, 0)) + 1
        cache.set(cache_key, count, timeout)
        return count
    try:
        return cache.incr(cache_key)  # Redis, locmem: atomic, the expiry is kept
    except ValueError:
        pass
    if cache.add(cache_key, 1, timeout):
        return 1
    try:
        return cache.incr(cache_key)  # another process added it just now
    except ValueError:
        return 1


def _now() -> float:
    """The clock: a function, so tests can hold it at the start of a window."""
    return time.time()


def rate_limit_consume(
    *, request: HttpRequest, action: str, key: str = "", now: float | None = None
) -> bool:
    """Count one attempt at `action`; True if it is allowed, False if a limit is exceeded.

    Call it once per attempt, before doing the work. `key` narrows the counter (for example
    f"{event.pk}:{email}"); it is compared case-insensitively.
    """
    rates = rate_limits_for(action)
    if not rates or is_staff(getattr(request, "user", None)):
        return True
    now = _now() if now is None else now
    client = _client(request)
    key = key.strip().casefold()
    allowed = True
    for rate in rates:
        if rate.scope == "key" and not key:
            continue
        window = int(now // rate.period)
        # The counter outlives its window by a second at most: the window number is in
        # the key, so the next window starts from zero whatever the backend keeps.
        remaining = int((window + 1) * rate.period - now) + 1
        try:
            count = _bump(_cache_key(action, rate, client, key, window), remaining)
        except Exception:
            # A cache outage must not stop members from organizing: let the request
            # through and say so in the logs.
            logger.error("rate limit %s not checked: cache error", action, exc_info=True)
            continue
        if count > rate.count:
            allowed = False
    return allowed
