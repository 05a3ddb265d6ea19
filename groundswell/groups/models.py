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
