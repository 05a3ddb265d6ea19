"""Group pages: the finder, a group's page and board, joining, leaders' tools."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groundswell.accounts.models import User
from groundswell.accounts.selectors import profile_for_owner
from groundswell.core.ratelimit import (
    RATE_LIMITED_MESSAGE,
    RATE_LIMITED_STATUS,
    rate_limit_consume,
)
from groundswell.groups.forms import (
    AnnouncementForm,
    GroupFinderForm,
    GroupForm,
    PostForm,
    RoleForm,
)
from groundswell.groups.models import Group, GroupMembership, GroupPost
from groundswell.groups.policies import (
    group_can_lead,
    group_can_manage,
    group_can_post,
    group_can_read_board,
    group_for_manager,
    group_for_viewer,
    group_member_can_remove,
    group_post_can_edit,
    group_post_can_remove,
    membership_of,
)
from groundswell.groups.selectors import (
    DEFAULT_RADIUS,
    group_board,
    group_find,
    group_get,
    group_member_list,
    group_members_for_manager,
    group_membership_get,
    group_page,
    group_people,
    group_post_get,
    group_upcoming_events,
    groups_of_member,
)
from groundswell.groups.services import (
    group_announcement_send,
    group_announcements_mute,
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
from groundswell.groups.text import post_text
from groundswell.groups.tokens import mute_token_read

FINDER_PAGE_SIZE = 20
BOARD_PAGE_SIZE = 20
MEMBERS_PAGE_SIZE = 50
MY_GROUPS_PAGE_SIZE = 25


class MemberRequest(HttpRequest):
    user: User


def _page(request: HttpRequest, queryset: QuerySet, per_page: int, param: str = "page") -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get(param))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _detail_url(group: Group, anchor: str = "") -> str:
    return reverse("groups:detail", args=[group.pk]) + (f"#{anchor}" if anchor else "")


def _group_for_leader(request: HttpRequest, group_id: int) -> tuple[Group, Any]:
    """The group if the viewer is its leader or staff; else the same 404 as missing."""
    group, membership = group_for_manager(request.user, group_id)
    if not group_can_lead(request.user, membership):
        raise Http404
    return group, membership


# --- Finder --------------------------------------------------------------------------------


def _map_data(page: Page, origin: Any) -> dict[str, Any]:
    markers = [
        {
            "lat": group.latitude,
            "lng": group.longitude,
            "title": group.name,
            "url": reverse("groups:detail", args=[group.pk]),
            "detail": ", ".join(p for p in (group.place_name, group.place_region) if p),
        }
        for group in page
        if group.latitude is not None and group.longitude is not None
    ]
    center = [origin.latitude, origin.longitude] if origin is not None else None
    return {"center": center, "markers": markers}


@require_safe
def finder(request: HttpRequest) -> HttpResponse:
    """`/groups/?near=ZIP&radius=MILES&focus=&q=`: nearest first, or largest first without
    a ZIP. A signed-in member's profile ZIP is the default."""
    params = request.GET.copy()
    if "near" not in params and request.user.is_authenticated:
        profile = profile_for_owner(user=request.user)
        if profile.postal_code:
            params["near"] = profile.postal_code
            params.setdefault("country", profile.country)
    form = GroupFinderForm(params)
    page = None
    search = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            search = group_find(
                near_code=data["near"],
                country=(params.get("country") or "US")[:2],
                radius_miles=data["radius"] or DEFAULT_RADIUS,
                focus=data["focus"],
                text=data["q"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("near", message)
        else:
            page = _page(request, search.groups, FINDER_PAGE_SIZE)
    context = {
        "form": form,
        "page_obj": page,
        "origin": search.origin if search else None,
        "radius": (form.cleaned_data.get("radius") if form.is_valid() else None) or DEFAULT_RADIUS,
        "map_data": _map_data(page, search.origin) if page is not None and search else None,
        "tile_url": settings.TILE_SERVER_URL,
    }
    return render(request, "groups/finder.html", context)


@require_safe
@login_required
def mine(request: MemberRequest) -> HttpResponse:
    page = _page(request, groups_of_member(user=request.user), MY_GROUPS_PAGE_SIZE)
    return render(request, "groups/mine.html", {"page_obj": page})


# --- Creating and editing ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def create(request: MemberRequest) -> HttpResponse:
    if request.method != "POST":
        profile = profile_for_owner(user=request.user)
        form = GroupForm(
            initial={"postal_code": profile.postal_code, "country": profile.country or "US"}
        )
        return render(request, "groups/form.html", {"form": form, "group": None})
    form = GroupForm(request.POST)
    if form.is_valid():
        if not rate_limit_consume(request=request, action="group.create"):
            form.add_error(None, RATE_LIMITED_MESSAGE)
            return render(
                request,
                "groups/form.html",
                {"form": form, "group": None},
                status=RATE_LIMITED_STATUS,
            )
        try:
            group = group_create(creator=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Your group is ready. Invite your neighbors!"))
            return redirect(_detail_url(group))
    return render(request, "groups/form.html", {"form": form, "group": None})


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: MemberRequest, group_id: int) -> HttpResponse:
    group, _membership = group_for_manager(request.user, group_id)
    if request.method != "POST":
        form = GroupForm(
            initial={
                "name": group.name,
                "focus": group.focus,
                "description": group.description,
                "postal_code": group.postal_code,
                "country": group.country,
                "meeting_area": group.meeting_area,
            }
        )
        return render(request, "groups/form.html", {"form": form, "group": group})
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            group_update(group=group, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The group was saved."))
            return redirect(_detail_url(group))
    return render(request, "groups/form.html", {"form": form, "group": group})


# --- A group's page ------------------------------------------------------------------------


def _board_context(
    request: HttpRequest,
    group: Group,
    membership: GroupMembership | None,
    *,
    form: PostForm | None = None,
    notice: str = "",
) -> dict[str, Any]:
    can_read = group_can_read_board(request.user)
    can_post = group_can_post(request.user, group, membership)
    posts = _page(request, group_board(group=group), BOARD_PAGE_SIZE, "board") if can_read else None
    return {
        "group": group,
        "membership": membership,
        "can_read_board": can_read,
        "can_post": can_post,
        "can_manage": group_can_manage(request.user, membership),
        "posts": posts,
        "post_form": form or (PostForm() if can_post else None),
        "board_notice": notice,
    }


@require_safe
def detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = group_page(viewer=request.user, group_id=group_id)
    return _detail_render(request, group)


def _detail_render(
    request: HttpRequest, group: Group, *, form: PostForm | None = None, status: int = 200
) -> HttpResponse:
    membership = membership_of(request.user, group)
    context = {
        **_board_context(request, group, membership, form=form),
        "people": group_people(viewer=request.user, group=group),
        "events": group_upcoming_events(group=group, now=timezone.now()),
        "can_lead": group_can_lead(request.user, membership),
    }
    return render(request, "groups/detail.html", context, status=status)


@require_safe
def members(request: HttpRequest, group_id: int) -> HttpResponse:
    group = group_for_viewer(request.user, group_id)
    page = _page(request, group_member_list(viewer=request.user, group=group), MEMBERS_PAGE_SIZE)
    hidden = group.member_count - page.paginator.count
    return render(
        request,
        "groups/members.html",
        {"group": group, "page_obj": page, "hidden": max(hidden, 0)},
    )


@require_POST
@login_required
def join(request: MemberRequest, group_id: int) -> HttpResponse:
    group = group_for_viewer(request.user, group_id)
    try:
        result = group_join(group=group, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if result.created:
            messages.success(request, _("Welcome to %(group)s!") % {"group": group.name})
        else:
            messages.info(request, _("You're already a member of this group."))
    return redirect(_detail_url(group))


@require_POST
@login_required
def leave(request: MemberRequest, group_id: int) -> HttpResponse:
    group = group_for_viewer(request.user, group_id)
    try:
        left = group_leave(group=group, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if left:
            messages.success(request, _("You left %(group)s.") % {"group": group.name})
    return redirect(_detail_url(group))


@require_POST
@login_required
def announcements_setting(request: MemberRequest, group_id: int) -> HttpResponse:
    group = group_for_viewer(request.user, group_id)
    muted = request.POST.get("muted") == "1"
    if not group_announcements_mute(group=group, user=request.user, muted=muted):
        raise Http404
    if muted:
        messages.success(request, _("You won't get announcement emails from this group."))
    else:
        messages.success(request, _("You'll get this group's announcements by email."))
    return redirect(_detail_url(group))


@csrf_exempt  # RFC 8058: the mail client POSTs with no cookie; the signed token authorizes.
@require_http_methods(["GET", "POST"])
def mute(request: HttpRequest, token: str) -> HttpResponse:
    """One-click "stop announcements from this group". GET asks (link scanners follow
    links), POST (the button, or the mail client's one-click) does it."""
    ids = mute_token_read(token)
    if ids is None:
        raise Http404
    group = group_get(group_id=ids[0])
    user = User.objects.filter(pk=ids[1]).first()
    if group is None or user is None:
        raise Http404
    done = False
    if request.method == "POST":
        group_announcements_mute(group=group, user=user, muted=True)
        done = True
    return render(request, "groups/mute.html", {"group": group, "done": done, "token": token})


# --- The board -----------------------------------------------------------------------------


def _board_response(
    request: HttpRequest,
    group: Group,
    *,
    form: PostForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    membership = membership_of(request.user, group)
    context = _board_context(request, group, membership, form=form, notice=notice)
    return render(request, "groups/_board.html", context, status=status)


@require_POST
@login_required
def post_create(request: MemberRequest, group_id: int) -> HttpResponse:
    group = group_for_viewer(request.user, group_id)
    form = PostForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = group_post_get(group=group, post_id=form.cleaned_data["parent"])
            if parent is None:
                raise Http404
        if not rate_limit_consume(request=request, action="group.post"):
            form.add_error(None, RATE_LIMITED_MESSAGE)
            return _post_form_again(request, group, form, status=RATE_LIMITED_STATUS)
        try:
            group_post_create(
                group=group, author=request.user, body=form.cleaned_data["body"], parent=parent
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            notice = _("Your reply is on the board.") if parent else _("Your post is on the board.")
            if _is_htmx(request):
                return _board_response(request, group, notice=notice)
            messages.success(request, notice)
            return redirect(_detail_url(group, "board"))
    return _post_form_again(request, group, form)


def _post_form_again(
    request: HttpRequest, group: Group, form: PostForm, *, status: int = 200
) -> HttpResponse:
    """The board (htmx) or the group's page with the refused post still in the form."""
    if _is_htmx(request):
        return _board_response(request, group, form=form, status=status)
    group = group_page(viewer=request.user, group_id=group.pk)
    return _detail_render(request, group, form=form, status=status)


def _post_for(request: HttpRequest, group_id: int, post_id: int) -> tuple[Group, GroupPost]:
    group = group_for_viewer(request.user, group_id)
    post = group_post_get(group=group, post_id=post_id)
    if post is None:
        raise Http404
    return group, post


@require_http_methods(["GET", "POST"])
@login_required
def post_edit(request: MemberRequest, group_id: int, post_id: int) -> HttpResponse:
    group, post = _post_for(request, group_id, post_id)
    if not group_post_can_edit(request.user, post):
        raise Http404
    if request.method != "POST":
        form = PostForm(initial={"body": post_text(post.body)})
    else:
        form = PostForm(request.POST)
        if form.is_valid():
            try:
                group_post_update(post=post, actor=request.user, body=form.cleaned_data["body"])
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Your post was updated."))
                return redirect(_detail_url(group, f"post-{post.pk}"))
    return render(request, "groups/post_edit.html", {"group": group, "post": post, "form": form})


@require_POST
@login_required
def post_delete(request: MemberRequest, group_id: int, post_id: int) -> HttpResponse:
    group, post = _post_for(request, group_id, post_id)
    if not group_post_can_remove(request.user, post, membership_of(request.user, group)):
        raise Http404
    group_post_remove(post=post, actor=request.user)
    notice = _("The post was removed.")
    if _is_htmx(request):
        return _board_response(request, group, notice=notice)
    messages.success(request, notice)
    return redirect(_detail_url(group, "board"))


# --- Leaders' tools ------------------------------------------------------------------------


@require_safe
@login_required
def manage(request: MemberRequest, group_id: int) -> HttpResponse:
    group, membership = group_for_manager(request.user, group_id)
    page = _page(request, group_members_for_manager(group=group), MEMBERS_PAGE_SIZE)
    can_lead = group_can_lead(request.user, membership)
    rows = [
        {
            "membership": m,
            "can_remove": m.user_id != request.user.pk
            and group_member_can_remove(membership, m, actor=request.user),
            "role_form": RoleForm(initial={"role": m.role}, prefix=f"m{m.user_id}")
            if can_lead and m.role != GroupMembership.Role.LEADER
            else None,
        }
        for m in page
    ]
    return render(
        request,
        "groups/manage.html",
        {"group": group, "page_obj": page, "rows": rows, "can_lead": can_lead},
    )


@require_POST
@login_required
def member_role(request: MemberRequest, group_id: int, user_id: int) -> HttpResponse:
    group, _membership = _group_for_leader(request, group_id)
    target = group_membership_get(group=group, user_id=user_id)
    if target is None:
        raise Http404
    form = RoleForm(request.POST, prefix=f"m{user_id}")
    if not form.is_valid():
        messages.error(request, _("Choose co-leader or member."))
        return redirect("groups:manage", group_id=group.pk)
    try:
        group_member_role_set(
            group=group, actor=request.user, user=target.user, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The role was changed."))
    return redirect("groups:manage", group_id=group.pk)


@require_POST
@login_required
def member_remove(request: MemberRequest, group_id: int, user_id: int) -> HttpResponse:
    group, membership = group_for_manager(request.user, group_id)
    target = group_membership_get(group=group, user_id=user_id)
    if target is None:
        raise Http404
    if target.user_id == request.user.pk or not group_member_can_remove(
        membership, target, actor=request.user
    ):
        raise PermissionDenied
    group_member_remove(group=group, actor=request.user, user=target.user)
    messages.success(request, _("The member was removed from the group."))
    return redirect("groups:manage", group_id=group.pk)


@require_http_methods(["GET", "POST"])
@login_required
def leadership_transfer(request: MemberRequest, group_id: int, user_id: int) -> HttpResponse:
    group, _membership = _group_for_leader(request, group_id)
    target = group_membership_get(group=group, user_id=user_id)
    if target is None or target.role == GroupMembership.Role.LEADER:
        raise Http404
    if request.method == "POST":
        group_leadership_transfer(group=group, actor=request.user, to_user=target.user)
        messages.success(request, _("Leadership was handed over. You are now a co-leader."))
        return redirect(_detail_url(group))
    return render(request, "groups/transfer_confirm.html", {"group": group, "target": target})


@require_http_methods(["GET", "POST"])
@login_required
def announce(request: MemberRequest, group_id: int) -> HttpResponse:
    group, _membership = group_for_manager(request.user, group_id)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not rate_limit_consume(request=request, action="group.announce"):
            form.add_error(None, RATE_LIMITED_MESSAGE)
            return render(
                request,
                "groups/announce.html",
                {"group": group, "form": form},
                status=RATE_LIMITED_STATUS,
            )
        try:
            announcement = group_announcement_send(
                group=group, sender=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            count = announcement.recipient_count
            messages.success(
                request,
                ngettext(
                    "Your announcement is on its way to %(count)d member.",
                    "Your announcement is on its way to %(count)d members.",
                    count,
                )
                % {"count": count},
            )
            return redirect(_detail_url(group))
    return render(request, "groups/announce.html", {"group": group, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def archive(request: MemberRequest, group_id: int) -> HttpResponse:
    group, _membership = _group_for_leader(request, group_id)
    if request.method == "POST":
        group_archive(group=group, actor=request.user)
        messages.success(request, _("The group was archived."))
        return redirect(_detail_url(group))
    return render(request, "groups/archive_confirm.html", {"group": group})
