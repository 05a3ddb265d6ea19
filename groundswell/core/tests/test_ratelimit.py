"""core.ratelimit: the limit parser, fixed windows, who shares a counter (user, IP, key),
staff, and X-Forwarded-For only behind a configured number of proxies. The root conftest
empties the cache around every test, so counters never leak between tests."""

from __future__ import annotations

import logging
import time

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from groundswell.core.ratelimit import Rate, client_ip, rate_limit_consume, rate_parse

HOUR = 3600
# A moment at the very start of an hour window, so `now + n` stays in the same window.
T0 = 1_000 * HOUR


def _request(ip: str = "203.0.113.7", *, user=None, forwarded: str | None = None) -> HttpRequest:
    request = RequestFactory().post("/", REMOTE_ADDR=ip)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    request.user = user or AnonymousUser()
    return request


def _consume_many(request: HttpRequest, times: int, *, action: str = "t", **kwargs) -> list[bool]:
    return [
        rate_limit_consume(request=request, action=action, now=T0 + i, **kwargs)
        for i in range(times)
    ]


@pytest.fixture
def limits(settings):
    """Set GROUNDSWELL_RATE_LIMITS for one test: limits(t="2/h")."""

    def set_limits(**values: str | None) -> None:
        settings.GROUNDSWELL_RATE_LIMITS = values

    return set_limits


# --- The parser ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5/h", (Rate(5, HOUR),)),
        ("30/10m", (Rate(30, 600),)),
        ("20/m", (Rate(20, 60),)),
        ("10/d", (Rate(10, 86400),)),
        ("3/45s", (Rate(3, 45),)),
        (" 2/2H ", (Rate(2, 2 * HOUR),)),
        ("0/h", (Rate(0, HOUR),)),
        ("20/m/client,5/h/key", (Rate(20, 60, "client"), Rate(5, HOUR, "key"))),
    ],
)
def test_limits_are_parsed(value, expected):
    assert rate_parse(value) == expected


@pytest.mark.parametrize(
    "value", ["5", "5/", "/h", "five/h", "5/w", "5/0m", "5/h/ip", "5/h,", "-1/h", "5 per hour"]
)
def test_a_malformed_limit_is_an_error_not_unlimited(value):
    with pytest.raises(ImproperlyConfigured):
        rate_parse(value)


def test_the_configured_limits_parse_and_match_production():
    """The test settings keep production's limits, so view tests exercise the real ones."""
    configured = django_settings.GROUNDSWELL_RATE_LIMITS
    for value in configured.values():
        if value:
            rate_parse(value)
    assert configured["group.create"] == "5/h"
    assert configured["group.post"] == "30/10m"
    assert configured["group.announce"] == "10/d"
    assert configured["event.create"] == "10/h"
    assert configured["event.message"] == "10/h"
    assert configured["event.rsvp_guest"] == "20/m/client,5/h/key"


def test_an_action_left_out_or_set_to_none_is_unlimited(limits):
    limits(off=None)
    request = _request()
    assert all(_consume_many(request, 100, action="off"))
    assert all(_consume_many(request, 100, action="not.configured"))


# --- Windows ---------------------------------------------------------------------------------


def test_the_count_plus_one_attempt_in_a_window_is_refused(limits):
    limits(t="3/h")
    assert _consume_many(_request(), 5) == [True, True, True, False, False]


def test_a_new_window_starts_from_zero(limits):
    limits(t="2/h")
    request = _request()
    assert _consume_many(request, 3) == [True, True, False]
    assert rate_limit_consume(request=request, action="t", now=T0 + HOUR - 1) is False
    assert rate_limit_consume(request=request, action="t", now=T0 + HOUR) is True
    assert rate_limit_consume(request=request, action="t", now=T0 + HOUR + 5) is True
    assert rate_limit_consume(request=request, action="t", now=T0 + HOUR + 6) is False


def test_actions_are_counted_apart(limits):
    limits(a="1/h", b="1/h")
    request = _request()
    assert rate_limit_consume(request=request, action="a", now=T0) is True
    assert rate_limit_consume(request=request, action="b", now=T0) is True
    assert rate_limit_consume(request=request, action="a", now=T0) is False


def test_the_counter_expires_with_its_window_not_before(limits):
    limits(t="1/m")
    request = _request()
    now = time.time()
    assert rate_limit_consume(request=request, action="t", now=now) is True
    (key,) = [k for k in cache._cache if ":rl:t:" in k]  # type: ignore[attr-defined]
    expires = cache._expire_info[key]  # type: ignore[attr-defined]
    window_end = (int(now // 60) + 1) * 60
    assert window_end <= expires <= window_end + 2


def test_a_file_cache_keeps_the_window_past_its_default_timeout(limits, tmp_path):
    """The file cache's incr re-sets a key at the cache's default timeout: a 1-hour window
    must not end when that (here 1 second) runs out."""
    limits(t="2/h")
    file_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
            "TIMEOUT": 1,
        }
    }
    with override_settings(CACHES=file_cache):
        request = _request()
        now = time.time()
        assert rate_limit_consume(request=request, action="t", now=now) is True
        assert rate_limit_consume(request=request, action="t", now=now) is True
        time.sleep(1.2)
        assert rate_limit_consume(request=request, action="t", now=now) is False


