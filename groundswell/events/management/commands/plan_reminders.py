"""`groundswell plan_reminders`: run the event-reminder planner now (decision 0016).

Queues the reminders due in the next two hours that are not queued yet, and the planner's
next hourly run unless one is due already. `groundswell serve` runs it at start-up; in
production, where `serve` isn't used, the release step runs it once after `migrate`.
Running it again is harmless.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from groundswell.events.reminders.services import reminders_plan_run


class Command(BaseCommand):
    help = "Queue the event reminders due soon and make sure the hourly planner is queued."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = reminders_plan_run()
        self.stdout.write(
            f"Queued {outcome['queued']} shift reminder(s); the next planner run was "
            + ("queued now." if outcome.get("next_run_queued") else "already queued.")
        )
