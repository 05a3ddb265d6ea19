"""Event campaigns ("Weekend of Action"): staff create and edit them; members host events
under them, starting from the campaign's template (through the hosting services)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from groundswell.accounts.models import User
from groundswell.core.audit import audit_record
from groundswell.core.policies import staff_or_403
from groundswell.events.hosting.services.events import event_create
from groundswell.events.models import Event, EventCampaign


def _campaign_validate(campaign: EventCampaign) -> None:
    errors: dict[str, list[str]] = {}
    campaign.name = (campaign.name or "").strip()
    if not campaign.name:
        errors["name"] = [_("Give the campaign a name.")]
    elif len(campaign.name) > 120:
        errors["name"] = [_("Keep the name to 120 characters or fewer.")]
    campaign.slug = slugify(campaign.slug or campaign.name)[:80]
    if not campaign.slug:
        errors.setdefault("slug", []).append(
            _("Choose a short name for the address, such as weekend-of-action.")
        )
    elif EventCampaign.objects.filter(slug=campaign.slug).exclude(pk=campaign.pk).exists():
        errors.setdefault("slug", []).append(_("Another campaign already uses this short name."))
    if campaign.event_type and campaign.event_type not in Event.Type.values:
        errors["event_type"] = [_("Choose a type of event.")]
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        errors["ends_on"] = [_("The last day can't be before the first day.")]
    for field, limit in (
        ("template_title", 150),
        ("description", 10000),
        ("template_description", 10000),
    ):
        value = (getattr(campaign, field) or "").strip()
        setattr(campaign, field, value)
        if len(value) > limit:
            errors.setdefault(field, []).append(
                _("Keep this to %(limit)s characters or fewer.") % {"limit": limit}
            )
    if errors:
        raise ValidationError(errors)


_CAMPAIGN_FIELDS = (
    "name",
    "slug",
    "description",
    "event_type",
    "template_title",
    "template_description",
    "starts_on",
    "ends_on",
)


def event_campaign_create(
    *,
    actor: Any,
    name: str,
    slug: str = "",
    description: str = "",
    event_type: str = "",
    template_title: str = "",
    template_description: str = "",
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> EventCampaign:
    """Staff start a campaign ("Weekend of Action") members can host events under."""
    staff_or_403(actor)
    campaign = EventCampaign(
        name=name,
        slug=slug,
        description=description,
        event_type=event_type,
        template_title=template_title,
        template_description=template_description,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    _campaign_validate(campaign)
    with transaction.atomic():
        campaign.save()
        audit_record(actor=actor, action="event_campaign.create", subject=campaign)
    return campaign


def event_campaign_update(
    *, campaign: EventCampaign, actor: Any, archived: bool | None = None, **fields: Any
) -> EventCampaign:
    """Change a campaign's fields (any of the create arguments); `archived` closes it to new
    events (its events stay)."""
    staff_or_403(actor)
    unknown = set(fields) - set(_CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"unknown campaign fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(campaign, name, value)
    if archived is not None:
        campaign.archived_at = (campaign.archived_at or timezone.now()) if archived else None
    _campaign_validate(campaign)
    with transaction.atomic():
        campaign.save()
        audit_record(
            actor=actor,
            action="event_campaign.update",
            subject=campaign,
            details={"fields": sorted(fields), "archived": archived},
        )
    return campaign


def event_create_from_campaign(*, campaign: EventCampaign, host: User, **fields: Any) -> Event:
    """An event under a campaign, starting from the campaign's template: the suggested type,
    title and description are used for whatever the host left out."""
    fields.setdefault("event_type", campaign.event_type)
    if not fields.get("event_type"):
        fields["event_type"] = campaign.event_type
    if not (fields.get("title") or "").strip():
        fields["title"] = campaign.template_title or campaign.name
    if not (fields.get("description") or "").strip():
        fields["description"] = campaign.template_description
    return event_create(campaign=campaign, host=host, **fields)
