"""A current-state report as computed (``engine.analysis.baseline``): kept whole in ``result``
with the period and the data it read, so every figure on its page traces back to the report."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class BaselineReport(models.Model):
    period = models.CharField(max_length=50)  # as asked: 2026-Q1, 2026-01-01..2026-03-31
    label = models.CharField(max_length=50)  # the engine's label of the whole period
    time_zone = models.CharField(max_length=64)
    job = models.OneToOneField(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    computed_at = models.DateTimeField()
    headcount = models.IntegerField(default=0)
    result = models.JSONField()

    class Meta:
        ordering = ("-computed_at", "-id")
