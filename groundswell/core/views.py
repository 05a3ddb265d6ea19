from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from groundswell.core.health import database_health, schedules_health, task_queue_health
from groundswell.core.languages import language_chosen
from groundswell.core.pagecache import anonymous_cache


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = database_health()
    tasks = task_queue_health()
    healthy = database["ok"] and tasks["ok"]
    schedules = schedules_health() if healthy else {}
    status = "error" if not healthy else "ok"
    if healthy and not all(check["ok"] for check in schedules.values()):
        status = "degraded"  # alert on it; the web server itself still serves
    return JsonResponse(
        {"status": status, "database": database, "tasks": tasks, "schedules": schedules},
        status=200 if healthy else 503,
    )


@require_GET
@anonymous_cache(60)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


@require_GET
@never_cache
def language_switch(request: HttpRequest) -> HttpResponseRedirect:
    """`/language/?lang=fr&next=/events/`: remember the language, go back to the page.

    The footer's switcher is a GET form so that public pages hold no CSRF token and can be
    cached for anonymous visitors (decision 0007). Choosing a language is the visitor's own
    harmless preference, so a GET that sets it is acceptable; the cookie is set exactly as
    Django's set_language sets it, and `next` must be a page of this site. A signed-in
    member's choice is also kept on their Person (by the hooks apps register in
    core.languages), so their mail follows it (decision 0012); an anonymous visitor's isn't.
    """
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        url=next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    code = request.GET.get("lang", "")
    if code not in {language for language, _name in settings.LANGUAGES}:
        return HttpResponseRedirect(next_url)
    if request.user.is_authenticated:
        language_chosen(user=request.user, language=code)
    response = HttpResponseRedirect(translate_url(next_url, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,  # type: ignore[arg-type]  # a str setting
    )
    return response
