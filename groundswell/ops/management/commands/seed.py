from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from groundswell.ops.demo import DEMO_LOGINS, DEMO_PASSWORD, demo_seed
from groundswell.ops.seeding.base import Progress
from groundswell.ops.seeding.runner import (
    SeedConflict,
    seed_generate,
    seed_run_current,
    seed_run_info,
)


class Command(BaseCommand):
    help = (
        "Load demo data (idempotent: a second run adds nothing), or with --scale a "
        "deterministic campaign-scale data set (1.0 = 2 million members; see docs/seeding.md)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--demo", action="store_true", default=True, help="The small demo set")
        parser.add_argument("--members", type=int, default=40, help="Demo members")
        parser.add_argument("--seed", type=int, default=2008, help="Random seed (deterministic)")
        parser.add_argument(
            "--scale",
            type=float,
            default=None,
            help="Generate the campaign-scale data set at this scale (1.0 = MyBO 2008)",
        )
        parser.add_argument(
            "--info",
            action="store_true",
            help="Print the generated data set held by this database as JSON ({} if none)",
        )

    def handle(self, *args: Any, members: int, seed: int, **options: Any) -> None:
        if options["info"]:
            self.stdout.write(json.dumps(seed_run_info(seed_run_current()), indent=2))
            return
        if options["scale"] is not None:
            self._scale(scale=options["scale"], seed=seed, verbosity=options["verbosity"])
            return
        created = demo_seed(members=members, seed=seed)
        if created:
            self.stdout.write(f"Demo data loaded: {created} members.")
        else:
            self.stdout.write("Demo data already present; nothing added.")
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Demo logins (password {DEMO_PASSWORD}): " + ", ".join(e for _, e in DEMO_LOGINS)
            )

    def _scale(self, *, scale: float, seed: int, verbosity: int) -> None:
        progress = Progress(sys.stderr if verbosity >= 1 else None)
        try:
            outcome = seed_generate(scale=scale, seed=seed, progress=progress)
        except (SeedConflict, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        run = outcome.run
        if verbosity < 1:
            return
        if not outcome.ran:
            self.stdout.write(
                f"Generated data for scale {scale:g}, seed {seed} already present; nothing added."
            )
        for table, rows in run.counts.items():
            seconds = progress.seconds.get(table)
            rate = (
                f"  {rows / seconds:>10,.0f} rows/s writing"
                if seconds and table in progress.counts
                else ""
            )
            self.stdout.write(f"{table:<24} {rows:>12,}{rate}")
        if outcome.ran:
            total = sum(progress.counts.values())
            self.stdout.write(
                f"Generated {total:,} rows in {outcome.seconds:,.1f}s "
                f"({total / max(outcome.seconds, 1e-9):,.0f} rows/s) for scale {scale:g}, seed {seed}; "
                f"steps: {', '.join(outcome.ran)}."
            )
        if outcome.skipped:
            self.stdout.write(f"Skipped (tables not there yet): {', '.join(outcome.skipped)}.")
        self.stdout.write(f"Members log in with the password {DEMO_PASSWORD}.")
