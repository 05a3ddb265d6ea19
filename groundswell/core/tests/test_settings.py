"""The settings helpers (env_bool) and the split between production and test settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from groundswell.settings import BASE_DIR, env_bool


@pytest.mark.parametrize("value", ["1", "true", "TRUE", "Yes", "on", " on ", "True\n"])
def test_env_bool_reads_true(monkeypatch, value):
    monkeypatch.setenv("GS_FLAG", value)
    assert env_bool("GS_FLAG") is True


@pytest.mark.parametrize("value", ["0", "false", "False", "NO", "off", " off "])
def test_env_bool_reads_false(monkeypatch, value):
    monkeypatch.setenv("GS_FLAG", value)
    assert env_bool("GS_FLAG", True) is False


@pytest.mark.parametrize("default", [True, False])
def test_env_bool_unset_or_empty_is_the_default(monkeypatch, default):
    monkeypatch.delenv("GS_FLAG", raising=False)
    assert env_bool("GS_FLAG", default) is default
    monkeypatch.setenv("GS_FLAG", "  ")
    assert env_bool("GS_FLAG", default) is default


@pytest.mark.parametrize("value", ["maybe", "2", "y", "enabled", "tru"])
def test_env_bool_refuses_what_it_does_not_know(monkeypatch, value):
    monkeypatch.setenv("GS_FLAG", value)
    with pytest.raises(ImproperlyConfigured) as raised:
        env_bool("GS_FLAG")
    assert "GS_FLAG" in str(raised.value) and repr(value) in str(raised.value)


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_SETTINGS")) and key != "DEBUG"
    }
    return {**env, **extra}


def test_a_mistyped_boolean_stops_the_start_up_naming_the_variable(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", "import groundswell.settings"],
        env=_production_env(DATA_DIR=str(tmp_path), DEBUG="maybe"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured: DEBUG='maybe' is not a boolean" in done.stderr


def test_production_settings_have_none_of_the_test_values(tmp_path):
    """Imported without pytest's test settings, the settings are production's."""
    code = (
        "import json, pytest, groundswell.settings as s; print(json.dumps({"
        "'data_dir': str(s.DATA_DIR), 'tasks': s.TASKS['default']['BACKEND'],"
        "'hasher': s.PASSWORD_HASHERS[0], 'static': s.STORAGES['staticfiles']['BACKEND'],"
        "'cache': s.CACHES['default']['BACKEND']}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_production_env(DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        check=True,
    )
    values = json.loads(done.stdout)
    assert values["data_dir"] == str(tmp_path.resolve())
    assert "Immediate" not in values["tasks"]
    assert "MD5" not in values["hasher"]
    assert "whitenoise" in values["static"]
    assert "locmem" not in values["cache"]
    assert (tmp_path / "secret_key").exists()  # generated, as `make run` does


def test_tests_run_on_the_test_settings_in_a_data_dir_of_their_own():
    assert settings.SETTINGS_MODULE == "groundswell.settings_test"
    assert settings.PASSWORD_HASHERS[0].endswith("MD5PasswordHasher")
    if given := os.environ.get("DATA_DIR"):
        assert Path(given).resolve() == settings.DATA_DIR
    else:
        # A folder of this process's own, not left in the environment (where xdist workers
        # and subprocesses would inherit it).
        assert settings.DATA_DIR.name.startswith("groundswell-test-")
        assert settings.DATA_DIR != BASE_DIR / "var"
