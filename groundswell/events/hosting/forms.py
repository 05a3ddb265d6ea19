"""Host and organizer forms (the campaign forms are in events.campaigns). They parse what a
person typed; the services validate and decide (so the API and the pages give the same
messages).

The event form's date and times are in the event's own zone: the view passes naive
datetimes to the service, which places them in the chosen zone (or the ZIP code's).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groundswell.accounts.forms import time_zone_choices
from groundswell.events.display import event_zone
from groundswell.events.hosting.selectors import campaigns_open, groups_for_hosting
from groundswell.events.hosting.services.validation import MAX_SHIFTS, ShiftSpec
from groundswell.events.models import Event, EventCampaign
from groundswell.groups.models import Group


class ServiceErrorsMixin:
    """Show a service's ValidationError on the matching fields (the rest on the form)."""

    def add_service_error(self, error: ValidationError) -> None:
        form: Any = self
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_widget() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _capacity_field(label: Any) -> forms.IntegerField:
    # No min_value: a negative number reaches the service, whose message says what is wrong.
    return forms.IntegerField(
        label=label,
        required=False,
        help_text=_("Leave blank for no limit. When it is full, people join a waitlist."),
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )


def _event_zone_choices() -> list[tuple[Any, Any]]:
    return [("", _("The time zone of the ZIP code")), *time_zone_choices()]


class EventForm(ServiceErrorsMixin, forms.Form):
    """Create or edit an event; its first time slot is part of this form, more slots come
    from ShiftFormSet."""

    event_type = forms.ChoiceField(
        label=_("Type of event"), choices=[("", _("Choose a type")), *Event.Type.choices]
    )
    title = forms.CharField(label=_("Title"), widget=forms.TextInput(attrs={"maxlength": 150}))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        help_text=_("What will people do, what should they bring? Plain text."),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 20000}),
    )
    date = forms.DateField(
        label=_("Date"),
        widget=date_widget(),
        error_messages={"required": _("Choose the day of the event.")},
    )
    start_time = forms.TimeField(
        label=_("Starts at"),
        widget=_time_widget(),
        error_messages={"required": _("Choose when the event starts.")},
    )
    end_time = forms.TimeField(
        label=_("Ends at"),
        widget=_time_widget(),
        error_messages={"required": _("Choose when the event ends.")},
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Times are in the event's own time zone."),
        choices=_event_zone_choices,
    )
    capacity = _capacity_field(_("Spots"))
    is_virtual = forms.BooleanField(label=_("This is an online event"), required=False)
    virtual_url = forms.CharField(
        label=_("Link to join"),
        required=False,
        help_text=_("Only people who signed up see it."),
        widget=forms.URLInput(attrs={"maxlength": 200, "placeholder": "https://"}),
    )
    venue_name = forms.CharField(
        label=_("Venue"),
        required=False,
        help_text=_("For example: Main Street Library, or “Ana's home”."),
        widget=forms.TextInput(attrs={"maxlength": 150}),
    )
    address_line = forms.CharField(
        label=_("Street address"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 200, "autocomplete": "street-address"}),
    )
    postal_code = forms.CharField(
        label=_("ZIP code"),
        required=False,
        help_text=_("Needed for events in person; people find events near their ZIP code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "inputmode": "numeric", "maxlength": 10}
        ),
    )
    hide_address = forms.BooleanField(
        label=_("Show the street address only to people who signed up (for example, a home)"),
        required=False,
    )
    accessibility_notes = forms.CharField(
        label=_("Accessibility"),
        required=False,
        help_text=_("Step-free access, parking, transit, ASL, childcare…"),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    group = forms.ModelChoiceField(
        label=_("Group"),
        required=False,
        queryset=Group.objects.none(),
        empty_label=_("No group"),
        help_text=_("Host it with one of your groups: its members see it on the group's page."),
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        required=False,
        queryset=EventCampaign.objects.none(),
        empty_label=_("No campaign"),
    )
    is_official = forms.BooleanField(label=_("Official campaign event"), required=False)
    # Editing: the shift that the first slot edits.
    first_shift_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, event: Event | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.event = event
        group_field: Any = self.fields["group"]
        groups = groups_for_hosting(user)
        if event is not None and event.group_id is not None:
            # Keep the current group selectable even if the editor isn't in it.
            groups = (groups | Group.objects.filter(pk=event.group_id)).distinct()
        group_field.queryset = groups
        campaign_field: Any = self.fields["campaign"]
        campaigns = campaigns_open()
        if event is not None and event.campaign_id is not None:
            campaigns = (campaigns | EventCampaign.objects.filter(pk=event.campaign_id)).distinct()
        campaign_field.queryset = campaigns
        if not (user.is_authenticated and user.is_staff):
            del self.fields["is_official"]
        if event is None:
            del self.fields["first_shift_id"]

    def clean_postal_code(self) -> str:
        return self.cleaned_data["postal_code"].strip()

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments the services take, except the times."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "title",
                "event_type",
                "description",
                "venue_name",
                "address_line",
                "postal_code",
                "hide_address",
                "is_virtual",
                "virtual_url",
                "accessibility_notes",
                "group",
                "campaign",
            )
        }
        fields["time_zone"] = data.get("time_zone") or ""
        if "is_official" in self.fields:
            fields["is_official"] = data["is_official"]
        return fields

    def first_shift(self) -> ShiftSpec:
        data = self.cleaned_data
        return ShiftSpec(
            starts_at=datetime.combine(data["date"], data["start_time"]),
            ends_at=datetime.combine(data["date"], data["end_time"]),
            capacity=data.get("capacity"),
            shift_id=data.get("first_shift_id"),
        )

    @classmethod
    def initial_for(cls, event: Event, first_shift: Any) -> dict[str, Any]:
        zone = event_zone(event)
        start = timezone.localtime(first_shift.starts_at, zone)
        end = timezone.localtime(first_shift.ends_at, zone)
        return {
            "event_type": event.event_type,
            "title": event.title,
            "description": event.description,
            "date": start.date(),
            "start_time": start.time().replace(second=0, microsecond=0),
            "end_time": end.time().replace(second=0, microsecond=0),
            "time_zone": event.time_zone,
            "capacity": first_shift.capacity,
            "is_virtual": event.is_virtual,
            "virtual_url": event.virtual_url,
            "venue_name": event.venue_name,
            "address_line": event.address_line,
            "postal_code": event.postal_code,
            "hide_address": event.hide_address,
            "accessibility_notes": event.accessibility_notes,
            "group": event.group_id,
            "campaign": event.campaign_id,
            "is_official": event.is_official,
            "first_shift_id": first_shift.pk,
        }


