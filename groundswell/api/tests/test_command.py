"""`groundswell create_api_token`: the token is on the last line, for scripts."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from groundswell.api.models import ApiToken
from groundswell.api.testing import ApiClient


def _run(*args: str) -> list[str]:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out)
    return out.getvalue().rstrip("\n").split("\n")


def test_prints_a_working_token_on_the_last_line(hq):
    lines = _run("--email", "HQ@example.org", "--scope", "write", "--name", "warehouse")
    secret = lines[-1]
    token = ApiToken.objects.get()
    assert secret.startswith(token.prefix) and " " not in secret
    assert (token.user, token.scope, token.name, token.created_by) == (
        hq,
        "write",
        "warehouse",
        None,
    )
    api = ApiClient(Client(), secret)
    assert api.post("/api/v1/tags", {"name": "From the command line"}).status_code == 200


def test_scope_defaults_to_read(hq):
    secret = _run("--email", "hq@example.org")[-1]
    assert ApiToken.objects.get().scope == "read"
    assert ApiClient(Client(), secret).post("/api/v1/tags", {"name": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--email", "nobody@example.org"], "No member"),
        (["--email", "member@example.org"], "staff"),
    ],
)
def test_refuses_unknown_and_non_staff_owners(member, args, fragment):
    with pytest.raises(CommandError, match=fragment):
        _run(*args)
    assert not ApiToken.objects.exists()


def test_rejects_an_unknown_scope(hq):
    with pytest.raises(CommandError):
        _run("--email", "hq@example.org", "--scope", "admin")
