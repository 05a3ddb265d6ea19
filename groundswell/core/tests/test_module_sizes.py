"""No Python module over 600 lines outside migrations and tests (issue 8).

A module that grows past that has usually become two features in one file and a merge
hotspot: split it along feature lines (a package with one module per feature) before adding
to it. Migrations are generated and tests may be long lists of cases, so both are left out.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
MAX_LINES = 600


def test_no_module_is_over_600_lines():
    too_long = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if "migrations" in relative.parts or "tests" in relative.parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            too_long[str(relative)] = lines
    assert too_long == {}, f"split these modules along feature lines (max {MAX_LINES} lines)"
