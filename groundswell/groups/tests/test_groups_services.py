"""Group services: creating, joining, leaving, roles, the board; counts and audit rows."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from groundswell.accounts.testing import make_member
from groundswell.core.models import AuditEntry
from groundswell.groups.models import Group, GroupMembership, GroupPost
from groundswell.groups.services import (
    group_archive,
    group_create,
    group_join,
    group_leadership_transfer,
    group_leave,
    group_member_remove,
    group_member_role_set,
    group_post_create,
    group_post_remove,
    group_post_update,
    group_update,
)
from groundswell.groups.testing import UNKNOWN_ZIP, new_group, postal_codes_ensure, role_of

pytestmark = pytest.mark.django_db


def _count_matches_rows(group: Group) -> None:
    group.refresh_from_db()
    assert group.member_count == GroupMembership.objects.filter(group=group).count()


# --- Creating and editing ------------------------------------------------------------------


def test_create_makes_the_creator_leader_and_geocodes(leader):
    group = new_group(leader, postal_code=" 10003 ", meeting_area="  Union   Square ")
    assert (group.postal_code, group.country) == ("10003", "US")
    assert (group.latitude, group.longitude) == (40.7313, -73.9892)
    assert group.meeting_area == "Union Square"
    assert role_of(group, leader) == "leader"
    _count_matches_rows(group)
    assert group.member_count == 1
    entry = AuditEntry.objects.get(action="group.create")
    assert (entry.actor, entry.subject_id) == (leader, str(group.pk))


def test_unknown_zip_is_a_clear_error_and_saves_nothing(leader):
    with pytest.raises(ValidationError) as caught:
        new_group(leader, postal_code=UNKNOWN_ZIP)
    assert caught.value.message_dict["postal_code"] == [
        f"We don't know the postal code “{UNKNOWN_ZIP}”. Check it and try again."
    ]
    assert not Group.objects.exists()
    assert not GroupMembership.objects.exists()
    assert not AuditEntry.objects.filter(action="group.create").exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"focus": "party"}, "focus"),
        ({"postal_code": ""}, "postal_code"),
        ({"country": "USA"}, "country"),
        ({"description": "x" * 5001}, "description"),
    ],
)
def test_create_validates(leader, kwargs, field):
    data = {"name": "Good name", "focus": "campus", "postal_code": "10001", **kwargs}
    with pytest.raises(ValidationError) as caught:
        group_create(creator=leader, **data)
    assert field in caught.value.message_dict
    assert not Group.objects.exists()


def test_anonymous_cannot_create():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        group_create(creator=AnonymousUser(), name="X", focus="issue", postal_code="10001")


def test_update_by_leaders_and_staff_only(world):
    group = world["group"]
    group_update(
        group=group, actor=world["co_leader"], name="Chelsea Organizes", postal_code="10011"
    )
    group.refresh_from_db()
    assert (group.name, group.postal_code, group.latitude) == (
        "Chelsea Organizes",
        "10011",
        40.7402,
    )
    assert AuditEntry.objects.get(action="group.update").details == {
        "fields": ["name", "postal_code"]
    }
    group_update(group=group, actor=world["organizer"], focus="issue")
    for outsider in (world["member"], world["other_member"]):
        with pytest.raises(PermissionDenied):
            group_update(group=group, actor=outsider, name="Hijacked")
    group.refresh_from_db()
    assert (group.name, group.focus) == ("Chelsea Organizes", "issue")


def test_update_refuses_unknown_zip(world):
    with pytest.raises(ValidationError) as caught:
        group_update(group=world["group"], actor=world["leader"], postal_code=UNKNOWN_ZIP)
    assert "postal_code" in caught.value.message_dict
    world["group"].refresh_from_db()
    assert world["group"].postal_code == "10001"


# --- Joining and leaving -------------------------------------------------------------------


def test_joining_twice_is_one_membership(group, member):
    first = group_join(group=group, user=member)
    second = group_join(group=group, user=member)
    assert first.created and not second.created
    assert first.membership.pk == second.membership.pk
    assert GroupMembership.objects.filter(group=group, user=member).count() == 1
    _count_matches_rows(group)
    assert group.member_count == 2
    assert AuditEntry.objects.filter(action="group.join").count() == 1


def test_the_database_refuses_a_duplicate_membership(group, leader):
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.create(group=group, user=leader)


def test_the_database_allows_one_leader(group, member):
    group_join(group=group, user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupMembership.objects.filter(group=group, user=member).update(role="leader")


def test_counts_follow_many_joins_and_leaves(group):
    people = [make_member(f"p{i}@example.org") for i in range(6)]
    for person in people:
        group_join(group=group, user=person)
        group_join(group=group, user=person)
    for person in people[:2]:
        group_leave(group=group, user=person)
        group_leave(group=group, user=person)
    _count_matches_rows(group)
    assert group.member_count == 5


def test_leaving_when_not_a_member_changes_nothing(group, other_member):
    assert group_leave(group=group, user=other_member) is False
    _count_matches_rows(group)
    assert not AuditEntry.objects.filter(action="group.leave").exists()


def test_archived_group_takes_no_members(group, leader, member):
    group_archive(group=group, actor=leader)
    with pytest.raises(ValidationError):
        group_join(group=group, user=member)
    assert role_of(group, member) is None


def test_leader_leaving_hands_over_to_the_longest_serving_co_leader(world):
    group, leader = world["group"], world["leader"]
    later = make_member("later@example.org")
    group_join(group=group, user=later)
    group_member_role_set(group=group, actor=leader, user=later, role="co_leader")
    assert group_leave(group=group, user=leader)
    assert role_of(group, world["co_leader"]) == "leader"
    assert role_of(group, later) == "co_leader"
    assert role_of(group, leader) is None
    _count_matches_rows(group)
    entry = AuditEntry.objects.get(action="group.leave")
    assert entry.details["new_leader_id"] == world["co_leader"].pk


def test_sole_leader_with_only_members_must_transfer_first(group, leader, member):
    group_join(group=group, user=member)
    with pytest.raises(ValidationError) as caught:
        group_leave(group=group, user=leader)
    assert caught.value.code == "sole_leader"
    assert role_of(group, leader) == "leader"
    _count_matches_rows(group)
    assert group.member_count == 2


def test_last_member_leaving_archives_the_group(group, leader):
    assert group_leave(group=group, user=leader)
    group.refresh_from_db()
    assert group.archived_at is not None
    assert group.member_count == 0


# --- Roles ---------------------------------------------------------------------------------


def test_transfer_leadership(world):
    group = world["group"]
    group_leadership_transfer(group=group, actor=world["leader"], to_user=world["member"])
    assert role_of(group, world["member"]) == "leader"
    assert role_of(group, world["leader"]) == "co_leader"
    assert GroupMembership.objects.filter(group=group, role="leader").count() == 1
    entry = AuditEntry.objects.get(action="group.leadership_transfer")
    assert entry.details == {"from_user_id": world["leader"].pk, "to_user_id": world["member"].pk}


def test_only_the_leader_or_staff_transfer(world):
    group = world["group"]
    for actor in (world["co_leader"], world["member"], world["other_member"]):
        with pytest.raises(PermissionDenied):
            group_leadership_transfer(group=group, actor=actor, to_user=actor)
    assert role_of(group, world["leader"]) == "leader"
    group_leadership_transfer(group=group, actor=world["organizer"], to_user=world["co_leader"])
    assert role_of(group, world["co_leader"]) == "leader"


def test_transfer_to_a_non_member_is_refused(world):
    with pytest.raises(ValidationError):
        group_leadership_transfer(
            group=world["group"], actor=world["leader"], to_user=world["other_member"]
        )
    assert role_of(world["group"], world["leader"]) == "leader"


def test_leader_promotes_and_demotes(world):
    group, leader, member = world["group"], world["leader"], world["member"]
    group_member_role_set(group=group, actor=leader, user=member, role="co_leader")
    assert role_of(group, member) == "co_leader"
    group_member_role_set(group=group, actor=leader, user=member, role="member")
    assert role_of(group, member) == "member"
    with pytest.raises(ValidationError):
        group_member_role_set(group=group, actor=leader, user=member, role="leader")
    with pytest.raises(ValidationError):
        group_member_role_set(group=group, actor=world["organizer"], user=leader, role="member")
    with pytest.raises(PermissionDenied):
        group_member_role_set(group=group, actor=world["co_leader"], user=member, role="co_leader")
    assert role_of(group, leader) == "leader"
    assert role_of(group, member) == "member"


def test_who_removes_whom(world):
    group = world["group"]
    third = make_member("third@example.org")
    group_join(group=group, user=third)
    # A plain member removes nobody; nobody removes the leader; a co-leader removes members
    # but not another co-leader.
    with pytest.raises(PermissionDenied):
        group_member_remove(group=group, actor=world["member"], user=third)
    for actor in (world["co_leader"], world["organizer"]):
        with pytest.raises(PermissionDenied):
            group_member_remove(group=group, actor=actor, user=world["leader"])
    group_member_role_set(group=group, actor=world["leader"], user=third, role="co_leader")
    with pytest.raises(PermissionDenied):
        group_member_remove(group=group, actor=world["co_leader"], user=third)
    group_member_remove(group=group, actor=world["co_leader"], user=world["member"])
    group_member_remove(group=group, actor=world["leader"], user=third)
    assert role_of(group, world["member"]) is None
    assert role_of(group, third) is None
    _count_matches_rows(group)
    assert group.member_count == 2
    assert AuditEntry.objects.filter(action="group.member_remove").count() == 2


def test_archive_is_for_the_leader_and_staff(world):
    group = world["group"]
    with pytest.raises(PermissionDenied):
        group_archive(group=group, actor=world["co_leader"])
    group.refresh_from_db()
    assert group.archived_at is None
    group_archive(group=group, actor=world["organizer"])
    group_archive(group=group, actor=world["organizer"])
    group.refresh_from_db()
    assert group.archived_at is not None
    assert AuditEntry.objects.filter(action="group.archive").count() == 1


# --- The board -----------------------------------------------------------------------------


def test_members_post_sanitized_html(world):
    post = group_post_create(
        group=world["group"],
        author=world["member"],
        body='Hello <script>alert(1)</script><b>all</b>\nline two\n\n<a href="javascript:x" '
        'onclick="y">link</a> <a href="https://example.org">ok</a>',
    )
    assert "<script" not in post.body and "alert" not in post.body
    assert "javascript" not in post.body and "onclick" not in post.body
    assert "<b>all</b>" in post.body
    assert post.body.startswith("<p>Hello ") and "<br>line two</p><p>" in post.body
    assert (
        '<a href="https://example.org" rel="noopener noreferrer nofollow ugc">ok</a>' in post.body
    )
    assert AuditEntry.objects.filter(action="group.post_create", subject_id=str(post.pk)).exists()


def test_only_members_post(world):
    for outsider in (world["other_member"], world["organizer"]):
        with pytest.raises(PermissionDenied):
            group_post_create(group=world["group"], author=outsider, body="Hi")
    assert not GroupPost.objects.exists()


def test_empty_posts_are_refused(world):
    for body in ("", "   ", "<script>x</script>", "<p> </p>"):
        with pytest.raises(ValidationError):
            group_post_create(group=world["group"], author=world["member"], body=body)
    assert not GroupPost.objects.exists()


def test_a_reply_to_a_reply_joins_the_thread(world):
    group = world["group"]
    top = group_post_create(group=group, author=world["member"], body="Top")
    reply = group_post_create(group=group, author=world["leader"], body="Re", parent=top)
    again = group_post_create(group=group, author=world["member"], body="Re re", parent=reply)
    assert reply.parent_id == top.pk and again.parent_id == top.pk


def test_reply_to_another_groups_post_is_refused(world, leader):
    other_group = new_group(leader, name="Elsewhere")
    foreign = group_post_create(group=other_group, author=leader, body="Elsewhere")
    with pytest.raises(ValidationError):
        group_post_create(group=world["group"], author=world["member"], body="x", parent=foreign)


def test_authors_edit_their_own_posts_only(world):
    post = group_post_create(group=world["group"], author=world["member"], body="First")
    group_post_update(post=post, actor=world["member"], body="Second")
    post.refresh_from_db()
    assert post.body == "<p>Second</p>" and post.edited_at is not None
    for actor in (world["leader"], world["organizer"], world["other_member"]):
        with pytest.raises(PermissionDenied):
            group_post_update(post=post, actor=actor, body="Changed")
    post.refresh_from_db()
    assert post.body == "<p>Second</p>"


def test_author_deletes_and_leaders_remove(world):
    group = world["group"]
    own = group_post_create(group=group, author=world["member"], body="Mine")
    theirs = group_post_create(group=group, author=world["co_leader"], body="Spam?")
    with pytest.raises(PermissionDenied):
        group_post_remove(post=theirs, actor=world["member"])
    with pytest.raises(PermissionDenied):
        group_post_remove(post=own, actor=world["other_member"])
    group_post_remove(post=own, actor=world["member"])
    own.refresh_from_db()
    assert own.removed_at is not None and own.body == ""  # the author's words are gone
    group_post_remove(post=theirs, actor=world["leader"])
    theirs.refresh_from_db()
    assert theirs.removed_at is not None and theirs.body == "<p>Spam?</p>"  # kept for review
    assert theirs.removed_by == world["leader"]
    assert AuditEntry.objects.filter(action="group.post_delete").count() == 1
    assert AuditEntry.objects.filter(action="group.post_remove").count() == 1


# --- Concurrency (PostgreSQL) --------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_joins_make_one_membership_and_a_right_count():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and parallel connections")
    postal_codes_ensure()
    leader = make_member("pg-leader@example.org")
    joiners = [make_member(f"pg{i}@example.org") for i in range(4)]
    group = new_group(leader)
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def join(user) -> None:
        try:
            barrier.wait()
            group_join(group=group, user=user)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # Each joiner twice, at the same moment.
    threads = [threading.Thread(target=join, args=(u,)) for u in joiners for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    _count_matches_rows(group)
    assert group.member_count == 5
