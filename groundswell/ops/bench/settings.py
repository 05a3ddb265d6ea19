"""Benchmark settings: production settings plus a bench-only URL configuration.

Only `make bench` uses this module. The differences from production are exactly these: a
hello-world ceiling URL, no account rate limits and no guest-RSVP rate limit (all load comes
from one IP address).
"""

from groundswell.settings import *  # noqa: F403

ROOT_URLCONF = "groundswell.ops.bench.urls"
ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]  # allauth: False disables them
# Every load-generator request comes from 127.0.0.1: a per-IP limit would measure the limiter.
GROUNDSWELL_RATE_LIMITS = {**GROUNDSWELL_RATE_LIMITS, "event.rsvp_guest": None}  # noqa: F405
