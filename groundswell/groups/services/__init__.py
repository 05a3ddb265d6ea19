"""Writes on groups, one module per feature:

- `group`: starting a group, changing its details, archiving it;
- `membership`: joining, leaving, roles and leadership, an erased account's memberships;
- `board`: posts and replies on the discussion board;
- `announcements`: emails to the members in batches, and muting them;
- `common`: the checks they share.

One function per use case; each validates, authorizes, opens its transaction, writes its
audit row inside it and sends mail or tasks only after commit (`core.queue`, `core.mail`).
Callers import them from here (`from groundswell.groups.services import group_join`); a
test that changes a module's constant patches that module.

Not `durable=True`: demo seeding and the account eraser call these inside their own
transactions (the same choice as accounts.services).
"""

from groundswell.groups.services.announcements import (
    ANNOUNCEMENT_BATCH_SIZE,
    ANNOUNCEMENTS_PER_DAY,
    SUPPRESSED_EMAIL_STATUSES,
    group_announcement_batch_deliver,
    group_announcement_send,
    group_announcements_mute,
)
from groundswell.groups.services.board import (
    NEW_MEMBER_MAX_LINKS,
    NEW_MEMBER_PERIOD,
    POST_MAX_LENGTH,
    group_post_create,
    group_post_remove,
    group_post_update,
)
from groundswell.groups.services.group import group_archive, group_create, group_update
from groundswell.groups.services.membership import (
    GroupJoin,
    group_join,
    group_leadership_transfer,
    group_leave,
    group_member_erase,
    group_member_remove,
    group_member_role_set,
    group_person_erase,
)

__all__ = [
    "ANNOUNCEMENTS_PER_DAY",
    "ANNOUNCEMENT_BATCH_SIZE",
    "NEW_MEMBER_MAX_LINKS",
    "NEW_MEMBER_PERIOD",
    "POST_MAX_LENGTH",
    "SUPPRESSED_EMAIL_STATUSES",
    "GroupJoin",
    "group_announcement_batch_deliver",
    "group_announcement_send",
    "group_announcements_mute",
    "group_archive",
    "group_create",
    "group_join",
    "group_leadership_transfer",
    "group_leave",
    "group_member_erase",
    "group_member_remove",
    "group_member_role_set",
    "group_person_erase",
    "group_post_create",
    "group_post_remove",
    "group_post_update",
    "group_update",
]
