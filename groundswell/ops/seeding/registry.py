"""The generator steps, in the order they run.

A feature that adds tables adds its step here: a module in this package with a `STEP`
(see base.Step) whose counts come from figures.py, e.g.

    # groundswell/ops/seeding/donations.py
    STEP = Step(name="donations", models=("donations.Donation",),
                per_scale={"donations.Donation": figures.DONATIONS},
                run=donations_run, requires=("people",))

A step whose tables don't exist (app not installed, or not migrated) is skipped and runs the
next time `groundswell seed` is called with the same scale and seed.
"""

from __future__ import annotations

from groundswell.ops.seeding import events, groups, people, tags
from groundswell.ops.seeding.base import Step

STEPS: tuple[Step, ...] = (people.STEP, tags.STEP, groups.STEP, events.STEP)


def step_get(name: str) -> Step:
    for step in STEPS:
        if step.name == name:
            return step
    raise KeyError(name)
