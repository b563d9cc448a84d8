"""The organization: departments, teams, positions, employees and their level history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", null=True, blank=True
    )
    lead = models.ForeignKey(
        "Employee", on_delete=models.SET_NULL, null=True, blank=True, related_name="teams_led"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """A position as the published standard defines it (synced when a standard is published)."""

    code = models.CharField(max_length=50, unique=True)
    label_zh = models.CharField(max_length=100)
    label_en = models.CharField(max_length=100)
    track = models.CharField(max_length=50)
    ladder = models.CharField(max_length=50)
    duties = models.JSONField(default=list)  # [{"zh": ..., "en": ...}]

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Employee(models.Model):
    employee_id = models.CharField(_("employee id"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee",
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    position = models.CharField(_("position"), max_length=50)
    track = models.CharField(_("track"), max_length=50, blank=True)
    level = models.CharField(_("level"), max_length=50, blank=True)
    level_since = models.DateField(_("level since"), null=True, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, default="active")
    # The warehouse roster row as last imported: a row that still reads the same is not imported
    # again, so what people changed in the app since then stands.
    roster_row = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["employee_id"]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.name}"


class LevelChange(models.Model):
    """One step of an employee's level history."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="level_history")
    level_from = models.CharField(max_length=50, blank=True)
    level_to = models.CharField(max_length=50)
    effective = models.DateField()
    cycle = models.ForeignKey("Cycle", on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["employee", "-effective"]
