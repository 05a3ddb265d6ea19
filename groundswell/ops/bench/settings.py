"""Benchmark settings: production settings plus a bench-only URL configuration.

Only `make bench` uses this module. The differences from production are exactly these: a
hello-world ceiling URL and no account rate limits (all load comes from one IP address).
"""

from groundswell.settings import *  # noqa: F403

ROOT_URLCONF = "groundswell.ops.bench.urls"
ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]  # allauth: False disables them
