"""Local groups: "the foundation" of MyBarackObama.com. A group has a home postal code,
members with roles, a discussion board and announcements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Group(models.Model):
    class Focus(models.TextChoices):
        NEIGHBORHOOD = "neighborhood", _("Neighborhood")
        CAMPUS = "campus", _("Campus")
        CONSTITUENCY = "constituency", _("Constituency")
        ISSUE = "issue", _("Issue")

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    focus = models.CharField(_("focus"), max_length=20, choices=Focus, default=Focus.NEIGHBORHOOD)
    postal_code = models.CharField(_("home ZIP / postal code"), max_length=20)
    country = models.CharField(_("country"), max_length=2, default="US")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Optional public meeting area, e.g. "Main Street Library, downtown"; never a home address.
    meeting_area = models.CharField(_("public meeting area"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        indexes = [models.Index(fields=["latitude", "longitude"], name="groups_group_latlng")]

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        CO_LEADER = "co_leader", _("Co-leader")
        MEMBER = "member", _("Member")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="group_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)
    # Set by the one-click "stop announcements from this group" link (RFC 8058) in every
    # announcement, or from the group page; the member stays in the group.
    announcements_muted = models.BooleanField(_("no announcement emails"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="groups_membership_group_user"),
            # Exactly one leader per group is enforced by the services; at most one by the DB.
            models.UniqueConstraint(
                fields=["group"], condition=models.Q(role="leader"), name="groups_one_leader"
            ),
        ]
        indexes = [models.Index(fields=["user", "group"], name="groups_membership_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id} ({self.role})"


class GroupPost(models.Model):
    """A post on a group's discussion board, or a reply to one (one level deep).

    `body` is sanitized HTML (core.sanitize.html_sanitize), written only by the services.
    A removed post keeps its row (replies hang off it) and shows as "removed". When its
    author's account is deleted, `author` becomes null and the post shows "deleted member".
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="posts")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="group_posts",
    )
    body = models.TextField(_("message"), max_length=10000)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("group post")
        verbose_name_plural = _("group posts")
        indexes = [
            models.Index(fields=["group", "parent", "-created_at"], name="groups_post_board"),
            models.Index(fields=["author"], name="groups_post_author"),
        ]

    def __str__(self) -> str:
        return f"post {self.pk} in {self.group_id}"


class GroupAnnouncement(models.Model):
    """A leader's email to every member of the group, sent in batches by tasks."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="announcements")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(_("message"), max_length=20000)
    recipient_count = models.PositiveIntegerField(default=0)
    batch_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("group announcement")
        verbose_name_plural = _("group announcements")

    def __str__(self) -> str:
        return self.subject


class GroupAnnouncementDelivery(models.Model):
    """One recipient of an announcement: the marker that makes the batch task idempotent.

    Rows are written when the announcement is sent (the recipient list is fixed then);
    the batch task claims each unsent row with a conditional UPDATE before mailing it, so a
    task run twice (or two workers on one batch) mails each member at most once.
    """

    class Outcome(models.TextChoices):
        PENDING = "", _("Pending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")

    announcement = models.ForeignKey(
        GroupAnnouncement, on_delete=models.CASCADE, related_name="deliveries"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    batch = models.PositiveIntegerField()
    outcome = models.CharField(max_length=10, choices=Outcome, blank=True, default="")
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["announcement", "user"], name="groups_delivery_announcement_user"
            )
        ]
        indexes = [
            models.Index(fields=["announcement", "batch"], name="groups_delivery_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.announcement_id} → {self.user_id} ({self.outcome or 'pending'})"
