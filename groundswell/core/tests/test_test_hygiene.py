"""No Python file imports a test module or a conftest (decision 0023).

Builders that tests share live in importable non-test modules (`<app>/testing.py`); fixtures
live in the conftest of the package that uses them and reach other packages through pytest's
conftest chain, never through an import. A test module imported from elsewhere runs its
module-level code twice, drags its fixtures into the importer's namespace (shadowing the
conftest chain's) and ties two test files together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCANNED = (ROOT / "groundswell", ROOT / "tests")


def _is_test_module(dotted: str) -> bool:
    """`*.tests.*`, `tests.*`, `test_*` or a conftest, at any depth."""
    return any(
        part in {"tests", "conftest"} or part.startswith("test_") for part in dotted.split(".")
    )


def _package_of(path: Path) -> list[str]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return parts[:-1]


def _imported(tree: ast.AST, package: list[str]) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every module a file imports, relative imports resolved; for
    `from X import a`, both X and X.a (a may be a module)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            yield node.lineno, module
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "pytest_plugins"
            for target in node.targets
        ):
            for value in ast.walk(node.value):
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield node.lineno, value.value


def _violations(source: str, path: Path) -> list[str]:
    tree = ast.parse(source, filename=str(path))
    first_per_line: dict[int, str] = {}
    for line, name in _imported(tree, _package_of(path)):
        if _is_test_module(name):
            first_per_line.setdefault(line, name)
    where = path.relative_to(ROOT)
    return [f"{where}:{line} imports {name}" for line, name in sorted(first_per_line.items())]


def _python_files() -> Iterator[Path]:
    yield ROOT / "conftest.py"
    for top in SCANNED:
        yield from sorted(top.rglob("*.py"))


def test_no_file_imports_a_test_module_or_a_conftest():
    found = [v for path in _python_files() for v in _violations(path.read_text(), path)]
    assert found == [], (
        "move shared builders to <app>/testing.py and fixtures to the package's conftest:\n"
        + "\n".join(found)
    )


def _fixtures(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            "fixture" in ast.unparse(decorator) for decorator in node.decorator_list
        ):
            yield node


def test_a_fixture_is_defined_once():
    """One definition per fixture name, across every conftest and test module: a name that
    means two things in two packages (or a copy that drifts) is fixed by folding the copies
    into the nearest shared conftest, or by renaming one."""
    where: dict[str, list[str]] = {}
    for path in _python_files():
        for node in _fixtures(ast.parse(path.read_text(), filename=str(path))):
            where.setdefault(node.name, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    defined_twice = {name: places for name, places in where.items() if len(places) > 1}
    assert defined_twice == {}, "\n".join(
        f"{name}: {', '.join(places)}" for name, places in sorted(defined_twice.items())
    )


def test_every_conftest_has_fixtures_or_hooks():
    """A conftest exists only where its package has fixtures (or pytest hooks) of its own."""
    empty = [
        str(path.relative_to(ROOT))
        for path in _python_files()
        if path.name == "conftest.py"
        and not any(
            isinstance(node, ast.FunctionDef)
            for node in ast.parse(path.read_text(), filename=str(path)).body
        )
    ]
    assert empty == []


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("from groundswell.conftest import make_member", True),
        ("from groundswell.api.tests.conftest import ApiClient", True),
        ("from groundswell.api.tests.test_auth import DENIED_TOKENS", True),
        ("from groundswell.api.tests import test_auth", True),
        ("import groundswell.events.tests.find_helpers", True),
        ("from tests.browser.conftest import live", True),
        ("from .conftest import upload", True),
        ("from . import test_views", True),
        ("from .helpers import make_event", True),  # a sibling inside a tests package
        ("pytest_plugins = ['groundswell.events.tests.fixtures']", True),
        ("from groundswell.accounts.testing import make_member", False),
        ("from django.test import TestCase", False),
        ("from groundswell.geo.testing import postal_codes_put", False),
    ],
)
def test_the_guard_sees_every_way_of_importing_a_test_module(source, caught):
    path = ROOT / "groundswell" / "accounts" / "tests" / "test_example.py"
    assert bool(_violations(source, path)) is caught
