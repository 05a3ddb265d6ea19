"""Group pages: the authorization matrix for every page and POST, then behaviour and query
counts. Personas: anonymous, member (of the group), other_member (not in it), co_leader,
leader, staff (an organizer)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from groundswell.accounts.testing import make_member
from groundswell.core.models import AuditEntry
from groundswell.groups.models import Group, GroupAnnouncement, GroupMembership, GroupPost
from groundswell.groups.services import (
    group_archive,
    group_join,
    group_post_create,
    group_post_remove,
)
from groundswell.groups.testing import new_group, role_of

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "member", "other_member", "co_leader", "leader", "staff")
LOGIN = "login"  # a redirect to the login page


def _login(client, world, persona: str):
    if persona == "anonymous":
        return None
    user = world["organizer" if persona == "staff" else persona]
    client.force_login(user)
    return user


def _snapshot(group: Group) -> tuple:
    group.refresh_from_db()
    return (
        group.name,
        group.archived_at,
        group.member_count,
        tuple(
            GroupMembership.objects.filter(group=group)
            .order_by("user_id")
            .values_list("user_id", "role", "announcements_muted")
        ),
        tuple(GroupPost.objects.order_by("pk").values_list("pk", "body", "removed_at")),
        GroupAnnouncement.objects.count(),
        AuditEntry.objects.count(),
    )


def _everyone(*statuses: Any) -> dict[str, Any]:
    return dict(zip(PERSONAS, statuses, strict=True))


MANAGERS = _everyone(LOGIN, 404, 404, 200, 200, 200)
LEADER_ONLY = _everyone(LOGIN, 404, 404, 404, 200, 200)
SIGNED_IN = _everyone(LOGIN, 200, 200, 200, 200, 200)
PUBLIC = _everyone(200, 200, 200, 200, 200, 200)

# name: (url builder, expected status per persona)
PAGES = {
    "finder": (lambda w: reverse("groups:finder") + "?near=10001", PUBLIC),
    "detail": (lambda w: reverse("groups:detail", args=[w["group"].pk]), PUBLIC),
    "members": (lambda w: reverse("groups:members", args=[w["group"].pk]), PUBLIC),
    "mine": (lambda w: reverse("groups:mine"), SIGNED_IN),
    "create": (lambda w: reverse("groups:create"), SIGNED_IN),
    "edit": (lambda w: reverse("groups:edit", args=[w["group"].pk]), MANAGERS),
    "manage": (lambda w: reverse("groups:manage", args=[w["group"].pk]), MANAGERS),
    "announce": (lambda w: reverse("groups:announce", args=[w["group"].pk]), MANAGERS),
    "archive": (lambda w: reverse("groups:archive", args=[w["group"].pk]), LEADER_ONLY),
    "transfer": (
        lambda w: reverse("groups:leadership_transfer", args=[w["group"].pk, w["member"].pk]),
        LEADER_ONLY,
    ),
    "post_edit": (
        lambda w: reverse("groups:post_edit", args=[w["group"].pk, w["post"].pk]),
        _everyone(LOGIN, 200, 404, 404, 404, 404),
    ),
}


@pytest.fixture
def board_world(world):
    world["post"] = group_post_create(
        group=world["group"], author=world["member"], body="Who's in for Saturday?"
    )
    return world


def _assert_status(response, expected) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == expected, response.content[:500]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_authorization(client, board_world, page, persona):
    url, expected = PAGES[page]
    _login(client, board_world, persona)
    before = _snapshot(board_world["group"])
    _assert_status(client.get(url(board_world)), expected[persona])
    assert _snapshot(board_world["group"]) == before  # a GET changes nothing


# name: (url builder, POST data, expected status per persona). 302 = done, redirected.
POSTS = {
    "join": (
        lambda w: reverse("groups:join", args=[w["group"].pk]),
        {},
        _everyone(LOGIN, 302, 302, 302, 302, 302),
    ),
    "leave": (
        lambda w: reverse("groups:leave", args=[w["group"].pk]),
        {},
        _everyone(LOGIN, 302, 302, 302, 302, 302),
    ),
    "announcements": (
        lambda w: reverse("groups:announcements", args=[w["group"].pk]),
        {"muted": "1"},
        _everyone(LOGIN, 302, 404, 302, 302, 404),
    ),
    "post_create": (
        lambda w: reverse("groups:post_create", args=[w["group"].pk]),
        {"body": "A new post"},
        _everyone(LOGIN, 302, 403, 302, 302, 403),
    ),
    "post_delete": (
        lambda w: reverse("groups:post_delete", args=[w["group"].pk, w["post"].pk]),
        {},
        _everyone(LOGIN, 302, 404, 302, 302, 302),
    ),
    "post_edit": (
        lambda w: reverse("groups:post_edit", args=[w["group"].pk, w["post"].pk]),
        {"body": "Edited"},
        _everyone(LOGIN, 302, 404, 404, 404, 404),
    ),
    "edit": (
        lambda w: reverse("groups:edit", args=[w["group"].pk]),
        {"name": "Renamed", "focus": "issue", "postal_code": "10003", "country": "US"},
        MANAGERS | {"co_leader": 302, "leader": 302, "staff": 302},
    ),
    "announce": (
        lambda w: reverse("groups:announce", args=[w["group"].pk]),
        {"subject": "Hello", "body": "Canvass Saturday"},
        MANAGERS | {"co_leader": 302, "leader": 302, "staff": 302},
    ),
    "member_remove": (
        lambda w: reverse("groups:member_remove", args=[w["group"].pk, w["member"].pk]),
        {},
        _everyone(LOGIN, 404, 404, 302, 302, 302),
    ),
    "member_role": (
        lambda w: reverse("groups:member_role", args=[w["group"].pk, w["member"].pk]),
        {"m{member}-role": "co_leader"},
        LEADER_ONLY | {"leader": 302, "staff": 302},
    ),
    "transfer": (
        lambda w: reverse("groups:leadership_transfer", args=[w["group"].pk, w["member"].pk]),
        {},
        LEADER_ONLY | {"leader": 302, "staff": 302},
    ),
    "archive": (
        lambda w: reverse("groups:archive", args=[w["group"].pk]),
        {},
        LEADER_ONLY | {"leader": 302, "staff": 302},
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(POSTS))
def test_post_authorization(
    client, board_world, action, persona, django_capture_on_commit_callbacks
):
    url, data, expected = POSTS[action]
    data = {key.format(member=board_world["member"].pk): value for key, value in data.items()}
    _login(client, board_world, persona)
    before = _snapshot(board_world["group"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(board_world), data)
    _assert_status(response, expected[persona])
    if expected[persona] != 302:
        # Denied: nothing changed, nothing was sent.
        assert _snapshot(board_world["group"]) == before
        assert mail.outbox == []


def test_post_actions_need_post(client, board_world):
    _login(client, board_world, "leader")
    for action in ("join", "leave", "post_create", "post_delete", "member_remove", "member_role"):
        url = POSTS[action][0](board_world)
        assert client.get(url).status_code == 405


@pytest.mark.parametrize("group_id", [987654, 2**70])
def test_missing_group_is_a_404(client, member, group_id):
    client.force_login(member)
    assert client.get(f"/groups/{group_id}/").status_code == 404
    assert client.post(f"/groups/{group_id}/join/").status_code == 404


# --- What the allowed actions do -----------------------------------------------------------


def test_join_then_leave(client, world):
    group, user = world["group"], world["other_member"]
    client.force_login(user)
    response = client.post(reverse("groups:join", args=[group.pk]), follow=True)
    assert role_of(group, user) == "member"
    assert b"Welcome to Chelsea for Change" in response.content
    client.post(reverse("groups:join", args=[group.pk]))
    group.refresh_from_db()
    assert group.member_count == 4
    client.post(reverse("groups:leave", args=[group.pk]))
    assert role_of(group, user) is None


def test_a_sole_leader_is_told_how_to_leave(client, group, leader, member):
    group_join(group=group, user=member)
    client.force_login(leader)
    response = client.post(reverse("groups:leave", args=[group.pk]), follow=True)
    assert "make another member its leader" in response.content.decode()
    assert role_of(group, leader) == "leader"


def test_create_a_group(client, member):
    client.force_login(member)
    response = client.post(
        reverse("groups:create"),
        {
            "name": "Hoboken Votes",
            "focus": "neighborhood",
            "postal_code": "07030",
            "country": "US",
            "description": "Door knocking.",
            "meeting_area": "",
        },
    )
    group = Group.objects.get(name="Hoboken Votes")
    assert response["Location"] == f"/groups/{group.pk}/"
    assert role_of(group, member) == "leader"


def test_create_with_an_unknown_zip_shows_the_error_on_the_field(client, member):
    client.force_login(member)
    response = client.post(
        reverse("groups:create"),
        {"name": "Nowhere", "focus": "issue", "postal_code": "00001", "country": "US"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "know the postal code “00001”. Check it and try again." in html
    assert 'aria-invalid="true"' in html and 'id="id_postal_code_error"' in html
    assert not Group.objects.exists()


def test_the_create_form_starts_from_the_profile_zip(client, member):
    from groundswell.accounts.models import Profile

    Profile.objects.filter(user=member).update(postal_code="11201")
    client.force_login(member)
    assert 'value="11201"' in client.get(reverse("groups:create")).content.decode()


def test_group_page_shows_what_a_visitor_needs(client, board_world):
    group = board_world["group"]
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "Chelsea for Change" in html and "We knock doors in Chelsea." in html
    assert "Muhlenberg Library" in html and "New York, NY" in html
    assert "Lee L." in html and "Cora C." in html  # leaders are always named
    assert "Sign in to join" in html
    assert "Who's in for Saturday?" not in html  # the board is for signed-in members
    assert "Sign in</a> to read the discussion" in html


def test_group_page_for_a_member(client, board_world):
    client.force_login(board_world["member"])
    html = client.get(reverse("groups:detail", args=[board_world["group"].pk])).content.decode()
    assert "Who's in for Saturday?" in html
    assert "Leave group" in html and "Stop announcement emails" in html
    assert 'hx-post="/groups/' in html and "Manage members" not in html


def test_members_list_respects_profile_privacy(client, world):
    from groundswell.accounts.models import Profile

    group = world["group"]
    shy = make_member("shy@example.org", given_name="Shy", family_name="Person")
    public = make_member("pub@example.org", given_name="Pat", family_name="Public")
    for user in (shy, public):
        group_join(group=group, user=user)
    Profile.objects.filter(user=shy).update(privacy="private")
    Profile.objects.filter(user=public).update(privacy="public")
    # Anonymous visitors see leaders and public profiles; the rest are counted.
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "Pat P." in html and "Shy P." not in html and "Maya M." not in html
    assert "2 members keep their profiles private." in html
    members_html = client.get(reverse("groups:members", args=[group.pk])).content.decode()
    assert "Pat P." in members_html and "Shy P." not in members_html
    assert "2 members keep their profiles private." in members_html
    # Signed-in members also see members-only profiles, never private ones.
    client.force_login(world["other_member"])
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "Maya M." in html and "Shy P." not in html
    assert "1 member keeps their profile private." in html
    # Staff see everyone.
    client.force_login(world["organizer"])
    assert "Shy P." in client.get(reverse("groups:detail", args=[group.pk])).content.decode()


def test_upcoming_events_of_the_group(client, world):
    from datetime import timedelta

    from django.utils import timezone

    from groundswell.events.models import Event
    from groundswell.events.policies import events_visible_to

    group, now = world["group"], timezone.now()

    def event(title: str, *, status: str, days: float, group: Group | None = group) -> Event:
        start = now + timedelta(days=days)
        return Event.objects.create(
            title=title,
            event_type="canvass",
            status=status,
            host=world["leader"],
            group=group,
            time_zone="America/New_York",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )

    later = event("Later canvass", status="published", days=5)
    sooner = event("Sooner canvass", status="published", days=1)
    event("Past canvass", status="published", days=-1)
    event("Pending canvass", status="pending", days=2)
    event("Cancelled canvass", status="cancelled", days=3)
    event("Other group canvass", status="published", days=2, group=None)
    from groundswell.groups.selectors import EVENT_PUBLISHED, group_upcoming_events

    assert EVENT_PUBLISHED == Event.Status.PUBLISHED
    listed = group_upcoming_events(group=group, now=now)
    assert [e.pk for e in listed] == [sooner.pk, later.pk]
    # Never more than the events policy shows, whoever looks.
    from django.contrib.auth.models import AnonymousUser

    for viewer in (AnonymousUser(), world["other_member"], world["leader"]):
        visible = set(events_visible_to(viewer).values_list("pk", flat=True))
        assert {e.pk for e in listed} <= visible
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert html.index("Sooner canvass") < html.index("Later canvass")
    assert f'href="/events/{sooner.pk}/"' in html
    assert "Past canvass" not in html and "Pending canvass" not in html
    assert "Cancelled canvass" not in html and "Other group canvass" not in html
    assert "EDT" in html or "EST" in html  # the zone abbreviation next to the time


def test_posting_and_replying_without_javascript(client, world):
    group = world["group"]
    client.force_login(world["member"])
    url = reverse("groups:post_create", args=[group.pk])
    response = client.post(url, {"body": "Canvass <em>Saturday</em>!<script>x()</script>"})
    assert response["Location"] == f"/groups/{group.pk}/#board"
    post = GroupPost.objects.get()
    assert post.body == "<p>Canvass <em>Saturday</em>!</p>"
    client.post(url, {"body": "Count me in", "parent": post.pk})
    reply = GroupPost.objects.exclude(pk=post.pk).get()
    assert reply.parent_id == post.pk
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "Canvass <em>Saturday</em>!" in html and "Count me in" in html


def test_posting_with_htmx_returns_the_board(client, world):
    client.force_login(world["member"])
    response = client.post(
        reverse("groups:post_create", args=[world["group"].pk]),
        {"body": "Via htmx"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<section id="board"') and "Via htmx" in html
    assert "Your post is on the board." in html


def test_an_empty_post_shows_the_error(client, world):
    client.force_login(world["member"])
    url = reverse("groups:post_create", args=[world["group"].pk])
    response = client.post(url, {"body": "<script>x</script>"})
    assert response.status_code == 200
    assert "Write a message first." in response.content.decode()
    response = client.post(url, {"body": " "}, headers={"HX-Request": "true"})
    assert "This field is required." in response.content.decode()
    assert not GroupPost.objects.exists()


def test_replying_to_a_post_of_another_group_is_a_404(client, world, leader):
    elsewhere = new_group(leader, name="Elsewhere")
    foreign = group_post_create(group=elsewhere, author=leader, body="Elsewhere")
    client.force_login(world["member"])
    response = client.post(
        reverse("groups:post_create", args=[world["group"].pk]),
        {"body": "x", "parent": foreign.pk},
    )
    assert response.status_code == 404
    assert GroupPost.objects.count() == 1


def test_removed_posts_show_as_removed_while_they_have_replies(client, board_world):
    group, post = board_world["group"], board_world["post"]
    group_post_create(group=group, author=board_world["leader"], body="Me!", parent=post)
    lone = group_post_create(group=group, author=board_world["member"], body="Lonely post")
    group_post_remove(post=post, actor=board_world["leader"])
    group_post_remove(post=lone, actor=board_world["member"])
    client.force_login(board_world["other_member"])
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "This post was removed." in html and "Me!" in html
    assert "Saturday" not in html and "Lonely post" not in html


def test_edit_a_post(client, board_world):
    client.force_login(board_world["member"])
    url = reverse("groups:post_edit", args=[board_world["group"].pk, board_world["post"].pk])
    assert "Who&#x27;s in for Saturday?" in client.get(url).content.decode()
    client.post(url, {"body": "Who's in for Sunday?"})
    board_world["post"].refresh_from_db()
    assert board_world["post"].body == "<p>Who's in for Sunday?</p>"
    assert board_world["post"].edited_at is not None


def test_manage_page_and_role_change(client, world):
    group = world["group"]
    client.force_login(world["leader"])
    html = client.get(reverse("groups:manage", args=[group.pk])).content.decode()
    assert "Maya M." in html and "Make leader" in html
    member_id = world["member"].pk
    client.post(
        reverse("groups:member_role", args=[group.pk, member_id]),
        {f"m{member_id}-role": "co_leader"},
    )
    assert role_of(group, world["member"]) == "co_leader"


def test_co_leaders_see_no_role_controls_and_cannot_remove_co_leaders(client, world):
    group = world["group"]
    other_co = make_member("co2@example.org")
    group_join(group=group, user=other_co)
    from groundswell.groups.services import group_member_role_set

    group_member_role_set(group=group, actor=world["leader"], user=other_co, role="co_leader")
    client.force_login(world["co_leader"])
    html = client.get(reverse("groups:manage", args=[group.pk])).content.decode()
    assert "Make leader" not in html and f'name="m{world["member"].pk}-role"' not in html
    response = client.post(reverse("groups:member_remove", args=[group.pk, other_co.pk]))
    assert response.status_code == 403
    assert role_of(group, other_co) == "co_leader"
    response = client.post(reverse("groups:member_remove", args=[group.pk, world["leader"].pk]))
    assert response.status_code == 403
    assert role_of(group, world["leader"]) == "leader"


def test_transfer_leadership_asks_first(client, world):
    group = world["group"]
    client.force_login(world["leader"])
    url = reverse("groups:leadership_transfer", args=[group.pk, world["member"].pk])
    page = client.get(url).content.decode()
    assert "Make Maya M. the leader" in page
    assert role_of(group, world["leader"]) == "leader"
    client.post(url)
    assert role_of(group, world["member"]) == "leader"
    assert role_of(group, world["leader"]) == "co_leader"


def test_send_an_announcement_from_the_page(client, world, django_capture_on_commit_callbacks):
    client.force_login(world["co_leader"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("groups:announce", args=[world["group"].pk]),
            {"subject": "Saturday", "body": "See you there."},
            follow=True,
        )
    assert "Your announcement is on its way to 3 members." in response.content.decode()
    assert len(mail.outbox) == 3


def test_member_mutes_and_unmutes_from_the_group_page(client, world):
    client.force_login(world["member"])
    url = reverse("groups:announcements", args=[world["group"].pk])
    client.post(url, {"muted": "1"})
    membership = GroupMembership.objects.get(group=world["group"], user=world["member"])
    assert membership.announcements_muted
    client.post(url, {"muted": "0"})
    membership.refresh_from_db()
    assert not membership.announcements_muted


def test_archived_group_page(client, world):
    group = world["group"]
    group_archive(group=group, actor=world["leader"])
    client.force_login(world["other_member"])
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "This group is archived" in html and "Join this group" not in html
    client.post(reverse("groups:join", args=[group.pk]))
    assert role_of(group, world["other_member"]) is None


def test_my_groups(client, world, leader):
    elsewhere = new_group(leader, name="Another group", postal_code="19103")
    group_join(group=elsewhere, user=world["member"])
    group_archive(group=elsewhere, actor=leader)
    client.force_login(world["member"])
    html = client.get(reverse("groups:mine")).content.decode()
    assert html.index("Chelsea for Change") < html.index("Another group")  # active first
    assert "Archived" in html and "Philadelphia, PA" in html
    client.force_login(world["other_member"])
    html = client.get(reverse("groups:mine")).content.decode()
    assert "You haven't joined a group yet." in html


# --- Query counts ----------------------------------------------------------------------------


def _grow(world, *, members: int, posts: int) -> None:
    group = world["group"]
    for index in range(members):
        user = make_member(f"extra{index}-{members}@example.org", given_name=f"E{index}")
        group_join(group=group, user=user)
        if index < posts:
            top = group_post_create(group=group, author=user, body=f"Post {index}")
            group_post_create(group=group, author=world["leader"], body="Reply", parent=top)


@pytest.mark.parametrize("size", [1, 15])
def test_group_page_queries_do_not_grow(client, world, size, django_assert_num_queries):
    _grow(world, members=size, posts=size)
    client.force_login(world["member"])
    # session, user, group, viewer's membership, leaders, members, counts, events,
    # board count, board page, replies.
    with django_assert_num_queries(11):
        response = client.get(reverse("groups:detail", args=[world["group"].pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [1, 15])
def test_group_page_queries_for_anonymous(client, world, size, django_assert_num_queries):
    _grow(world, members=size, posts=size)
    with django_assert_num_queries(5):  # group, leaders, members, counts, events
        assert client.get(reverse("groups:detail", args=[world["group"].pk])).status_code == 200


@pytest.mark.parametrize("size", [1, 12])
def test_my_groups_queries_do_not_grow(client, member, leader, size, django_assert_num_queries):
    for index in range(size):
        group_join(group=new_group(leader, name=f"G{index}"), user=member)
    client.force_login(member)
    with django_assert_num_queries(4):  # session, user, count, page
        response = client.get(reverse("groups:mine"))
    assert response.content.decode().count('class="card"') == size


@pytest.mark.parametrize("size", [1, 15])
def test_members_and_manage_pages_queries_do_not_grow(
    client, world, size, django_assert_num_queries
):
    _grow(world, members=size, posts=0)
    client.force_login(world["leader"])
    with django_assert_num_queries(5):  # group, session, user, count, page
        assert client.get(reverse("groups:members", args=[world["group"].pk])).status_code == 200
    with django_assert_num_queries(6):  # session, user, group, membership, count, page
        assert client.get(reverse("groups:manage", args=[world["group"].pk])).status_code == 200