class ShiftForm(forms.Form):
    """Another time slot. A blank row is ignored; the date defaults to the event's."""

    shift_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date = forms.DateField(
        label=_("Date"),
        required=False,
        help_text=_("Leave blank for the same day as the event."),
        widget=date_widget(),
    )
    start_time = forms.TimeField(label=_("Starts at"), required=False, widget=_time_widget())
    end_time = forms.TimeField(label=_("Ends at"), required=False, widget=_time_widget())
    capacity = _capacity_field(_("Spots"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_start = data.get("start_time") is not None
        has_end = data.get("end_time") is not None
        if has_start != has_end:
            raise ValidationError(_("Give this time slot a start and an end time."))
        return data

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return data.get("start_time") is None and data.get("end_time") is None


ShiftFormSet = forms.formset_factory(
    ShiftForm, extra=1, can_delete=True, max_num=MAX_SHIFTS - 1, validate_max=True
)


def shift_specs(event_form: EventForm, formset: Any) -> list[ShiftSpec]:
    """The first slot from the event form, then every filled, kept row of the formset."""
    specs = [event_form.first_shift()]
    event_date = event_form.cleaned_data["date"]
    for form in formset.forms:
        if not getattr(form, "cleaned_data", None) or form.is_blank():
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        day = form.cleaned_data.get("date") or event_date
        specs.append(
            ShiftSpec(
                starts_at=datetime.combine(day, form.cleaned_data["start_time"]),
                ends_at=datetime.combine(day, form.cleaned_data["end_time"]),
                capacity=form.cleaned_data.get("capacity"),
                shift_id=form.cleaned_data.get("shift_id"),
            )
        )
    return specs


class MessageForm(ServiceErrorsMixin, forms.Form):
    subject = forms.CharField(label=_("Subject"), widget=forms.TextInput(attrs={"maxlength": 150}))
    body = forms.CharField(
        label=_("Message"),
        help_text=_("Sent by email to each person separately: nobody sees the others' addresses."),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
    )
    include_waitlisted = forms.BooleanField(
        label=_("Also send it to people on the waitlist"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "message")
        super().__init__(*args, **kwargs)


class CoHostForm(ServiceErrorsMixin, forms.Form):
    email = forms.EmailField(
        label=_("Co-host's email address"),
        help_text=_("They must be a member. They get the same tools as you for this event."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "cohost")
        super().__init__(*args, **kwargs)


class ReportForm(ServiceErrorsMixin, forms.Form):
    doors_knocked = forms.IntegerField(
        label=_("Doors knocked"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )
    calls_made = forms.IntegerField(
        label=_("Calls made"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        help_text=_("How did it go? Anything the organizers should know?"),
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 5000}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "report")
        super().__init__(*args, **kwargs)


class WalkInForm(ServiceErrorsMixin, forms.Form):
    given_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    family_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    postal_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("prefix", "walkin")
        super().__init__(*args, **kwargs)


class ReviewForm(ServiceErrorsMixin, forms.Form):
    """An organizer's decision on a waiting event."""

    # Given by the button pressed (name="decision"), not rendered as a field.
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(
        label=_("Note to the host"),
        required=False,
        help_text=_("Required when you reject: say what to change."),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )
    trust_host = forms.BooleanField(
        label=_("Trust this host: publish their next events without approval"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
