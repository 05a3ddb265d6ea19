from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from groundswell.core.health import database_health, task_queue_health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    database = database_health()
    tasks = task_queue_health()
    healthy = database["ok"] and tasks["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "tasks": tasks},
        status=200 if healthy else 503,
    )


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")
