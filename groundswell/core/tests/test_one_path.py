"""One way to queue a task and one way to send a mail, checked over the source tree.

Tasks are queued through `core.queue.task_enqueue_on_commit` (inside the transaction on the
database queue, on commit elsewhere: decision 0015); a second way drifts (a task queued
before its data commits, or lost after). Mail is built in a feature's `emails.py` from
templates and delivered by `core.mail` (in the recipient's language, decision 0012).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
MESSAGE_CLASSES = {"EmailMessage", "EmailMultiAlternatives"}


def _source_modules() -> Iterator[tuple[Path, ast.AST]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        yield path, ast.parse(path.read_text(), filename=str(path))


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    yield from (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(PACKAGE)}:{getattr(node, 'lineno', 0)}"


def test_tasks_are_queued_only_through_core_queue():
    queue_module = PACKAGE / "core" / "queue.py"
    found = [
        _where(path, call)
        for path, tree in _source_modules()
        if path != queue_module
        for call in _calls(tree)
        if isinstance(call.func, ast.Attribute) and call.func.attr in {"enqueue", "aenqueue"}
    ]
    assert found == [], "queue tasks with core.queue.task_enqueue_on_commit"


def test_mail_is_built_in_emails_modules_and_sent_only_by_core_mail():
    core_mail = {PACKAGE / "core" / "mail.py", PACKAGE / "core" / "tasks.py"}
    built_elsewhere, sent_elsewhere = [], []
    for path, tree in _source_modules():
        for call in _calls(tree):
            name = _name(call.func)
            if name in MESSAGE_CLASSES and path.name != "emails.py" and path not in core_mail:
                built_elsewhere.append(_where(path, call))
            sends = name in {"send", "send_messages", "send_mail", "send_mass_mail"}
            if sends and path not in core_mail and not _allowed_send(path, call):
                sent_elsewhere.append(_where(path, call))
    assert built_elsewhere == [], "build messages in the feature's emails.py"
    assert sent_elsewhere == [], "send through core.mail (email_enqueue / email_deliver)"


def _allowed_send(path: Path, call: ast.Call) -> bool:
    """allauth's adapter overrides `send_mail` to hand the message to core.mail."""
    return path == PACKAGE / "accounts" / "adapters.py"
