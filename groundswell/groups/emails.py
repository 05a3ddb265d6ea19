"""The messages a group sends, built here from templates and delivered by core.mail.

An announcement (`group_announcement_email`) is groups/email/announcement.txt, from the group
by name at the site's address, with a one-click way to stop them (RFC 8058). Build it inside
`translation.override(recipient_language(user))`: its footer and sender name are in its
recipient's language (decision 0012).
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from groundswell.groups.models import GroupAnnouncement
from groundswell.groups.tokens import mute_token_make


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def group_announcement_email(*, announcement: GroupAnnouncement, user: Any) -> EmailMessage:
    group = announcement.group
    mute_url = _absolute(
        reverse("groups:mute", args=[mute_token_make(group_id=group.pk, user_id=user.pk)])
    )
    context = {
        "announcement": announcement,
        "group": group,
        "group_url": _absolute(reverse("groups:detail", args=[group.pk])),
        "mute_url": mute_url,
        "campaign_name": settings.CAMPAIGN_NAME,
        "postal_address": settings.CAMPAIGN_POSTAL_ADDRESS,
    }
    body = render_to_string("groups/email/announcement.txt", context)
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    sender_name = _("%(group)s via %(campaign)s") % {
        "group": group.name,
        "campaign": settings.CAMPAIGN_NAME,
    }
    return EmailMessage(
        subject=announcement.subject,
        body=body,
        from_email=formataddr((sender_name, address)),
        to=[user.email],
        headers={
            # RFC 8058 one-click unsubscribe: the mail client POSTs to the URL.
            "List-Unsubscribe": f"<{mute_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"<group-{group.pk}.{urlparse(settings.SITE_URL).hostname or 'localhost'}>",
        },
    )
