"""allauth hooks: mail leaves through the task queue; sign-up goes through our service."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from groundswell.accounts.models import User
from groundswell.accounts.services import member_finish_signup
from groundswell.core.mail import email_enqueue


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Same rendering as allauth, but delivered by a task after commit, never in the request.
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        email_enqueue(self.render_mail(template_prefix, email, ctx))

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        if not commit:
            return user
        # The language the form was filled in is the member's, until they choose another.
        return member_finish_signup(user=user, language=translation.get_language() or "")
