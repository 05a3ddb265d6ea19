"""The shared staff policy: the same answer for every persona, and no copies elsewhere."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from groundswell.accounts.models import User
from groundswell.core.policies import (
    is_signed_in,
    is_staff,
    staff_or_403,
    staff_or_404,
    staff_scope,
)

PACKAGE = Path(__file__).resolve().parents[2]


@pytest.fixture
def inactive_organizer(organizer):
    organizer.is_active = False
    organizer.save(update_fields=["is_active"])
    return organizer


@pytest.mark.parametrize(
    ("persona", "signed_in", "staff"),
    [
        ("anonymous", False, False),
        ("member", True, False),
        ("organizer", True, True),
        ("hq", True, True),
        ("inactive_organizer", False, False),
    ],
)
def test_each_persona_gets_one_answer_from_every_form(request, persona, signed_in, staff):
    viewer = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)

    assert is_signed_in(viewer) is signed_in
    assert is_staff(viewer) is staff
    everyone = User.objects.all()
    assert staff_scope(viewer, everyone).count() == (everyone.count() if staff else 0)
    if staff:
        staff_or_404(viewer)
        staff_or_403(viewer)
    else:
        with pytest.raises(Http404):
            staff_or_404(viewer)
        with pytest.raises(PermissionDenied):
            staff_or_403(viewer)


def test_none_and_plain_objects_are_not_staff():
    assert is_staff(None) is False
    assert is_staff(object()) is False


def test_no_app_keeps_its_own_copy_of_the_staff_check():
    """One policy: a second `is_staff` helper would drift from this one (region scoping)."""
    copies = []
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        if path == PACKAGE / "core" / "policies.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") in {
                "is_staff",
                "require_staff",
            }:
                copies.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
    assert copies == []
