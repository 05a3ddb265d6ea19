"""The event finder's search form: a GET form whose fields are the shareable URL's parameters
(`/events/?near=ZIP&radius=25&start=YYYY-MM-DD&end=YYYY-MM-DD&type=canvass&q=text&sort=date`).

It checks the shape of the input only; whether the ZIP exists is the view's question (it
asks the geo selectors and puts the answer on the `near` field)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from groundswell.events.finding.selectors import MAX_RADIUS_MILES
from groundswell.events.models import Event, event_days

DEFAULT_RADIUS = 25
RADIUS_CHOICES = (5, 10, 25, 50, 100)
SORT_DATE = "date"
SORT_DISTANCE = "distance"


def _radius_label(miles: int) -> str:
    return _("%(miles)d miles") % {"miles": miles}


class EventFinderForm(forms.Form):
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
        choices=[(miles, _radius_label(miles)) for miles in RADIUS_CHOICES],
        initial=DEFAULT_RADIUS,
        required=False,
        empty_value=None,
    )
    type = forms.ChoiceField(
        label=_("Type of event"),
        choices=[("", _("Any type")), *Event.Type.choices],
        required=False,
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(
        label=_("Keywords"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=[(SORT_DATE, _("Date")), (SORT_DISTANCE, _("Distance"))],
        required=False,
        initial=SORT_DATE,
    )
    virtual = forms.BooleanField(label=_("Include online events"), required=False)

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        # A shared URL may carry any radius (`?radius=30`): accept it within bounds.
        raw = (data.get("radius") or "").strip() if data is not None else ""
        if raw.isdigit() and 1 <= int(raw) <= MAX_RADIUS_MILES:
            miles = int(raw)
            field = self.fields["radius"]
            if miles not in RADIUS_CHOICES:
                field.choices = sorted(  # type: ignore[attr-defined]
                    [*field.choices, (miles, _radius_label(miles))]  # type: ignore[attr-defined]
                )

    def clean_near(self) -> str:
        return " ".join(self.cleaned_data.get("near", "").split())

    def clean_sort(self) -> str:
        return self.cleaned_data.get("sort") or SORT_DATE

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        first, last = event_days(timezone.localdate())
        for field in ("start", "end"):
            day = data.get(field)
            if day and not first <= day <= last:
                # A day past the horizon finds nothing, and one near year 1 or 9999 overflows.
                self.add_error(
                    field,
                    _("Choose a day between %(first)s and %(last)s.")
                    % {
                        "first": formats.date_format(first, "DATE_FORMAT"),
                        "last": formats.date_format(last, "DATE_FORMAT"),
                    },
                )
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end date is before the start date."))
        return data