def test_a_cache_outage_lets_the_request_through_and_logs(limits, monkeypatch, caplog):
    limits(t="1/h")

    def broken(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(cache, "incr", broken)
    monkeypatch.setattr(cache, "add", broken)
    monkeypatch.setattr(cache, "get", broken)
    with caplog.at_level(logging.WARNING, logger="groundswell.core.ratelimit"):
        assert _consume_many(_request(), 3) == [True, True, True]
    assert "rate limit t not checked" in caplog.text


# --- Who shares a counter ----------------------------------------------------------------------


def test_anonymous_visitors_are_counted_per_ip(limits, db):
    limits(t="1/h")
    assert _consume_many(_request("203.0.113.1"), 2) == [True, False]
    assert _consume_many(_request("203.0.113.2"), 2) == [True, False]


def test_a_signed_in_member_is_counted_per_user_whatever_the_ip(limits, member, other_member):
    limits(t="2/h")
    assert rate_limit_consume(request=_request("203.0.113.1", user=member), action="t", now=T0)
    assert rate_limit_consume(request=_request("198.51.100.9", user=member), action="t", now=T0)
    assert not rate_limit_consume(request=_request("192.0.2.4", user=member), action="t", now=T0)
    # Another member on the same network has their own counter; so does an anonymous visitor.
    assert rate_limit_consume(request=_request("203.0.113.1", user=other_member), action="t")
    assert rate_limit_consume(request=_request("203.0.113.1"), action="t", now=T0)


def test_staff_are_never_limited(limits, organizer, hq):
    limits(t="1/h")
    assert organizer.is_staff and hq.is_staff
    assert all(_consume_many(_request(user=organizer), 20))
    assert all(_consume_many(_request(user=hq), 20))


def test_the_extra_key_narrows_the_counter(limits):
    limits(t="1/h")
    request = _request()
    assert _consume_many(request, 2, key="event-1") == [True, False]
    assert _consume_many(request, 2, key="event-2") == [True, False]


def test_client_and_key_scopes(limits):
    """Guest RSVPs: 2 per IP whatever the email, 1 per email on an event whatever the IP."""
    limits(t="2/h/client,1/h/key")
    first_ip, second_ip = _request("203.0.113.1"), _request("203.0.113.2")
    assert rate_limit_consume(request=first_ip, action="t", key="7:a@example.org", now=T0)
    # Same email and event from another IP: the key's counter is spent.
    assert not rate_limit_consume(request=second_ip, action="t", key="7:A@Example.org", now=T0)
    # Another email from the first IP: its second attempt this hour, allowed...
    assert rate_limit_consume(request=first_ip, action="t", key="7:b@example.org", now=T0)
    # ...a third is over the per-IP limit even with a fresh email.
    assert not rate_limit_consume(request=first_ip, action="t", key="7:c@example.org", now=T0)


# --- The client's address -----------------------------------------------------------------------


def test_x_forwarded_for_is_ignored_without_trusted_proxies(settings, limits):
    settings.TRUSTED_PROXY_COUNT = 0
    limits(t="1/h")
    assert client_ip(_request("10.0.0.5", forwarded="203.0.113.9")) == "10.0.0.5"
    # A client forging a new X-Forwarded-For on each request still shares one counter.
    assert rate_limit_consume(request=_request("10.0.0.5", forwarded="1.1.1.1"), action="t")
    assert not rate_limit_consume(request=_request("10.0.0.5", forwarded="2.2.2.2"), action="t")


def test_x_forwarded_for_behind_one_proxy(settings, limits):
    settings.TRUSTED_PROXY_COUNT = 1
    limits(t="1/h")
    # The proxy appends the address it saw; anything to its left was sent by the client.
    assert client_ip(_request("10.0.0.5", forwarded="203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.5", forwarded="6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert rate_limit_consume(request=_request("10.0.0.5", forwarded="203.0.113.1"), action="t")
    assert rate_limit_consume(request=_request("10.0.0.5", forwarded="203.0.113.2"), action="t")
    assert not rate_limit_consume(
        request=_request("10.0.0.5", forwarded="9.9.9.9, 203.0.113.1"), action="t"
    )


def test_x_forwarded_for_behind_two_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = _request("10.0.0.5", forwarded="6.6.6.6, 203.0.113.9, 10.0.0.2")
    assert client_ip(request) == "203.0.113.9"
    # A header shorter than the proxy chain says nothing reliable: the peer's address.
    assert client_ip(_request("10.0.0.5", forwarded="203.0.113.9")) == "10.0.0.5"
    assert client_ip(_request("10.0.0.5")) == "10.0.0.5"
