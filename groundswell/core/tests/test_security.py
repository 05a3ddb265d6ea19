from __future__ import annotations

import pytest

from groundswell.core.sanitize import html_sanitize

pytestmark = pytest.mark.django_db


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_home_page_renders_for_anonymous_visitors(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get("/")
    assert response.status_code == 200
    assert b"Skip to main content" in response.content


def test_sanitizer_keeps_formatting_and_drops_scripts():
    dirty = '<p onclick="x()">Hi <strong>you</strong><script>alert(1)</script><a href="javascript:x">l</a></p>'
    clean = html_sanitize(dirty)
    assert "<strong>you</strong>" in clean
    assert "script" not in clean
    assert "onclick" not in clean
    assert "javascript:" not in clean


def test_csrf_is_enforced_on_site_forms():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/i18n/setlang/", {"language": "fr"})
    assert response.status_code == 403


def test_language_switch_to_french(client):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_argon2_is_the_production_hasher(settings):
    # Tests put a cheap hasher first; everything after it is what production uses.
    production = [name for name in settings.PASSWORD_HASHERS if "MD5" not in name]
    assert production[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize("path", ["/api/v1", "/api/v1/"])
def test_api_entry_point_answers_with_and_without_slash(client, path):
    response = client.get(path)
    assert response.status_code != 301
    assert response.status_code in (200, 401)
