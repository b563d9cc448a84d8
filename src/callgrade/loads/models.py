"""Loads: every file or pull that put data into the warehouse, as one batch that can be undone,
with what was read, accepted, rejected and left aside; and the sources that load by themselves
(a watched drop folder, a database table pulled on a schedule)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    """Data that arrives by itself: files dropped in a folder, or a database table pulled."""

    DROP, PULL = "drop", "pull"
    KINDS = [(DROP, _("drop folder")), (PULL, _("database pull"))]

    name = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=KINDS)
    format = models.CharField(max_length=30, blank=True)  # a drop folder's file format
    mapping = models.CharField(max_length=100, blank=True)  # a shipped mapping, for "mapped"
    folder = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=500, blank=True)  # kept whole; pages show it redacted
    table = models.CharField(max_length=130, blank=True, default="queue_log")
    by = models.CharField(max_length=10, blank=True, default="id")
    tz = models.CharField(max_length=60, default="UTC")
    every_minutes = models.PositiveIntegerField(default=15)
    active = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Load(models.Model):
    QUEUED, RUNNING, DONE, FAILED, UNDONE = "queued", "running", "done", "failed", "undone"
    STATES = [
        (QUEUED, _("waiting")),
        (RUNNING, _("loading")),
        (DONE, _("loaded")),
        (FAILED, _("failed")),
        (UNDONE, _("undone")),
    ]
    UPLOAD, DROP, PULL, CLI, API = "upload", "drop", "pull", "cli", "api"
    ORIGINS = [
        (UPLOAD, _("upload")),
        (DROP, _("drop folder")),
        (PULL, _("database pull")),
        (CLI, _("command line")),
        (API, _("integration API")),
    ]

    origin = models.CharField(max_length=10, choices=ORIGINS, default=UPLOAD)
    source = models.ForeignKey(
        Source, on_delete=models.SET_NULL, null=True, blank=True, related_name="loads"
    )
    format = models.CharField(max_length=30)
    mapping = models.CharField(max_length=200, blank=True)  # the mapping's name, for "mapped"
    filename = models.CharField(max_length=255)
    tz = models.CharField(max_length=60, default="UTC")
    state = models.CharField(max_length=10, choices=STATES, default=QUEUED)
    job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    batch = models.CharField(max_length=80, blank=True)  # the warehouse batch it committed
    read = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    filtered = models.PositiveIntegerField(default=0)
    rows = models.JSONField(default=dict)  # rows offered, by table
    added = models.JSONField(default=dict)  # rows new to the warehouse, by table
    removed = models.JSONField(default=dict)  # rows the undo took out, by table
    unreadable = models.TextField(blank=True)  # why the file as a whole could not be read
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.filename
