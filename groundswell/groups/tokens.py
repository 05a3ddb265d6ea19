"""The signed token in an announcement's one-click "stop announcements from this group" link.

It names the group and the member, is signed with SECRET_KEY (salted for this use only) and
never expires: a link in an old email must still work (RFC 8058 asks for a working link for
as long as the mail might be read). It grants one thing only: muting that member's
announcements from that group.
"""

from __future__ import annotations

from django.core import signing

_SALT = "groundswell.groups.announcements.mute"


def mute_token_make(*, group_id: int, user_id: int) -> str:
    return signing.dumps({"g": group_id, "u": user_id}, salt=_SALT)


def mute_token_read(token: str) -> tuple[int, int] | None:
    """(group_id, user_id), or None for a token that was altered or is not ours."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    group_id, user_id = data.get("g"), data.get("u")
    if not isinstance(group_id, int) or not isinstance(user_id, int):
        return None
    return group_id, user_id
