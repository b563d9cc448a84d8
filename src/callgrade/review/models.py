"""Review: lead comments, promotion nominations and appeals."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class Comment(models.Model):
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="comments")
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class Nomination(models.Model):
    PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
    STATES = [(PENDING, _("pending")), (APPROVED, _("approved")), (REJECTED, _("rejected"))]

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="nominations")
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="nominations"
    )
    level_to = models.CharField(_("proposed level"), max_length=50)
    reason = models.TextField(_("reason"))
    nominated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    nominated_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=STATES, default=PENDING)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-nominated_at", "-id"]


class Appeal(models.Model):
    OPEN, UPHELD, REJECTED = "open", "upheld", "rejected"
    STATES = [(OPEN, _("open")), (UPHELD, _("upheld")), (REJECTED, _("rejected"))]

    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.CASCADE, related_name="appeals")
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="appeals"
    )
    # What is disputed: a KPI of a rating period, and optionally one record behind it.
    kpi = models.CharField(_("indicator"), max_length=50, blank=True)
    period = models.CharField(_("period"), max_length=20, blank=True)
    target_table = models.CharField(max_length=50, blank=True)
    record_id = models.CharField(max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    filed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=20, choices=STATES, default=OPEN)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    recomputed = models.BooleanField(default=False)
    # The employee's figures when HR upheld it (what "before → after" shows the agent).
    before = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
