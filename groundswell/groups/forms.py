"""Group forms. They check the shape of the input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from groundswell.groups.models import Group, GroupMembership
from groundswell.groups.selectors import DEFAULT_RADIUS, MAX_RADIUS, RADIUS_CHOICES


class ServiceErrorsMixin:
    """Put a service's ValidationError on the matching fields (else on the form)."""

    def add_service_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                target = field if field in self.fields else None  # type: ignore[attr-defined]
                for message in messages:
                    self.add_error(target, message)  # type: ignore[attr-defined]
        else:
            for message in error.messages:
                self.add_error(None, message)  # type: ignore[attr-defined]


class GroupFinderForm(forms.Form):
    near = forms.CharField(
        label=_("ZIP code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "size": 10}
        ),
    )
    radius = forms.TypedChoiceField(
        label=_("Within"),
        coerce=int,
        choices=[(r, _("%(miles)d miles") % {"miles": r}) for r in RADIUS_CHOICES],
        initial=DEFAULT_RADIUS,
        required=False,
        empty_value=None,
    )
    focus = forms.ChoiceField(
        label=_("Focus"),
        choices=[("", _("Any focus")), *Group.Focus.choices],
        required=False,
    )
    q = forms.CharField(
        label=_("Name or keywords"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        # A shared URL may carry any radius (`?radius=30`): accept it within bounds.
        if data is not None and data.get("radius", "").strip().isdigit():
            radius = int(data["radius"])
            if 1 <= radius <= MAX_RADIUS and radius not in RADIUS_CHOICES:
                kwargs.setdefault("extra_radius", radius)
        extra = kwargs.pop("extra_radius", None)
        super().__init__(data, **kwargs)
        if extra:
            field = self.fields["radius"]
            field.choices = sorted(  # type: ignore[attr-defined]
                [*field.choices, (extra, _("%(miles)d miles") % {"miles": extra})]  # type: ignore[attr-defined]
            )

    def clean_near(self) -> str:
        return " ".join(self.cleaned_data.get("near", "").split())


class GroupForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Group name"), max_length=120)
    focus = forms.ChoiceField(
        label=_("Focus"),
        choices=Group.Focus.choices,
        help_text=_("Neighborhood, campus, a district you organize in, or an issue."),
    )
    description = forms.CharField(
        label=_("What the group is about"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Plain text. Who should join, what you do, how often you meet."),
    )
    postal_code = forms.CharField(
        label=_("Home ZIP code"),
        max_length=20,
        help_text=_("Where most members live or meet; people searching nearby find the group."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        min_length=2,
        initial="US",
        help_text=_("Two-letter country code, such as US."),
        widget=forms.TextInput(attrs={"size": 2}),
    )
    meeting_area = forms.CharField(
        label=_("Public meeting area (optional)"),
        max_length=200,
        required=False,
        help_text=_(
            "A public place, such as “Main Street Library, downtown”. Never a home address."
        ),
    )


class PostForm(ServiceErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


class AnnouncementForm(ServiceErrorsMixin, forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Plain text. Every member who gets announcements receives it by email."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (GroupMembership.Role.CO_LEADER, GroupMembership.Role.CO_LEADER.label),
            (GroupMembership.Role.MEMBER, GroupMembership.Role.MEMBER.label),
        ],
    )
