"""Staff admin for events. State changes go through the services (so they are validated,
audited and notify people): approving or cancelling events are admin actions, trusted hosts
and co-hosts are added and removed through their services, and times, capacities and RSVPs
are read-only here (hosts change them with the host tools, which move waitlists in order).
Events are created on the site, not here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from groundswell.core.audit import audit_record
from groundswell.events.hosting.services.approval import (
    event_approve,
    host_trust_grant,
    host_trust_revoke,
)
from groundswell.events.hosting.services.cohosts import event_cohost_remove
from groundswell.events.hosting.services.events import event_cancel
from groundswell.events.models import (
    Attendance,
    Event,
    EventCampaign,
    EventCoHost,
    EventMessage,
    Shift,
    TrustedHost,
)


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0
    can_delete = False
    fields = ("starts_at", "ends_at", "capacity", "confirmed_count", "waitlist_count")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "event_type",
        "status",
        "is_official",
        "starts_at",
        "host",
        "postal_code",
    )
    list_filter = ("status", "event_type", "is_official", ("starts_at", admin.DateFieldListFilter))
    search_fields = ("title", "host__email", "postal_code")
    date_hierarchy = "starts_at"
    list_select_related = ("host",)
    raw_id_fields = ("host", "group", "campaign", "approved_by")
    inlines = (ShiftInline,)
    actions = ("approve_selected", "cancel_selected")
    readonly_fields = (
        "status",
        "host",
        "time_zone",
        "starts_at",
        "ends_at",
        "latitude",
        "longitude",
        "approved_by",
        "approved_at",
        "cancelled_at",
        "created_at",
        "updated_at",
        "reported_at",
    )
    fields = (
        "title",
        "event_type",
        "status",
        "is_official",
        "host",
        "group",
        "campaign",
        "description",
        "time_zone",
        "starts_at",
        "ends_at",
        "venue_name",
        "address_line",
        "locality",
        "region",
        "postal_code",
        "country",
        "latitude",
        "longitude",
        "hide_address",
        "is_virtual",
        "virtual_url",
        "accessibility_notes",
        "approved_by",
        "approved_at",
        "cancelled_at",
        "reported_at",
        "doors_knocked",
        "calls_made",
        "report_notes",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Cancel instead: attendees are told, and the record of who came stays.
        return False

    def save_model(self, request: HttpRequest, obj: Event, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="event.admin_change",
            subject=obj,
            details={"fields": sorted(form.changed_data)},
        )

    def _apply(
        self, request: HttpRequest, queryset: QuerySet[Event], action: Any, done: str
    ) -> None:
        count = 0
        for event in queryset:
            try:
                action(event=event, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{event}: {' '.join(error.messages)}", messages.WARNING)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Approve and publish the selected events"))
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        count = queryset.count()
        self._apply(
            request,
            queryset,
            event_approve,
            ngettext("%(count)s event approved.", "%(count)s events approved.", count),
        )

    @admin.action(description=_("Cancel the selected events (attendees are told)"))
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Event]) -> None:
        count = queryset.count()
        self._apply(
            request,
            queryset,
            event_cancel,
            ngettext("%(count)s event cancelled.", "%(count)s events cancelled.", count),
        )


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("person", "event", "shift", "status", "attended", "created_at")
    list_filter = ("status", "attended")
    search_fields = ("person__email", "person__family_name", "event__title")
    list_select_related = ("person", "event", "shift")
    raw_id_fields = ("event", "shift", "person", "user", "referred_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in Attendance._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EventCampaign)
class EventCampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "starts_on", "ends_on", "archived_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request: HttpRequest, obj: EventCampaign, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="event_campaign.update" if change else "event_campaign.create",
            subject=obj,
            details={"fields": sorted(form.changed_data), "admin": True},
        )


@admin.register(TrustedHost)
class TrustedHostAdmin(admin.ModelAdmin):
    list_display = ("user", "granted_by", "granted_at")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    fields = ("user", "granted_by", "granted_at")
    readonly_fields = ("granted_by", "granted_at")
    list_select_related = ("user", "granted_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*self.readonly_fields, "user") if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: TrustedHost, form: Any, change: bool) -> None:
        if not change:
            saved = host_trust_grant(user=obj.user, actor=request.user)
            obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: TrustedHost) -> None:
        host_trust_revoke(user=obj.user, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TrustedHost]) -> None:
        for trust in queryset.select_related("user"):
            host_trust_revoke(user=trust.user, actor=request.user)


@admin.register(EventCoHost)
class EventCoHostAdmin(admin.ModelAdmin):
    list_display = ("user", "event", "added_by", "added_at")
    search_fields = ("user__email", "event__title")
    list_select_related = ("user", "event", "added_by")
    raw_id_fields = ("event", "user", "added_by")
    readonly_fields = ("event", "user", "added_by", "added_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Hosts add co-hosts from the event's tools (the co-host is emailed).
        return False

    def delete_model(self, request: HttpRequest, obj: EventCoHost) -> None:
        event_cohost_remove(event=obj.event, user=obj.user, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[EventCoHost]) -> None:
        for cohost in queryset.select_related("event", "user"):
            event_cohost_remove(event=cohost.event, user=cohost.user, actor=request.user)


@admin.register(EventMessage)
class EventMessageAdmin(admin.ModelAdmin):
    list_display = ("subject", "event", "kind", "sender", "created_at")
    list_filter = ("kind",)
    search_fields = ("subject", "event__title")
    list_select_related = ("event", "sender")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in EventMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
