"""The anonymous page cache (core.pagecache), the GET language switch, and the pages that use
them: home, member profiles (invalidated by the account services), the event finder."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import path
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from PIL import Image

from groundswell.accounts.models import Profile, User
from groundswell.accounts.services import (
    account_delete,
    member_access_update,
    profile_photo_remove,
    profile_photo_set,
    profile_update,
)
from groundswell.accounts.testing import make_member
from groundswell.core import pagecache
from groundswell.core.pagecache import anonymous_cache, anonymous_cache_invalidate, path_only
from groundswell.urls import urlpatterns as production_urlpatterns

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

# --- A URLconf of small views around the decorator, plus every production URL -----------

CALLS: Counter[str] = Counter()


def _counted(name: str, request: HttpRequest) -> str:
    CALLS[name] += 1
    query = request.META.get("QUERY_STRING", "")
    return f"{name} lang={translation.get_language()} query={query} call={CALLS[name]}"


@anonymous_cache(60)
def plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_counted("plain", request), content_type="text/plain; charset=utf-8")


@anonymous_cache(60, key=path_only)
def by_path(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_counted("by_path", request))


@anonymous_cache(60)
def sets_cookie(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_counted("sets_cookie", request))
    response.set_cookie("flavour", "ginger")
    return response


@anonymous_cache(60)
def csrf_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_counted("csrf_form", request) + " token=" + get_token(request))


@anonymous_cache(60)
def session_write(request: HttpRequest) -> HttpResponse:
    request.session["seen"] = True
    return HttpResponse(_counted("session_write", request))


@anonymous_cache(60)
def flash(request: HttpRequest) -> HttpResponse:
    messages.info(request, "Hello")
    return HttpResponse(_counted("flash", request))


@anonymous_cache(60)
def nonce_used(request: HttpRequest) -> HttpResponse:
    nonce = request._csp_nonce  # type: ignore[attr-defined]
    return HttpResponse(_counted("nonce_used", request) + f" <script nonce={nonce}></script>")


@anonymous_cache(60)
def nonce_in_content(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_counted("nonce_in_content", request) + ' <script nonce="abc"></script>')


@anonymous_cache(60)
def not_found(request: HttpRequest) -> HttpResponse:
    _counted("not_found", request)
    raise Http404


@anonymous_cache(60)
def redirects(request: HttpRequest) -> HttpResponseRedirect:
    _counted("redirects", request)
    return HttpResponseRedirect("/")


@anonymous_cache(60)
def private(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_counted("private", request))
    patch_cache_control(response, private=True)
    return response


@anonymous_cache(60)
@never_cache
def no_store(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_counted("no_store", request))


urlpatterns = [
    path("t/plain/", plain),
    path("t/by-path/", by_path),
    path("t/sets-cookie/", sets_cookie),
    path("t/csrf/", csrf_form),
    path("t/session/", session_write),
    path("t/flash/", flash),
    path("t/nonce-used/", nonce_used),
    path("t/nonce-in-content/", nonce_in_content),
    path("t/not-found/", not_found),
    path("t/redirects/", redirects),
    path("t/private/", private),
    path("t/no-store/", no_store),
    *production_urlpatterns,
]


@pytest.fixture(autouse=True)
def _fresh():
    CALLS.clear()
    cache.clear()
    yield
    cache.clear()


def _anonymous() -> Client:
    return Client()


# --- The decorator --------------------------------------------------------------------------


def test_anonymous_miss_then_hit_replays_the_page_with_fresh_security_headers():
    client = _anonymous()
    first = client.get("/t/plain/")
    second = client.get("/t/plain/")
    assert first["X-Cache"] == "miss"
    assert second["X-Cache"] == "hit"
    assert CALLS["plain"] == 1
    assert second.content == first.content == b"plain lang=en query= call=1"
    assert second["Content-Type"] == "text/plain; charset=utf-8"
    # Middleware still runs around a hit.
    assert "script-src 'self'" in second["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"
    assert second["Content-Language"] == "en"
    assert "Cookie" in second["Vary"]
    assert "Accept-Language" in second["Vary"]
    assert not second.cookies


def test_the_cache_is_shared_between_anonymous_visitors():
    _anonymous().get("/t/plain/")
    assert _anonymous().get("/t/plain/")["X-Cache"] == "hit"
    assert CALLS["plain"] == 1


@pytest.mark.parametrize("persona", ["member", "other_member", "organizer", "hq"])
def test_signed_in_visitors_bypass_the_cache(request, persona):
    user = request.getfixturevalue(persona)
    _anonymous().get("/t/plain/")  # an anonymous copy is stored
    client = Client()
    client.force_login(user)
    response = client.get("/t/plain/")
    assert response["X-Cache"] == "bypass"
    assert response.content == b"plain lang=en query= call=2"
    client.get("/t/plain/")
    assert CALLS["plain"] == 3
    # ... and never write it: the anonymous copy is still the first one.
    assert _anonymous().get("/t/plain/").content == b"plain lang=en query= call=1"


def test_a_session_cookie_without_a_login_bypasses_the_cache():
    _anonymous().get("/t/plain/")
    client = _anonymous()
    client.cookies[settings.SESSION_COOKIE_NAME] = "whatever"
    assert client.get("/t/plain/")["X-Cache"] == "bypass"


def test_pending_flash_messages_bypass_the_cache():
    _anonymous().get("/t/plain/")
    client = _anonymous()
    client.cookies["messages"] = "anything"
    assert client.get("/t/plain/")["X-Cache"] == "bypass"


@pytest.mark.parametrize(
    "url",
    [
        "/t/sets-cookie/",
        "/t/csrf/",
        "/t/session/",
        "/t/flash/",
        "/t/nonce-used/",
        "/t/nonce-in-content/",
        "/t/not-found/",
        "/t/redirects/",
        "/t/private/",
        "/t/no-store/",
    ],
)
def test_responses_that_are_not_for_strangers_are_never_stored(url):
    name = url.split("/")[2].replace("-", "_")
    name = {"csrf": "csrf_form", "session": "session_write"}.get(name, name)
    for _ in range(2):
        response = _anonymous().get(url)
        assert response.get("X-Cache") != "hit"  # a raised Http404 carries none
    assert CALLS[name] == 2


def test_a_rendered_csrf_token_is_not_stored_even_when_the_visitor_has_the_cookie():
    # The token is tied to this visitor's cookie: a second visitor must never receive it.
    client = _anonymous()
    client.cookies[settings.CSRF_COOKIE_NAME] = "A" * 32
    first = client.get("/t/csrf/")
    second = _anonymous().get("/t/csrf/")
    assert first["X-Cache"] == second["X-Cache"] == "miss"
    assert first.content != second.content


def test_languages_are_cached_separately():
    english = _anonymous().get("/t/plain/")
    french_client = _anonymous()
    french_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french = french_client.get("/t/plain/")
    assert french["X-Cache"] == "miss"
    assert french.content == b"plain lang=fr query= call=2"
    assert french_client.get("/t/plain/").content == french.content
    assert _anonymous().get("/t/plain/").content == english.content
    by_header = _anonymous().get("/t/plain/", HTTP_ACCEPT_LANGUAGE="fr")
    assert by_header["X-Cache"] == "hit"
    assert by_header.content == french.content


def test_query_strings_are_cached_separately():
    assert _anonymous().get("/t/plain/?q=1").content == b"plain lang=en query=q=1 call=1"
    assert _anonymous().get("/t/plain/?q=2").content == b"plain lang=en query=q=2 call=2"
    hit = _anonymous().get("/t/plain/?q=1")
    assert hit["X-Cache"] == "hit"
    assert hit.content == b"plain lang=en query=q=1 call=1"


def test_path_only_pages_are_not_cached_with_a_query_string():
    _anonymous().get("/t/by-path/")
    with_query = _anonymous().get("/t/by-path/?utm_source=mail")
    assert with_query["X-Cache"] == "bypass"
    assert _anonymous().get("/t/by-path/")["X-Cache"] == "hit"


def test_invalidation_drops_every_language_and_query_string_of_the_path():
    french_client = _anonymous()
    french_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    _anonymous().get("/t/plain/")
    _anonymous().get("/t/plain/?q=1")
    french_client.get("/t/plain/")
    anonymous_cache_invalidate("/t/plain/")
    assert _anonymous().get("/t/plain/")["X-Cache"] == "miss"
    assert _anonymous().get("/t/plain/?q=1")["X-Cache"] == "miss"
    assert french_client.get("/t/plain/")["X-Cache"] == "miss"
    # ... and the page is cached again from the next render on.
    assert _anonymous().get("/t/plain/")["X-Cache"] == "hit"
    assert CALLS["plain"] == 6


def test_invalidation_leaves_pages_of_other_buckets_alone():
    bucket = pagecache._bucket_key("/t/plain/")
    elsewhere = next(
        p for p in (f"/members/{pk}/" for pk in range(1, 500)) if pagecache._bucket_key(p) != bucket
    )
    _anonymous().get("/t/plain/")
    anonymous_cache_invalidate(elsewhere)
    assert _anonymous().get("/t/plain/")["X-Cache"] == "hit"


INVALIDATE_DURING_RENDER = {"armed": False}


@anonymous_cache(60, key=path_only)
def changes_while_rendering(request: HttpRequest) -> HttpResponse:
    body = _counted("changes_while_rendering", request)
    if INVALIDATE_DURING_RENDER["armed"]:
        # A change commits while this (old) page is being rendered.
        INVALIDATE_DURING_RENDER["armed"] = False
        anonymous_cache_invalidate(request.path)
    return HttpResponse(body)


urlpatterns.insert(0, path("t/race/", changes_while_rendering))


def test_a_page_rendered_before_a_change_is_never_served_after_it():
    INVALIDATE_DURING_RENDER["armed"] = True
    stale = _anonymous().get("/t/race/")
    assert stale["X-Cache"] == "miss"
    fresh = _anonymous().get("/t/race/")
    assert fresh["X-Cache"] == "miss"
    assert fresh.content != stale.content
    assert _anonymous().get("/t/race/")["X-Cache"] == "hit"


def test_pages_expire(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(pagecache, "_clock", lambda: now[0])
    _anonymous().get("/t/plain/")
    now[0] += 59
    assert _anonymous().get("/t/plain/")["X-Cache"] == "hit"
    now[0] += 2
    assert _anonymous().get("/t/plain/")["X-Cache"] == "miss"


def test_memory_is_bounded_oldest_page_out_first(settings):
    settings.ANONYMOUS_PAGE_CACHE_BYTES = 80  # room for two of these small pages
    for query in ("a=1", "a=2", "a=3"):
        _anonymous().get(f"/t/plain/?{query}")
    assert _anonymous().get("/t/plain/?a=3")["X-Cache"] == "hit"
    assert _anonymous().get("/t/plain/?a=1")["X-Cache"] == "miss"


def test_a_cache_outage_costs_speed_not_the_page_and_serves_nothing_stale(monkeypatch, caplog):
    _anonymous().get("/t/plain/")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(pagecache.cache, "get", broken)
    for _ in range(2):
        response = _anonymous().get("/t/plain/")
        assert response.status_code == 200
        assert response["X-Cache"] == "miss"
    assert "Page cache token read failed" in caplog.text


def test_an_evicted_token_makes_the_pages_of_its_bucket_invalid():
    _anonymous().get("/t/plain/")
    cache.delete(pagecache._bucket_key("/t/plain/"))
    assert _anonymous().get("/t/plain/")["X-Cache"] == "miss"


# --- The language switch --------------------------------------------------------------------


@pytest.mark.parametrize("persona", [None, "member", "other_member", "hq"])
def test_language_switch_sets_the_cookie_like_set_language_and_goes_back(request, persona):
    client = Client()
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get("/language/", {"lang": "fr", "next": "/events/?near=10001"})
    assert response.status_code == 302
    assert response["Location"] == "/events/?near=10001"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "fr"
    assert cookie["path"] == settings.LANGUAGE_COOKIE_PATH
    assert cookie["samesite"] == settings.LANGUAGE_COOKIE_SAMESITE
    assert bool(cookie["secure"]) == settings.LANGUAGE_COOKIE_SECURE
    assert bool(cookie["httponly"]) == settings.LANGUAGE_COOKIE_HTTPONLY
    assert "no-store" in response["Cache-Control"]
    page = client.get("/")
    assert '<html lang="fr">' in page.content.decode()


@pytest.mark.parametrize("code", ["de", "", "fr-xx", "en;drop"])
def test_language_switch_ignores_unknown_languages(code):
    response = _anonymous().get("/language/", {"lang": code, "next": "/events/"})
    assert response.status_code == 302
    assert response["Location"] == "/events/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/path", "javascript:alert(1)", "http://[bad", ""],
)
def test_language_switch_refuses_to_redirect_off_site(next_url):
    response = _anonymous().get("/language/", {"lang": "fr", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


def test_language_switch_is_get_only():
    assert _anonymous().post("/language/", {"lang": "fr"}).status_code == 405


def test_footer_switcher_is_a_get_form_without_csrf_token():
    response = _anonymous().get("/events/?near=10001")
    page = response.content.decode()
    assert 'action="/language/" method="get"' in page
    assert '<select name="lang" id="language-select">' in page
    assert '<input name="next" type="hidden" value="/events/?near=10001">' in page
    assert "csrfmiddlewaretoken" not in page
    assert settings.CSRF_COOKIE_NAME not in response.cookies


def test_djangos_set_language_still_works():
    response = _anonymous().post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


# --- The pages ------------------------------------------------------------------------------


def test_home_page_is_cached_for_anonymous_visitors_and_a_hit_runs_no_query(
    django_assert_num_queries,
):
    assert _anonymous().get("/")["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = _anonymous().get("/")
    assert hit["X-Cache"] == "hit"
    assert b"Join now" in hit.content


def test_home_page_for_a_member_is_never_the_anonymous_copy(member_client):
    _anonymous().get("/")
    response = member_client.get("/")
    assert response["X-Cache"] == "bypass"
    assert b"Complete your profile" in response.content
    assert _anonymous().get("/")["X-Cache"] == "hit"
    assert b"Complete your profile" not in _anonymous().get("/").content


def test_event_finder_is_cached_for_anonymous_visitors_only(member_client):
    assert _anonymous().get("/events/?radius=25")["X-Cache"] == "miss"
    assert _anonymous().get("/events/?radius=25")["X-Cache"] == "hit"
    assert member_client.get("/events/?radius=25")["X-Cache"] == "bypass"


def _profile(user: User, **changes) -> Profile:
    values = {
        "display_name": "Maya M",
        "bio": "Organizer of block parties",
        "postal_code": "",
        "country": "US",
        "interests": [],
        "languages": [],
        "time_zone": "America/New_York",
        "privacy": Profile.Privacy.PUBLIC,
    }
    values.update(changes)
    return profile_update(user=user, **values)


@pytest.fixture
def public_member(member, django_capture_on_commit_callbacks) -> User:
    with django_capture_on_commit_callbacks(execute=True):
        _profile(member)
    return member


def _cached_profile(user: User, django_assert_num_queries) -> str:
    url = f"/members/{user.pk}/"
    assert _anonymous().get(url)["X-Cache"] == "miss"
    with django_assert_num_queries(0):
        hit = _anonymous().get(url)
    assert hit["X-Cache"] == "hit"
    return url


def _cached_profile_variant(url: str) -> str:
    _anonymous().get(url)
    assert _anonymous().get(url)["X-Cache"] == "hit"
    return url


def test_profile_made_private_is_gone_for_the_next_anonymous_visitor(
    public_member, django_capture_on_commit_callbacks, django_assert_num_queries
):
    url = _cached_profile(public_member, django_assert_num_queries)
    shared_link = _cached_profile_variant(url + "?utm_source=newsletter")
    french = _anonymous()
    french.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    french.get(url)
    assert french.get(url)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        _profile(public_member, privacy=Profile.Privacy.PRIVATE)
    assert _anonymous().get(url).status_code == 404
    assert _anonymous().get(shared_link).status_code == 404
    assert french.get(url).status_code == 404


def test_profile_made_private_through_the_edit_form_is_gone_at_once(
    public_member, django_assert_num_queries
):
    url = _cached_profile(public_member, django_assert_num_queries)
    owner = Client()
    owner.force_login(public_member)
    response = owner.post(
        "/members/me/edit/",
        {
            "display_name": "Maya M",
            "bio": "",
            "postal_code": "",
            "country": "US",
            "time_zone": "America/New_York",
            "privacy": "private",
        },
    )
    assert response.status_code == 302, response.content
    assert _anonymous().get(url).status_code == 404


def test_profile_edits_show_at_once(
    public_member, django_capture_on_commit_callbacks, django_assert_num_queries
):
    url = _cached_profile(public_member, django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):
        _profile(public_member, display_name="Maya the Organizer")
    assert b"Maya the Organizer" in _anonymous().get(url).content


def test_deactivated_member_is_gone_at_once(
    public_member, hq, django_capture_on_commit_callbacks, django_assert_num_queries
):
    url = _cached_profile(public_member, django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):
        member_access_update(
            user=public_member, staff_role="", is_active=False, is_superuser=False, actor=hq
        )
    assert _anonymous().get(url).status_code == 404


def test_deleted_account_is_gone_at_once(
    public_member, django_capture_on_commit_callbacks, django_assert_num_queries
):
    url = _cached_profile(public_member, django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=public_member, actor=public_member)
    assert _anonymous().get(url).status_code == 404


def _png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


def test_photo_changes_show_at_once(
    public_member, settings, tmp_path, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.MEDIA_ROOT = tmp_path / "media"
    url = _cached_profile(public_member, django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):
        profile_photo_set(user=public_member, upload=_png())
    assert b'class="avatar"' in _anonymous().get(url).content
    assert _anonymous().get(url)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        profile_photo_remove(user=public_member, actor=public_member)
    assert b'class="avatar"' not in _anonymous().get(url).content


def test_other_profiles_stay_cached_when_one_changes(
    public_member, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from groundswell.core.pagecache import _bucket_key

    # Pages share 64 invalidation buckets: pick a neighbor whose page is in another bucket
    # (ids differ from run to run, e.g. on PostgreSQL where sequences are not reset).
    own_bucket = _bucket_key(f"/members/{public_member.pk}/")
    for index in range(20):
        other = make_member(f"neighbor{index}@example.org", given_name="Nina", family_name="N")
        if _bucket_key(f"/members/{other.pk}/") != own_bucket:
            break
    with django_capture_on_commit_callbacks(execute=True):
        _profile(other, display_name="Nina N")
    other_url = _cached_profile(other, django_assert_num_queries)
    with django_capture_on_commit_callbacks(execute=True):
        _profile(public_member, privacy=Profile.Privacy.PRIVATE)
    assert _anonymous().get(other_url)["X-Cache"] == "hit"


def test_a_member_sees_their_own_private_profile_not_the_cache(public_member):
    _anonymous().get(f"/members/{public_member.pk}/")
    owner = Client()
    owner.force_login(public_member)
    response = owner.get(f"/members/{public_member.pk}/")
    assert response["X-Cache"] == "bypass"
    assert b"Edit profile" in response.content
