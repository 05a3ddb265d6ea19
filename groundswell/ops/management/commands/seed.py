from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from groundswell.ops.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Load demo data (idempotent: a second run adds nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--demo", action="store_true", default=True, help="The small demo set")
        parser.add_argument("--members", type=int, default=40)
        parser.add_argument("--seed", type=int, default=2008, help="Random seed (deterministic)")

    def handle(self, *args: Any, members: int, seed: int, **options: Any) -> None:
        created = demo_seed(members=members, seed=seed)
        if created:
            self.stdout.write(f"Demo data loaded: {created} members.")
        else:
            self.stdout.write("Demo data already present; nothing added.")
        if options["verbosity"] >= 1:
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}): " + ", ".join(e for _, e in DEMO_LOGINS))
