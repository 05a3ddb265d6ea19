"""The import contracts cannot go blind (decision 0022).

import-linter checks only the modules a contract names. `exhaustive = true` makes it fail on
any module a contract leaves out, but only inside the contract's containers; this test makes
sure every app is such a container, so a new app is checked from its first file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
PYPROJECT = PACKAGE.parent / "pyproject.toml"


def _contracts() -> list[dict]:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def _exhaustive_containers() -> set[str]:
    return {
        container
        for contract in _contracts()
        if contract["type"] == "layers" and contract.get("exhaustive")
        for container in contract.get("containers", [])
    }


def test_the_app_order_names_every_top_level_module():
    assert "groundswell" in _exhaustive_containers()


def test_every_app_has_an_exhaustive_layers_contract():
    apps = sorted(f"groundswell.{path.parent.name}" for path in PACKAGE.glob("*/__init__.py"))
    covered = _exhaustive_containers()
    assert [app for app in apps if app not in covered] == []
