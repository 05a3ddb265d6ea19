"""Member-facing forms. They validate input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from groundswell.accounts.models import Profile, User
from groundswell.accounts.photos import ACCEPT, photo_check
from groundswell.accounts.services import time_zones_available

# Shown first in the time zone list: the zones of the 50 states and the territories.
COMMON_US_TIME_ZONES = (
    ("America/New_York", _("Eastern Time (New York)")),
    ("America/Chicago", _("Central Time (Chicago)")),
    ("America/Denver", _("Mountain Time (Denver)")),
    ("America/Phoenix", _("Mountain Time, no daylight saving (Phoenix)")),
    ("America/Los_Angeles", _("Pacific Time (Los Angeles)")),
    ("America/Anchorage", _("Alaska Time (Anchorage)")),
    ("Pacific/Honolulu", _("Hawaii Time (Honolulu)")),
    ("America/Puerto_Rico", _("Atlantic Time (Puerto Rico)")),
    ("Pacific/Guam", _("Chamorro Time (Guam)")),
    ("Pacific/Pago_Pago", _("Samoa Time (Pago Pago)")),
)


def time_zone_choices() -> list[tuple[Any, Any]]:
    common = [(zone, label) for zone, label in COMMON_US_TIME_ZONES]
    others = [(zone, zone.replace("_", " ")) for zone in sorted(time_zones_available())]
    return [(_("United States"), common), (_("All time zones"), others)]


class ProfileForm(forms.Form):
    given_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    family_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        required=False,
        help_text=_("Only its first letter is shown on your profile."),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        required=False,
        help_text=_(
            "The name other members see. Leave it blank to show your first name and last initial."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_(
            "JPEG, PNG, WebP or GIF, up to %(size)s MB. We remove location and camera details."
        ),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)
    bio = forms.CharField(
        label=_("Short bio"),
        max_length=1000,
        required=False,
        help_text=_("Plain text, up to 1,000 characters."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    postal_code = forms.CharField(
        label=_("ZIP code"),
        max_length=20,
        required=False,
        help_text=_("Others see only your city, never your address."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    country = forms.CharField(
        label=_("Country"),
        max_length=2,
        min_length=2,
        initial="US",
        help_text=_("Two-letter country code, such as US."),
        widget=forms.TextInput(attrs={"autocomplete": "country", "size": 2}),
    )
    interests = forms.MultipleChoiceField(
        label=_("What would you like to help with?"),
        choices=Profile.Interest.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=Profile.Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    privacy = forms.ChoiceField(
        label=_("Who can see your profile?"),
        choices=Profile.Privacy.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, profile: Profile, **kwargs: Any) -> None:
        person = profile.user.person
        kwargs.setdefault(
            "initial",
            {
                "given_name": person.given_name if person else "",
                "family_name": person.family_name if person else "",
                "display_name": profile.display_name,
                "bio": profile.bio,
                "postal_code": profile.postal_code,
                "country": profile.country or "US",
                "interests": profile.interests,
                "languages": profile.languages,
                "time_zone": profile.time_zone,
                "privacy": profile.privacy,
            },
        )
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        limit_mb = settings.PROFILE_PHOTO_MAX_BYTES / (1024 * 1024)
        self.fields["photo"].help_text = self.fields["photo"].help_text % {"size": f"{limit_mb:g}"}
        self.has_person = person is not None
        if not self.has_person:
            del self.fields["given_name"], self.fields["family_name"]
        if not profile.photo:
            del self.fields["remove_photo"]

    def clean_photo(self) -> Any:
        upload = self.cleaned_data.get("photo")
        if upload:
            try:
                photo_check(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["photo"]) from None
        return upload

    def clean_country(self) -> str:
        country = self.cleaned_data["country"].strip().upper()
        if not country.isalpha():
            raise ValidationError(_("Enter a two-letter country code, such as US."))
        return country

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the matching fields (the rest on the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data will be erased for good."),
        required=True,
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("That password is not correct."), code="incorrect_password")
        return password
