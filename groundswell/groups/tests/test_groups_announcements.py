"""Announcements: batched through tasks, idempotent, muted members left out, RFC 8058."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from groundswell.accounts.testing import make_member
from groundswell.groups.models import (
    GroupAnnouncement,
    GroupAnnouncementDelivery,
    GroupMembership,
)
from groundswell.groups.services import (
    announcements,
    group_announcement_batch_deliver,
    group_announcement_send,
    group_announcements_mute,
    group_join,
    group_leave,
)
from groundswell.groups.tasks import group_announcement_batch_send
from groundswell.groups.tokens import mute_token_make, mute_token_read
from groundswell.people.models import Person

pytestmark = pytest.mark.django_db


def _send(world, capture, *, sender=None, **kwargs):
    with capture(execute=True) as callbacks:
        announcement = group_announcement_send(
            group=world["group"],
            sender=sender or world["leader"],
            subject=kwargs.pop("subject", "Canvass on Saturday"),
            body=kwargs.pop("body", "Meet at 10am at the library.\nBring water."),
            **kwargs,
        )
    return announcement, callbacks


def _recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@override_settings(CAMPAIGN_POSTAL_ADDRESS="PO Box 2008, Chicago, IL 60690")
def test_every_member_gets_one_email_with_one_click_unsubscribe(
    world, django_capture_on_commit_callbacks
):
    announcement, _callbacks = _send(world, django_capture_on_commit_callbacks)
    assert announcement.recipient_count == 3 and announcement.batch_count == 1
    assert _recipients() == ["co@example.org", "leader@example.org", "member@example.org"]
    message = next(m for m in mail.outbox if m.to == ["member@example.org"])
    assert message.subject == "Canvass on Saturday"
    assert "Meet at 10am at the library.\nBring water." in message.body
    assert "PO Box 2008, Chicago, IL 60690" in message.body
    assert "Chelsea for Change via Groundswell" in message.from_email
    assert "leader@example.org" not in message.from_email  # no leader address exposed
    assert not message.reply_to
    header = message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(http://[^>]+/groups/mute/([^/]+)/)>", header)
    assert url, header
    assert url.group(1) in message.body
    assert mute_token_read(url.group(2)) == (world["group"].pk, world["member"].pk)
    deliveries = GroupAnnouncementDelivery.objects.filter(announcement=announcement)
    assert set(deliveries.values_list("outcome", flat=True)) == {"sent"}


def test_running_a_batch_task_again_sends_nothing_more(world, django_capture_on_commit_callbacks):
    announcement, _callbacks = _send(world, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        group_announcement_batch_send.enqueue(announcement_id=announcement.pk, batch=0)
        group_announcement_batch_send.enqueue(announcement_id=announcement.pk, batch=0)
    assert group_announcement_batch_deliver(announcement_id=announcement.pk, batch=0) == 0
    assert len(mail.outbox) == 3
    assert _recipients() == ["co@example.org", "leader@example.org", "member@example.org"]


def test_a_task_for_a_missing_announcement_does_nothing(db):
    assert group_announcement_batch_deliver(announcement_id=987654, batch=0) == 0


def test_muted_members_get_nothing(world, django_capture_on_commit_callbacks):
    group_announcements_mute(group=world["group"], user=world["member"])
    announcement, _callbacks = _send(world, django_capture_on_commit_callbacks)
    assert announcement.recipient_count == 2
    assert "member@example.org" not in _recipients()


def test_members_who_mute_or_leave_before_their_batch_runs_are_skipped(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        announcement = group_announcement_send(
            group=world["group"], sender=world["leader"], subject="S", body="B"
        )
    group_announcements_mute(group=world["group"], user=world["member"])
    group_leave(group=world["group"], user=world["co_leader"])
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert _recipients() == ["leader@example.org"]
    outcomes = dict(
        GroupAnnouncementDelivery.objects.filter(announcement=announcement).values_list(
            "user__email", "outcome"
        )
    )
    assert outcomes == {
        "leader@example.org": "sent",
        "member@example.org": "skipped",
        "co@example.org": "skipped",
    }


def test_bouncing_addresses_are_suppressed(world, django_capture_on_commit_callbacks):
    Person.objects.filter(pk=world["member"].person_id).update(email_status="bouncing")
    _send(world, django_capture_on_commit_callbacks)
    assert "member@example.org" not in _recipients()


def test_big_groups_go_out_in_batches_one_task_each(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(announcements, "ANNOUNCEMENT_BATCH_SIZE", 2)
    for index in range(4):
        group_join(group=world["group"], user=make_member(f"m{index}@example.org"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        announcement = group_announcement_send(
            group=world["group"], sender=world["leader"], subject="S", body="B"
        )
    assert (announcement.recipient_count, announcement.batch_count) == (7, 4)
    assert len(callbacks) == 4  # one task per batch, enqueued only on commit
    assert mail.outbox == []
    batches = GroupAnnouncementDelivery.objects.filter(announcement=announcement)
    assert sorted(batches.values_list("batch", flat=True)) == [0, 0, 1, 1, 2, 2, 3]
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
        for callback in callbacks:  # every task run twice
            callback()
    assert len(mail.outbox) == 7
    assert len(set(_recipients())) == 7


@pytest.mark.parametrize("persona", ["member", "other_member"])
def test_only_leaders_send(world, persona, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks(execute=True):
        group_announcement_send(group=world["group"], sender=world[persona], subject="S", body="B")
    assert not GroupAnnouncement.objects.exists()
    assert mail.outbox == []


def test_co_leaders_and_staff_send(world, django_capture_on_commit_callbacks):
    _send(world, django_capture_on_commit_callbacks, sender=world["co_leader"])
    _send(world, django_capture_on_commit_callbacks, sender=world["organizer"])
    assert GroupAnnouncement.objects.count() == 2
    # Staff are not members: the mail goes to the members only.
    assert "organizer@example.org" not in _recipients()


def test_subject_and_body_are_required(world):
    with pytest.raises(ValidationError) as caught:
        group_announcement_send(group=world["group"], sender=world["leader"], subject=" ", body="")
    assert set(caught.value.message_dict) == {"subject"}
    with pytest.raises(ValidationError) as caught:
        group_announcement_send(group=world["group"], sender=world["leader"], subject="S", body="")
    assert set(caught.value.message_dict) == {"body"}


def test_a_newline_in_the_subject_cannot_inject_headers(world, django_capture_on_commit_callbacks):
    announcement, _callbacks = _send(
        world, django_capture_on_commit_callbacks, subject="Hi\r\nBcc: all@example.org"
    )
    assert announcement.subject == "Hi Bcc: all@example.org"


def test_at_most_five_a_day(world, django_capture_on_commit_callbacks):
    for _ in range(5):
        _send(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        group_announcement_send(group=world["group"], sender=world["leader"], subject="S", body="B")
    tomorrow = timezone.now() + timedelta(days=1, minutes=1)
    group_announcement_send(
        group=world["group"], sender=world["leader"], subject="S", body="B", now=tomorrow
    )


# --- The one-click link ----------------------------------------------------------------------


def _muted(world, user) -> bool:
    return GroupMembership.objects.get(group=world["group"], user=user).announcements_muted


def test_one_click_post_mutes_without_a_session_or_csrf(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    token = mute_token_make(group_id=world["group"].pk, user_id=world["member"].pk)
    url = reverse("groups:mute", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and not _muted(world, world["member"])  # GET only asks
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert _muted(world, world["member"])
    assert GroupMembership.objects.filter(group=world["group"], user=world["member"]).exists()
    assert not _muted(world, world["leader"])


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_altered_token_is_a_404(world, client, method):
    token = mute_token_make(group_id=world["group"].pk, user_id=world["member"].pk)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (forged, "nonsense", mute_token_make(group_id=987654, user_id=world["member"].pk)):
        response = getattr(client, method)(reverse("groups:mute", args=[bad]))
        assert response.status_code == 404
    assert not _muted(world, world["member"])
