"""RSVP forms: a member's one-step RSVP, and a guest's with name, email and ZIP code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from groundswell.events.models import Event
from groundswell.geo.selectors import postal_code_find


class MemberRsvpForm(forms.Form):
    """A signed-in member's one-step RSVP: only the shift, when there are several."""

    shift = forms.IntegerField(required=False, widget=forms.HiddenInput)
    ref = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    source = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)


class GuestRsvpForm(MemberRsvpForm):
    """A visitor without an account: name, email and ZIP make (or match) their record."""

    given_name = forms.CharField(
        label=gettext_lazy("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label=gettext_lazy("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy("We'll email you the details and a link to cancel."),
    )
    postal_code = forms.CharField(
        label=gettext_lazy("ZIP code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        self.event = event
        super().__init__(*args, **kwargs)

    def clean_postal_code(self) -> str:
        code = self.cleaned_data["postal_code"].strip().upper()
        country = self.event.country or "US"
        if postal_code_find(country=country, code=code) is None:
            raise ValidationError(
                _("We don't know the ZIP code “%(code)s”. Check it and try again."),
                code="unknown_postal_code",
                params={"code": code},
            )
        return code
