"""Campaign forms: staff edit a campaign; visitors give a ZIP code to list its events nearest
first. They parse what a person typed; the campaign services validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from groundswell.events.hosting.forms import ServiceErrorsMixin, date_widget
from groundswell.events.models import Event, EventCampaign


class CampaignForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), widget=forms.TextInput(attrs={"maxlength": 120}))
    slug = forms.CharField(
        label=_("Short name in the address"),
        required=False,
        help_text=_(
            "Letters, numbers and hyphens, for example weekend-of-action. Leave blank to make one from the name."
        ),
        widget=forms.TextInput(attrs={"maxlength": 80}),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 10000}),
    )
    event_type = forms.ChoiceField(
        label=_("Suggested type of event"),
        required=False,
        choices=[("", _("Any type")), *Event.Type.choices],
    )
    template_title = forms.CharField(
        label=_("Suggested event title"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 150}),
    )
    template_description = forms.CharField(
        label=_("Suggested event description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 10000}),
    )
    starts_on = forms.DateField(label=_("First day"), required=False, widget=date_widget())
    ends_on = forms.DateField(label=_("Last day"), required=False, widget=date_widget())
    archived = forms.BooleanField(
        label=_("Closed: no new events (its events stay listed)"), required=False
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["archived"]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "name",
                "slug",
                "description",
                "event_type",
                "template_title",
                "template_description",
                "starts_on",
                "ends_on",
            )
        }

    @classmethod
    def initial_for(cls, campaign: EventCampaign) -> dict[str, Any]:
        return {
            "name": campaign.name,
            "slug": campaign.slug,
            "description": campaign.description,
            "event_type": campaign.event_type,
            "template_title": campaign.template_title,
            "template_description": campaign.template_description,
            "starts_on": campaign.starts_on,
            "ends_on": campaign.ends_on,
            "archived": campaign.archived_at is not None,
        }


class NearForm(forms.Form):
    near = forms.CharField(
        label=_("Your ZIP code"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
