"""Brakes on the group write paths (decision 0013): rate limits on starting groups, board
posts and replies, and announcements (the attempt over the limit gets 429, the message, and
the form with what was typed), and the link limit for members in their first day."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groundswell.core import ratelimit
from groundswell.groups.models import Group, GroupAnnouncement, GroupMembership, GroupPost
from groundswell.groups.services import (
    NEW_MEMBER_MAX_LINKS,
    group_join,
    group_post_create,
    group_post_update,
)
from groundswell.groups.testing import new_group
from groundswell.groups.text import post_link_count

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rate_limit_window_start")]

LIMITED = "too many times in a short while"


def _limit(action: str) -> int:
    """The count of a production limit ("30/10m" -> 30): the tests run with those values."""
    return ratelimit.rate_limits_for(action)[0].count


def _text(response) -> str:
    return html.unescape(response.content.decode())


# --- Rate limits -----------------------------------------------------------------------------


def test_starting_one_group_too_many_in_an_hour_is_refused_and_keeps_the_form(client, member):
    client.force_login(member)
    allowed = _limit("group.create")
    for index in range(allowed):
        response = client.post(
            reverse("groups:create"),
            {"name": f"Group {index}", "focus": "neighborhood", "postal_code": "10001"}
            | {"country": "US"},
        )
        assert response.status_code == 302
    response = client.post(
        reverse("groups:create"),
        {
            "name": "Chelsea tenants",
            "focus": "neighborhood",
            "description": "We meet on Tuesdays.",
            "postal_code": "10011",
            "country": "US",
        },
    )
    assert response.status_code == 429
    page = _text(response)
    assert LIMITED in page
    assert 'value="Chelsea tenants"' in page
    assert "We meet on Tuesdays." in page
    assert 'value="10011"' in page
    assert Group.objects.count() == allowed
    assert not Group.objects.filter(name="Chelsea tenants").exists()


def test_staff_start_groups_without_a_limit(client, organizer):
    client.force_login(organizer)
    for index in range(_limit("group.create") + 1):
        response = client.post(
            reverse("groups:create"),
            {"name": f"HQ group {index}", "focus": "issue", "postal_code": "10001"}
            | {"country": "US"},
        )
        assert response.status_code == 302


def _post(client, group, body: str, **extra):
    return client.post(reverse("groups:post_create", args=[group.pk]), {"body": body}, **extra)


def _fill_the_board_limit(client, group) -> None:
    for index in range(_limit("group.post")):
        assert _post(client, group, f"Post number {index}").status_code == 302


def test_one_post_too_many_is_refused_and_keeps_the_text(client, world):
    group = world["group"]
    client.force_login(world["member"])
    _fill_the_board_limit(client, group)
    response = _post(client, group, "Who has spare clipboards for Saturday")
    assert response.status_code == 429
    page = _text(response)
    assert LIMITED in page
    assert "Who has spare clipboards for Saturday" in page  # back in the textarea
    assert GroupPost.objects.filter(author=world["member"]).count() == _limit("group.post")


def test_replies_count_with_posts_and_keep_the_reply(client, world):
    group = world["group"]
    client.force_login(world["member"])
    _fill_the_board_limit(client, group)
    parent = GroupPost.objects.filter(author=world["member"]).earliest("pk")
    response = client.post(
        reverse("groups:post_create", args=[group.pk]),
        {"body": "I can bring six", "parent": parent.pk},
    )
    assert response.status_code == 429
    page = _text(response)
    assert LIMITED in page
    assert "I can bring six" in page
    assert f'name="parent" value="{parent.pk}"' in page
    assert not GroupPost.objects.filter(parent=parent).exists()


def test_the_board_over_htmx_answers_429_with_the_board_and_the_text(client, world):
    group = world["group"]
    client.force_login(world["member"])
    _fill_the_board_limit(client, group)
    response = _post(client, group, "Sent from the board", HTTP_HX_REQUEST="true")
    assert response.status_code == 429
    page = _text(response)
    assert page.startswith('<section id="board"')  # the partial htmx swaps in
    assert LIMITED in page
    assert "Sent from the board" in page


def test_each_member_has_their_own_board_limit(client, world):
    group = world["group"]
    client.force_login(world["member"])
    _fill_the_board_limit(client, group)
    client.force_login(world["co_leader"])
    assert _post(client, group, "Still room for me").status_code == 302


def test_one_announcement_too_many_in_a_day_is_refused_and_keeps_the_text(client, leader):
    # A group sends at most five a day (the service's own brake); the per-person limit is
    # about one leader across many groups.
    allowed = _limit("group.announce")
    groups = [new_group(leader, name=f"Group {index}") for index in range(allowed // 5 + 1)]
    client.force_login(leader)
    for index in range(allowed):
        group = groups[index // 5]
        response = client.post(
            reverse("groups:announce", args=[group.pk]),
            {"subject": f"News {index}", "body": "See you there."},
        )
        assert response.status_code == 302, response.content.decode()[:300]
    response = client.post(
        reverse("groups:announce", args=[groups[-1].pk]),
        {"subject": "Canvass moved to Sunday", "body": "Same time, same place."},
    )
    assert response.status_code == 429
    page = _text(response)
    assert LIMITED in page
    assert 'value="Canvass moved to Sunday"' in page
    assert "Same time, same place." in page
    assert GroupAnnouncement.objects.count() == allowed


# --- Links from new members ----------------------------------------------------------------------


def _links(count: int) -> str:
    return "Read these: " + " ".join(f"https://example.org/{index}" for index in range(count))


def test_links_are_counted_whether_clickable_or_typed():
    body = (
        '<p><a href="https://a.example" rel="nofollow">https://a.example</a> and '
        "www.b.example, http://c.example/x?y=1 <a>not a link</a></p>"
    )
    assert post_link_count(body) == 3
    assert post_link_count("<p>No links here.</p>") == 0


def test_a_new_member_s_post_with_too_many_links_is_refused(world):
    group, member = world["group"], world["member"]
    group_post_create(group=group, author=member, body=_links(NEW_MEMBER_MAX_LINKS))
    with pytest.raises(ValidationError, match="first day in a group") as caught:
        group_post_create(group=group, author=member, body=_links(NEW_MEMBER_MAX_LINKS + 1))
    assert caught.value.error_dict["body"][0].code == "too_many_links"
    assert GroupPost.objects.filter(author=member).count() == 1


def test_a_new_member_cannot_add_the_links_by_editing(world):
    group, member = world["group"], world["member"]
    post = group_post_create(group=group, author=member, body="Hello neighbors")
    with pytest.raises(ValidationError, match="first day in a group"):
        group_post_update(post=post, actor=member, body=_links(NEW_MEMBER_MAX_LINKS + 1))
    post.refresh_from_db()
    assert "Hello neighbors" in post.body


def test_after_a_day_in_the_group_links_are_free(world):
    group, member = world["group"], world["member"]
    GroupMembership.objects.filter(group=group, user=member).update(
        joined_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    post = group_post_create(group=group, author=member, body=_links(NEW_MEMBER_MAX_LINKS + 5))
    assert post_link_count(post.body) == NEW_MEMBER_MAX_LINKS + 5


def test_leaders_co_leaders_and_staff_are_not_held(world):
    group = world["group"]
    group_join(group=group, user=world["organizer"])
    for author in (world["leader"], world["co_leader"], world["organizer"]):
        group_post_create(group=group, author=author, body=_links(NEW_MEMBER_MAX_LINKS + 1))
    assert GroupPost.objects.count() == 3


def test_the_board_shows_the_link_limit_and_keeps_the_text(client, world):
    client.force_login(world["member"])
    body = _links(NEW_MEMBER_MAX_LINKS + 1)
    response = _post(client, world["group"], body)
    assert response.status_code == 200
    page = _text(response)
    assert "first day in a group" in page
    assert body in page
    assert not GroupPost.objects.exists()
