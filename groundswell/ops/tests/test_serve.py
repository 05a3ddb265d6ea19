"""`groundswell serve` end to end: the production server and worker start, answer, and stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def scratch_database_url():
    """On PostgreSQL runs, `serve` gets a database of its own (dropped afterwards)."""
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        yield ""
        return
    import psycopg

    server, _, _name = base.rpartition("/")
    name = f"gs_serve_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# With REDIS_URL, serve queues the daily prune on the shared Redis's "default" queue: it runs
# on the same xdist worker as the other tests of that queue (core/tests/test_task_prune.py).
@pytest.mark.xdist_group("redis-default-queue")
def test_serve_starts_web_and_worker_then_stops_on_ctrl_c(tmp_path: Path, scratch_database_url):
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_SETTINGS"))
    }
    env.update(DATA_DIR=str(tmp_path / "data"), PORT=str(port), WEB_WORKERS="1")
    if scratch_database_url:
        env["DATABASE_URL"] = scratch_database_url
    process = subprocess.Popen(
        [sys.executable, "-m", "groundswell", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    health = json.loads(resp.read())
                    break
            except OSError:
                time.sleep(0.5)
        if health is None:
            process.send_signal(signal.SIGINT)
            output = process.communicate(timeout=30)[0]
            pytest.fail(f"server never answered /healthz; its output:\n{output[-3000:]}")
        assert health["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
            page = resp.read().decode()
            assert resp.headers["Content-Security-Policy"]
        assert "Skip to main content" in page
        # Static files are served by WhiteNoise with the production (hashed) storage.
        css_path = page.split('rel="stylesheet" href="')[1].split('"')[0]
        assert ".css" in css_path and css_path != "/static/groundswell/site.css"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{css_path}", timeout=5) as resp:
            assert resp.status == 200
        assert (tmp_path / "data" / "secret_key").exists()
        # The task worker runs at a lower CPU priority than the web server.
        assert _children_niceness(process.pid) == {"web": 0, "worker": 10}
        # Two threads per web worker on PostgreSQL, one on SQLite (decision 0018).
        threads = "2" if scratch_database_url else "1"
        assert f"--blocking-threads {threads} " in _child_command(process.pid, "granian")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert f"http://127.0.0.1:{port}" in output
    assert "supporter@demo.groundswell.test" in output
    assert "Groundswell stopped." in output
    assert process.returncode == 0


def _children_niceness(pid: int) -> dict[str, int]:
    """The nice value of serve's two children, read from /proc (Linux)."""
    found = {}
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for child in children:
        command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        # Field 19 of /proc/<pid>/stat, counted after the ")" that ends the command name.
        nice = int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[16])
        found["worker" if ("db_worker" in command or "rqworker" in command) else "web"] = nice
    return found


def _child_command(pid: int, name: str) -> str:
    """The command line of serve's child whose command mentions `name` (Linux)."""
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        if name in command:
            return command
    raise AssertionError(f"no child of serve runs {name}")
