"""People in the admin: searchable and filterable; writes go through people.services.

People arrive through sign-ups, RSVPs and the API (which deduplicate by email), so the admin
neither adds nor deletes them: erasure is the accounts' "erase" action / people.erasure.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from groundswell.people.models import Person, PhoneNumber, Tag, Tagging
from groundswell.people.services import PERSON_FIELDS, person_update, tag_create, tagging_remove


class PhoneNumberInline(admin.TabularInline):
    model = PhoneNumber
    extra = 0
    fields = ("number", "number_type", "primary", "do_not_call", "sms_opted_in", "consent_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TaggingInline(admin.TabularInline):
    model = Tagging
    extra = 0
    fields = ("tag", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "email",
        "given_name",
        "family_name",
        "postal_code",
        "email_status",
        "source",
        "created_at",
    )
    list_display_links = ("id", "email")
    list_filter = (
        "email_status",
        "country",
        "source",
        "preferred_language",
        ("erased_at", admin.EmptyFieldListFilter),
        "taggings__tag",
    )
    search_fields = (
        "=id",
        "email",
        "given_name",
        "family_name",
        "postal_code",
        "phone_numbers__number",
    )
    ordering = ("-id",)
    fields = (
        "email",
        "email_status",
        "given_name",
        "family_name",
        "address_line",
        "locality",
        "region",
        "postal_code",
        "country",
        "languages_spoken",
        "preferred_language",
        "source",
        "custom_fields",
        "latitude",
        "longitude",
        "created_at",
        "modified_at",
        "erased_at",
    )
    readonly_fields = (
        "email",
        # Recorded from what the person uses on the site (people.services), not edited here.
        "preferred_language",
        "custom_fields",
        "latitude",
        "longitude",
        "created_at",
        "modified_at",
        "erased_at",
    )
    inlines = [PhoneNumberInline, TaggingInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        fields = {
            name: form.cleaned_data[name] for name in form.changed_data if name in PERSON_FIELDS
        }
        person_update(person=obj, fields=fields, actor=request.user)
        obj.refresh_from_db()


@admin.register(PhoneNumber)
class PhoneNumberAdmin(admin.ModelAdmin):
    list_display = ("number", "person", "number_type", "primary", "do_not_call", "sms_opted_in")
    list_filter = ("number_type", "primary", "do_not_call", "sms_opted_in")
    search_fields = ("number", "person__email", "person__family_name")
    list_select_related = ("person",)
    raw_id_fields = ("person",)
    readonly_fields = ("person", "number", "consent_source", "consent_at", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    readonly_fields = ("created_at", "modified_at")

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        if change:
            obj.save()
            return
        tag = tag_create(name=obj.name, actor=request.user)
        obj.pk = tag.pk
        obj.refresh_from_db()


@admin.register(Tagging)
class TaggingAdmin(admin.ModelAdmin):
    list_display = ("tag", "person", "created_at")
    list_filter = ("tag",)
    search_fields = ("tag__name", "person__email", "person__family_name")
    list_select_related = ("tag", "person")
    raw_id_fields = ("person",)
    readonly_fields = ("tag", "person", "created_at", "modified_at")
    actions = ["remove_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Remove the selected taggings"))
    def remove_selected(self, request: HttpRequest, queryset: QuerySet[Tagging]) -> None:
        for tagging in queryset:
            tagging_remove(tagging=tagging, actor=request.user)
