"""Template helpers for the host tools: times in the event's own zone, the approval count."""

from __future__ import annotations

from typing import Any

from django import template

from groundswell.events.display import when_text
from groundswell.events.hosting.selectors import events_pending_count

register = template.Library()


@register.simple_tag
def host_when(event: Any, shift: Any = None) -> str:
    """ "Saturday, March 14, 2026, 10:00 a.m. to noon EDT": in the event's zone, localized."""
    return when_text(event, shift)


@register.simple_tag(takes_context=True)
def events_pending_approval_count(context: Any) -> int:
    """Waiting events, for the staff navigation (0 for everyone else, without a query)."""
    user = getattr(context.get("request"), "user", None)
    if not (user is not None and user.is_authenticated and user.is_staff):
        return 0
    return events_pending_count()
