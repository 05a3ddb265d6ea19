"""`groundswell serve` (what `make run` runs): prepare, then run the web server and task worker.

Prepares idempotently (migrate, collect static files, compile nothing at run time, seed the
demo data once, queue the daily task-results prune unless one is queued, run the event
reminder planner once), then starts granian (production WSGI server, DEBUG off) and the task
worker as child processes, prints where to go and who to log in as, and stops both cleanly
on Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from groundswell.core.tasks import task_results_prune_schedule
from groundswell.events.reminders.services import reminders_plan_run
from groundswell.ops.demo import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Migrate, seed demo data, and run the web server and the task worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--dev", action="store_true", help="Django's autoreloading runserver")
        parser.add_argument("--no-seed", action="store_true", help="Skip the demo data")

    def handle(self, *args: Any, dev: bool = False, no_seed: bool = False, **options: Any) -> None:
        host = os.environ.get("HOST", "127.0.0.1")
        port = int(os.environ.get("PORT", "8000"))
        # One per core (decision 0003); more measured worse for cached pages (decision 0015).
        workers = int(os.environ.get("WEB_WORKERS", str(min(os.cpu_count() or 2, 4))))
        # Two threads per worker on PostgreSQL, whose queries are network round trips a
        # second request can use the CPU during; one on SQLite (decision 0018).
        on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
        threads = os.environ.get("WEB_THREADS", "2" if on_postgres else "1")

        call_command("migrate", interactive=False, verbosity=0)
        if not dev:
            call_command("collectstatic", interactive=False, verbosity=0)
        # Demo logins have a published password: only on a local install.
        seed_demo = settings.SITE_IS_LOCAL and not no_seed
        if seed_demo:
            call_command("seed", demo=True, verbosity=0)
        # The daily prune of finished task results: queued once, however often serve restarts.
        task_results_prune_schedule()
        # Event reminders due soon, and the hourly planner run (one schedule however often
        # serve restarts).
        reminders_plan_run()

        groundswell = [sys.executable, "-m", "groundswell"]
        if dev:
            web = [*groundswell, "runserver", f"{host}:{port}"]
        elif os.environ.get("WEB_SERVER") == "gunicorn":
            # The alternative measured against granian (docs/decisions/0003-web-server.md).
            web = [
                sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}",
                "--workers", str(workers), "--log-level", "warning",
                "groundswell.wsgi:application",
            ]  # fmt: skip
        else:
            web = [
                sys.executable, "-m", "granian", "--interface", "wsgi",
                "--host", host, "--port", str(port), "--workers", str(workers),
                # Few blocking threads per worker: granian's default (many) multiplies tail
                # latency and database connections (decisions 0003 and 0018).
                "--blocking-threads", threads, "--backlog", "1024",
                "--no-ws", "--log-level", "warning",
                "groundswell.wsgi:application",
            ]  # fmt: skip
        if settings.REDIS_URL:
            worker = [
                *groundswell, "rqworker", "default",
                "--job-class", "django_tasks_rq.Job", "--with-scheduler",
            ]  # fmt: skip
        else:
            worker = (
                [*groundswell, "db_worker", "--no-startup-delay"]
                if not os.environ.get("NO_WORKER")
                else ["sleep", "100000"]
            )
            if not dev:
                worker.append("--no-reload")

        # The worker yields the CPU to the web server when both want it: a page someone is
        # waiting for comes before a mail leaving a few seconds sooner (decision 0015).
        worker_nice = int(os.environ.get("WORKER_NICE", "10"))
        children = [
            subprocess.Popen(web),
            subprocess.Popen(worker, preexec_fn=_niceness(worker_nice)),
        ]
        self._print_banner(host, port, demo=seed_demo)

        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                if any(child.poll() is not None for child in children):
                    self.stderr.write("A child process exited; stopping Groundswell.")
                    break
                time.sleep(0.3)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
            self.stdout.write("Groundswell stopped.")
        failed = [child.returncode for child in children if child.returncode not in (0, -15, None)]
        if failed and not stopping:
            sys.exit(1)

    def _print_banner(self, host: str, port: int, *, demo: bool) -> None:
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
        lines = [
            "",
            f"Groundswell is running at http://{shown_host}:{port}",
            f"Mail is written to {settings.MAIL_DIR} (one .eml file per message)"
            if "EmlFileBackend" in settings.MAILERS["default"]["BACKEND"]
            else "Mail goes through the configured EMAIL_URL",
            *(
                [
                    "Demo logins (password for all: " + DEMO_PASSWORD + "):",
                    *(f"  {role:<10} {email}" for role, email in DEMO_LOGINS),
                ]
                if demo
                else ["No demo data (SITE_URL is not local, or --no-seed)."]
            ),
            "Press Ctrl-C to stop.",
            "",
        ]
        self.stdout.write("\n".join(lines))


def _niceness(increment: int) -> Callable[[], None] | None:
    """Run in the child before exec: lower its CPU priority by `increment` (0: unchanged)."""
    if increment <= 0:
        return None

    def lower() -> None:
        os.nice(increment)

    return lower
