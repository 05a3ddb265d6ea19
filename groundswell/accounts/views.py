"""Member pages: profile, profile editing, account settings, data export, account deletion."""

from __future__ import annotations

import json

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from groundswell.accounts.forms import AccountDeleteForm, ProfileForm
from groundswell.accounts.models import User
from groundswell.accounts.selectors import account_export, profile_for_owner, profile_page
from groundswell.accounts.services import (
    account_delete,
    account_export_log,
    profile_photo_remove,
    profile_photo_set,
    profile_update,
)
from groundswell.core.pagecache import anonymous_cache


class MemberRequest(HttpRequest):
    """The request of a login_required view: its user is a signed-in member."""

    user: User


@require_safe
@anonymous_cache(60)  # accounts.services invalidates it on every change it shows
def member_profile(request: HttpRequest, user_id: int) -> HttpResponse:
    profile = profile_page(viewer=request.user, user_id=user_id)
    is_owner = request.user.is_authenticated and request.user.pk == profile.user_id
    return render(
        request, "accounts/profile_detail.html", {"profile": profile, "is_owner": is_owner}
    )


@require_GET
@login_required
def my_profile(request: MemberRequest) -> HttpResponse:
    return redirect("member_profile", user_id=request.user.pk)


@require_http_methods(["GET", "POST"])
@login_required
def profile_edit(request: MemberRequest) -> HttpResponse:
    profile = profile_for_owner(user=request.user)
    if request.method != "POST":
        form = ProfileForm(profile=profile)
        return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})

    form = ProfileForm(request.POST, request.FILES, profile=profile)
    if form.is_valid():
        data = form.cleaned_data
        try:
            profile = profile_update(
                user=request.user,
                display_name=data["display_name"],
                bio=data["bio"],
                postal_code=data["postal_code"],
                country=data["country"],
                interests=data["interests"],
                languages=data["languages"],
                time_zone=data["time_zone"],
                privacy=data["privacy"],
                given_name=data.get("given_name") if form.has_person else None,
                family_name=data.get("family_name") if form.has_person else None,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            try:
                if data.get("photo"):
                    profile_photo_set(user=request.user, upload=data["photo"])
                elif data.get("remove_photo"):
                    profile_photo_remove(user=request.user)
            except ValidationError as error:
                # The rest was saved; say so, and ask for another photo.
                form.add_service_error(error)
                messages.info(request, _("Your other changes were saved."))
            else:
                messages.success(request, _("Your profile was saved."))
                return redirect("member_profile", user_id=request.user.pk)
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


@require_GET
@login_required
def account_settings(request: MemberRequest) -> HttpResponse:
    return render(request, "accounts/account_settings.html")


@require_GET
@login_required
@never_cache
def account_export_download(request: MemberRequest) -> HttpResponse:
    account_export_log(user=request.user)
    data = account_export(user=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    filename = f"groundswell-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def account_delete_confirm(request: MemberRequest) -> HttpResponse:
    user = request.user
    if request.method != "POST":
        form = AccountDeleteForm(user=user)
        return render(request, "accounts/account_delete.html", {"form": form})

    form = AccountDeleteForm(request.POST, user=user)
    # Guessing the password here is rate limited like allauth's own re-authentication.
    if not ratelimit.consume(request, action="reauthenticate", user=user):
        form.add_error(None, _("Too many attempts. Wait a minute and try again."))
        return render(request, "accounts/account_delete.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "accounts/account_delete.html", {"form": form})
    account_delete(user=user, actor=user)
    logout(request)
    messages.success(request, _("Your account was deleted and your personal data erased."))
    return redirect("home")
