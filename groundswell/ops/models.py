"""What `groundswell seed --scale` generated into this database."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SeedRun(models.Model):
    """A generated data set: its scale, seed, the schema it was made for and what it holds.

    A database holds at most one. `finished_at` is empty while a run is writing (or after
    one stopped half-way, which leaves the data unusable). `steps` maps each generator step
    that ran to its result (id ranges and counts later steps and benchmarks use).
    """

    scale = models.FloatField(_("scale"))
    seed = models.BigIntegerField(_("seed"))
    schema_version = models.CharField(_("schema version"), max_length=64)
    counts = models.JSONField(_("rows per table"), default=dict)
    steps = models.JSONField(_("steps"), default=dict)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("seed run")
        verbose_name_plural = _("seed runs")

    def __str__(self) -> str:
        return f"scale {self.scale:g}, seed {self.seed}"
