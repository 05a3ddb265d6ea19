"""Staff admin for members and profiles.

Members are created by signing up or with `groundswell create_member`, and deleted with
erasure (the "Delete accounts and erase personal data" action), never by a bare row delete,
so the admin has no add or delete buttons for them. The email address is read-only here:
it is the member's own login, changed through allauth where it is verified.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashField
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groundswell.accounts.models import Profile, User
from groundswell.accounts.services import account_delete, member_access_update, profile_photo_remove


class UserAdminForm(forms.ModelForm):
    # Shown as algorithm and a "Reset password" button, never as an editable hash.
    password = ReadOnlyPasswordHashField(label=_("Password"))

    class Meta:
        model = User
        fields = ("is_active", "staff_role", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminForm
    fieldsets = (
        (None, {"fields": ("email", "password", "person_link")}),
        (
            _("Access"),
            {
                "fields": (
                    "is_active",
                    "staff_role",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ("email", "person_link", "is_staff", "last_login", "date_joined")
    list_display = ("email", "person_link", "staff_role", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "staff_role", "is_active", "date_joined")
    list_select_related = ("person",)
    search_fields = ("email",)
    ordering = ("-date_joined",)
    filter_horizontal = ("groups", "user_permissions")
    actions = ("erase_accounts",)

    @admin.display(description=_("person record"))
    def person_link(self, user: User) -> str:
        if user.person_id is None:
            return "-"
        url = reverse("admin:people_person_change", args=[user.person_id])
        return format_html('<a href="{}">{}</a>', url, _("Person %(id)s") % {"id": user.person_id})

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_erase_permission(self, request: HttpRequest) -> bool:
        """The erase action needs the model's delete permission (bare deletes stay off)."""
        return request.user.has_perm("accounts.delete_user")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Only a superuser hands out superuser status or raw permissions.
            readonly += ("is_superuser", "groups", "user_permissions")
        return readonly

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        member_access_update(
            user=obj,
            staff_role=data["staff_role"],
            is_active=data["is_active"],
            is_superuser=data.get("is_superuser", obj.is_superuser),
            actor=request.user,
        )

    @admin.action(description=_("Delete accounts and erase personal data"), permissions=["erase"])
    def erase_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        own_pk = request.user.pk or 0
        users = list(queryset.exclude(pk=own_pk))
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": _("Delete accounts and erase personal data?"),
                "opts": self.model._meta,
                "users": users,
                "skipped_self": queryset.filter(pk=own_pk).exists(),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "action_name": "erase_accounts",
            }
            return TemplateResponse(request, "accounts/admin/erase_confirmation.html", context)
        for user in users:
            account_delete(user=user, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d account was deleted and its personal data erased.",
                "%(count)d accounts were deleted and their personal data erased.",
                len(users),
            )
            % {"count": len(users)},
            messages.SUCCESS,
        )
        return None


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "postal_code", "privacy", "updated_at")
    list_filter = ("privacy",)
    list_select_related = ("user",)
    search_fields = ("display_name", "postal_code")
    # Staff may blank an abusive name or bio; the rest is the member's to change.
    fields = (
        "user",
        "display_name",
        "bio",
        "photo",
        "postal_code",
        "country",
        "interests",
        "languages",
        "time_zone",
        "privacy",
        "updated_at",
    )
    readonly_fields = (
        "user",
        "photo",
        "postal_code",
        "country",
        "interests",
        "languages",
        "time_zone",
        "privacy",
        "updated_at",
    )
    actions = ("remove_photos",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Remove the photo"), permissions=["change"])
    def remove_photos(self, request: HttpRequest, queryset: QuerySet[Profile]) -> None:
        count = 0
        for profile in queryset.select_related("user"):
            if profile.photo:
                profile_photo_remove(user=profile.user, actor=request.user)
                count += 1
        self.message_user(
            request,
            ngettext("%(count)d photo removed.", "%(count)d photos removed.", count)
            % {"count": count},
            messages.SUCCESS,
        )
