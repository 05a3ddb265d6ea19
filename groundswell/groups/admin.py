"""Staff admin for groups: find and inspect groups, memberships, posts and announcements.

Roles, membership and posts change through the site's pages (which call the services and
keep the counts, the one-leader rule and the audit log right), so memberships, posts and
announcements are read-only here; group details may be edited (through group_update), and
groups archived with an action.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groundswell.geo.selectors import postal_code_find
from groundswell.groups.models import (
    Group,
    GroupAnnouncement,
    GroupMembership,
    GroupPost,
)
from groundswell.groups.services import group_archive, group_update


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    fields = ("user", "role", "joined_at", "announcements_muted")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    max_num = 0
    ordering = ("role", "joined_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[GroupMembership]:
        return super().get_queryset(request).select_related("user")


class GroupAdminForm(forms.ModelForm):
    class Meta:
        model = Group
        fields = ("name", "focus", "description", "postal_code", "country", "meeting_area")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code, country = data.get("postal_code"), data.get("country") or "US"
        if code and postal_code_find(country=country, code=code) is None:
            self.add_error(
                "postal_code",
                _("We don't know the postal code “%(code)s”. Check it and try again.")
                % {"code": code},
            )
        return data


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    form = GroupAdminForm
    list_display = ("name", "focus", "postal_code", "member_count", "created_at", "archived_at")
    list_filter = ("focus", ("archived_at", admin.EmptyFieldListFilter), "country", "created_at")
    search_fields = ("name", "postal_code", "description")
    readonly_fields = (
        "latitude",
        "longitude",
        "created_by",
        "member_count",
        "created_at",
        "updated_at",
        "archived_at",
    )
    fields = (
        "name",
        "focus",
        "description",
        "postal_code",
        "country",
        "meeting_area",
        *readonly_fields,
    )
    inlines = (MembershipInline,)
    actions = ("archive_groups",)
    ordering = ("-created_at",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A group is started by a member on the site (who becomes its leader).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Group, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            group_update(
                group=obj,
                actor=request.user,
                name=data["name"],
                description=data["description"],
                focus=data["focus"],
                postal_code=data["postal_code"],
                country=data["country"],
                meeting_area=data["meeting_area"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))

    @admin.action(description=_("Archive selected groups"))
    def archive_groups(self, request: HttpRequest, queryset: QuerySet[Group]) -> None:
        count = 0
        for group in queryset.filter(archived_at__isnull=True):
            group_archive(group=group, actor=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d group archived.", "%(count)d groups archived.", count)
            % {"count": count},
        )


@admin.register(GroupMembership)
class GroupMembershipAdmin(ReadOnlyAdmin):
    list_display = ("group", "user", "role", "joined_at", "announcements_muted")
    list_filter = ("role", "announcements_muted")
    search_fields = ("group__name", "user__email")
    list_select_related = ("group", "user")
    autocomplete_fields = ()
    show_full_result_count = False


@admin.register(GroupPost)
class GroupPostAdmin(ReadOnlyAdmin):
    list_display = ("pk", "group", "author", "created_at", "edited_at", "removed_at")
    list_filter = (("removed_at", admin.EmptyFieldListFilter), "created_at")
    search_fields = ("group__name", "author__email", "body")
    list_select_related = ("group", "author")
    show_full_result_count = False


@admin.register(GroupAnnouncement)
class GroupAnnouncementAdmin(ReadOnlyAdmin):
    list_display = ("subject", "group", "sender", "recipient_count", "batch_count", "created_at")
    list_filter = ("created_at",)
    search_fields = ("subject", "group__name", "sender__email")
    list_select_related = ("group", "sender")
