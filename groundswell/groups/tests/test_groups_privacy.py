"""Download my data and account deletion, for what groups hold about a member."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groundswell.accounts.selectors import account_export
from groundswell.accounts.services import account_delete
from groundswell.accounts.testing import make_member
from groundswell.groups.models import GroupAnnouncement, GroupAnnouncementDelivery, GroupPost
from groundswell.groups.services import (
    group_announcement_send,
    group_announcements_mute,
    group_join,
    group_post_create,
)
from groundswell.groups.testing import role_of

pytestmark = pytest.mark.django_db


def test_export_has_the_members_groups_and_posts(world, django_assert_max_num_queries):
    group = world["group"]
    group_announcements_mute(group=group, user=world["member"])
    post = group_post_create(group=group, author=world["member"], body="Hello **all**")
    reply = group_post_create(group=group, author=world["member"], body="Me", parent=post)
    group_post_create(group=group, author=world["leader"], body="Not theirs")
    from groundswell.groups.selectors import group_export_for_member

    with django_assert_max_num_queries(3):
        group_export_for_member(user=world["member"])
    data = account_export(user=world["member"])["groups"]
    assert data["memberships"] == [
        {
            "group_id": group.pk,
            "group_name": "Chelsea for Change",
            "role": "member",
            "joined_at": data["memberships"][0]["joined_at"],
            "announcements_muted": True,
        }
    ]
    assert [(p["id"], p["reply_to"]) for p in data["posts"]] == [
        (post.pk, None),
        (reply.pk, post.pk),
    ]
    assert data["posts"][0]["body_html"] == "<p>Hello **all**</p>"
    assert data["announcements_sent"] == []


def test_leaders_export_lists_their_announcements(world):
    group_announcement_send(group=world["group"], sender=world["leader"], subject="S", body="B")
    data = account_export(user=world["leader"])["groups"]
    assert [(a["subject"], a["recipient_count"]) for a in data["announcements_sent"]] == [("S", 3)]


def test_deleting_a_members_account(client, world):
    group, member = world["group"], world["member"]
    post = group_post_create(group=group, author=member, body="My words")
    group_announcement_send(group=group, sender=world["leader"], subject="S", body="B")
    account_delete(user=member, actor=member)
    group.refresh_from_db()
    assert group.member_count == 2
    post.refresh_from_db()
    assert post.author is None and post.body == "<p>My words</p>"
    assert not GroupAnnouncementDelivery.objects.filter(user_id=member.pk).exists()
    client.force_login(world["other_member"])
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "Deleted member" in html and "Maya" not in html


def test_deleting_a_leaders_account_hands_the_group_on(world):
    group, leader = world["group"], world["leader"]
    group_announcement_send(group=group, sender=leader, subject="S", body="B")
    account_delete(user=leader, actor=leader)
    assert role_of(group, world["co_leader"]) == "leader"
    group.refresh_from_db()
    assert group.member_count == 2
    assert GroupAnnouncement.objects.get().sender is None


def test_deleting_a_sole_leaders_account_promotes_the_longest_member(group, leader, member):
    later = make_member("later@example.org")
    group_join(group=group, user=member)
    group_join(group=group, user=later)
    account_delete(user=leader, actor=leader)
    assert role_of(group, member) == "leader"
    assert role_of(group, later) == "member"


def test_deleting_the_last_members_account_archives_the_group(group, leader):
    group_post_create(group=group, author=leader, body="Anyone?")
    account_delete(user=leader, actor=leader)
    group.refresh_from_db()
    assert group.archived_at is not None and group.member_count == 0
    assert GroupPost.objects.get().author is None
