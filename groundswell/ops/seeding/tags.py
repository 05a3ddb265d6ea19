"""The tags step: a handful of staff segments, applied to `TAGGED_SHARE` of people."""

from __future__ import annotations

from typing import Any

from groundswell.ops.seeding import figures
from groundswell.ops.seeding.base import Step, StepContext
from groundswell.ops.seeding.people import CYCLE_SECONDS, joined_seconds
from groundswell.people.models import Tagging
from groundswell.people.services import tag_create

TAGGING_FIELDS = ("id", "tag_id", "person_id", "created_at", "modified_at")


def tags_run(ctx: StepContext) -> dict[str, Any]:
    people_result = ctx.results["people"]
    people, person_first = people_result["people"], people_result["person_first"]
    # Through the service: a handful of rows, and a tag that exists already (the demo's
    # "Volunteer leads") is reused rather than duplicated.
    tag_ids = [tag_create(name=name).pk for name in figures.TAG_NAMES]
    # Earlier tags are more common: weights 1, 1/2, 1/3...
    weights = [1 / (rank + 1) for rank in range(len(tag_ids))]
    table = [
        tag_id for tag_id, w in zip(tag_ids, weights, strict=True) for _ in range(round(60 * w))
    ]
    writer = ctx.writer(Tagging, TAGGING_FIELDS)
    tagging_id = ctx.next_id(Tagging)
    for chunk, start in enumerate(range(0, people, figures.CHUNK)):
        rng = ctx.rng(chunk)
        rand = rng.random
        rows = []
        for j in range(start, min(start + figures.CHUNK, people)):
            if rand() >= figures.TAGGED_SHARE:
                continue
            joined = joined_seconds(j, people)
            picked = {table[int(rand() * len(table))]}
            if rand() < figures.TAGGED_SECOND_SHARE:
                picked.add(table[int(rand() * len(table))])
            for tag_id in sorted(picked):
                when = ctx.timestamp(joined + rand() * (CYCLE_SECONDS - joined))
                rows.append((tagging_id, tag_id, person_first + j, when, when))
                tagging_id += 1
        with ctx.atomic():
            writer.write(rows)
    return {"tag_ids": tag_ids, "rows": {writer.table: writer.rows_written}}


STEP = Step(
    name="tags",
    models=("people.Tag", "people.Tagging"),
    per_scale={
        "people.Tagging": (figures.MEMBERS + figures.NON_MEMBER_PEOPLE)
        * figures.TAGGED_SHARE
        * (1 + figures.TAGGED_SECOND_SHARE),
    },
    run=tags_run,
    requires=("people",),
)
