"""Staff pages: list, create (the token is shown once) and revoke API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from groundswell.api.forms import ApiTokenCreateForm
from groundswell.api.policies import api_token_for_manager, api_tokens_manage_allowed
from groundswell.api.selectors import api_token_list
from groundswell.api.services import api_token_create, api_token_revoke


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    if not api_tokens_manage_allowed(request.user):
        raise Http404
    form = ApiTokenCreateForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = api_token_create(
                user=form.cleaned_data["user"],
                scope=form.cleaned_data["scope"],
                name=form.cleaned_data["name"],
                created_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Rendered, not redirected: the token exists only in this response, which
            # never_cache keeps out of every cache.
            return render(request, "api/api_token_created.html", {"token": token, "secret": secret})
    return render(
        request,
        "api/api_tokens.html",
        {"form": form, "tokens": api_token_list()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = api_token_for_manager(request.user, token_id)
    api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("api_tokens")
