from __future__ import annotations

import email
from email import policy

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from groundswell.core.mail import EmlFileBackend, email_enqueue, email_from_data, email_to_data


def _message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="Réunion ce soir",
        body="Bonjour,\nà ce soir.",
        from_email="Campaign <noreply@example.org>",
        to=["ana@example.org"],
        headers={"List-Unsubscribe": "<https://example.org/u/1>"},
    )
    message.attach_alternative("<p>Bonjour</p>", "text/html")
    message.attach("event.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    return message


def test_message_survives_the_trip_through_task_data():
    rebuilt = email_from_data(email_to_data(_message()))
    assert rebuilt.subject == "Réunion ce soir"
    assert rebuilt.to == ["ana@example.org"]
    assert rebuilt.extra_headers["List-Unsubscribe"] == "<https://example.org/u/1>"
    assert rebuilt.alternatives[0][1] == "text/html"
    assert rebuilt.attachments[0][0] == "event.ics"


def test_eml_backend_writes_one_readable_file_per_message(tmp_path):
    backend = EmlFileBackend(file_path=str(tmp_path))
    assert backend.send_messages([_message(), _message()]) == 2
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Réunion ce soir"
    assert parsed["To"] == "ana@example.org"
    assert "à ce soir" in parsed.get_body(preferencelist=("plain",)).get_content()
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.django_db
def test_email_enqueue_sends_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_enqueue(_message())
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Réunion ce soir"


@pytest.mark.django_db(transaction=True)
def test_email_enqueue_sends_nothing_when_the_transaction_rolls_back():
    from django.db import transaction

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        email_enqueue(_message())
        raise Boom
    assert mail.outbox == []
