"""What every domain uses: the audit trail (who, when, what, before, after, why), in-app
notifications and background jobs with progress the pages poll."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=50)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    text_en = models.TextField()
    text_zh = models.TextField()
    url = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    read = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]


class Job(models.Model):
    """A background task with progress the pages poll."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [
        (QUEUED, _("queued")),
        (RUNNING, _("running")),
        (DONE, _("done")),
        (FAILED, _("failed")),
    ]

    kind = models.CharField(max_length=50)
    cycle = models.ForeignKey(
        "cycles.Cycle", on_delete=models.CASCADE, null=True, related_name="jobs"
    )
    arguments = models.JSONField(default=dict)
    state = models.CharField(max_length=20, choices=STATES, default=QUEUED)
    progress = models.FloatField(default=0.0)  # 0..1
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Who runs it ("host:pid") and when it last said it is alive: a job whose worker is gone is
    # marked failed when the app next looks (see core.jobs.jobs_reap).
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One computation per cycle at a time, held by the database itself: a second job
            # for a cycle while one is queued or running cannot be inserted, however many
            # requests race (a check in Python alone lets simultaneous requests through).
            models.UniqueConstraint(
                fields=["cycle"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_active_job_per_cycle",
            ),
        ]
