"""Email: messages leave the request as a task, and the default backend writes .eml files.

`email_enqueue()` serialises a message to plain JSON data and enqueues `email_send` on
commit, so no request ever waits on a mail server and a rolled-back transaction sends nothing.
Build each message inside `translation.override(recipient_language(...))`: a mail is written
in its recipient's language, not in the language of whoever caused it (decision 0012).
"""

from __future__ import annotations

import base64
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend

from groundswell.core.languages import language_supported
from groundswell.core.queue import task_enqueue_on_commit


class EmlFileBackend(BaseEmailBackend):
    """Writes each message to its own `<timestamp>-<id>.eml` file, readable by any mail client."""

    def __init__(self, *, file_path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.file_path = Path(file_path)
        self.file_path.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages: Any) -> int:
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:12]}.eml"
            tmp = self.file_path / (name + ".tmp")
            tmp.write_bytes(message.message().as_bytes())
            tmp.rename(self.file_path / name)  # readers never see a half-written file
            sent += 1
        return sent


def email_to_data(message: EmailMessage) -> dict[str, Any]:
    data: dict[str, Any] = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [],
        "attachments": [],
    }
    for alternative in getattr(message, "alternatives", []):
        content, mimetype = alternative[0], alternative[1]
        data["alternatives"].append({"content": content, "mimetype": mimetype})
    for attachment in message.attachments:
        filename, content, mimetype = attachment[0], attachment[1], attachment[2]
        raw = content.encode() if isinstance(content, str) else content
        data["attachments"].append(
            {
                "filename": filename,
                "content_b64": base64.b64encode(raw).decode(),
                "mimetype": mimetype,
            }
        )
    return data


def email_from_data(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data.get("cc") or None,
        bcc=data.get("bcc") or None,
        reply_to=data.get("reply_to") or None,
        headers=data.get("headers") or None,
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for alternative in data.get("alternatives", []):
        message.attach_alternative(alternative["content"], alternative["mimetype"])
    for attachment in data.get("attachments", []):
        message.attach(
            attachment["filename"],
            base64.b64decode(attachment["content_b64"]),
            attachment["mimetype"],
        )
    return message


def email_deliver(message: EmailMessage) -> int:
    """Hand `message` to the configured mailer now; the number of messages sent. The one
    place a message is sent: from a task (core's `email_send`, or a feature's task that
    builds its mail and delivers it in the same hop, like the RSVP confirmation)."""
    return message.send()


def email_enqueue(message: EmailMessage) -> None:
    """Send `message` from the task queue once the current transaction commits."""
    from groundswell.core.tasks import email_send

    task_enqueue_on_commit(email_send, email_to_data(message))


def recipient_language(recipient: Any) -> str:
    """The language to write to `recipient` in: a Person's `preferred_language` (for a User,
    their Person's) when the site speaks it, else settings.LANGUAGE_CODE."""
    # A User points at its Person; a Person has no `person` attribute and stands for itself.
    person = getattr(recipient, "person", recipient)
    preferred = getattr(person, "preferred_language", "")
    return language_supported(preferred) or settings.LANGUAGE_CODE
