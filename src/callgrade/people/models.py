"""The record of people: departments, teams, positions, employees with their level history,
and what people record about employees and grading reads: training completions, competency
assessments, corrections of KPI source records, and declared conflicts of interest.

``source``/``source_ref`` of a recorded row say where it came from: ``app`` (entered on a page),
``import`` (an uploaded file, ``source_ref`` = file:row) or ``warehouse`` (an ingested file,
``source_ref`` = the warehouse key). An imported record is never imported twice: (source,
source_ref) is unique where source_ref is given.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL

# What an employee's status is called on pages (the roster file may say it in either language).
STATUS_NAMES = {"active": _("active"), "probation": _("on probation"), "left": _("left")}


class Department(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # the department's head reads the program dashboard of the whole department
    head = models.ForeignKey(
        "Employee",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="departments_headed",
        verbose_name=_("head"),
    )

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
        """The position's name in the active language."""
        return self.label_zh if (get_language() or "").startswith("zh") else self.label_en


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
    # Set when HR creates the login with a one-time password: every page sends the employee to
    # the password change until they have chosen their own (web/middleware.py).
    must_change_password = models.BooleanField(default=False, editable=False)
    # The warehouse roster row as last imported: a row that still reads the same is not imported
    # again, so what people changed in the app since then stands.
    roster_row = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["employee_id"]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.name}"


class Assignment(models.Model):
    """One step of an employee's position and team history: from ``effective`` on, the employee
    held ``position`` in ``team``. A cycle grades everyone in the position and team they held on
    its last day (``people/inputs.py``)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="assignments")
    position = models.CharField(_("position"), max_length=50)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    effective = models.DateField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["employee", "-effective", "-id"]


class RosterAttribute(models.Model):
    """A fact the center chooses to record about an employee for the fairness audit (gender, age
    band, shift …): free names and values. Visible to HR only: read through
    ``access.roster_attributes`` and never through the employee (no reverse accessor)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("attribute"), max_length=50)
    value = models.CharField(_("value"), max_length=100)
    source = models.CharField(max_length=20, default="app")
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["employee", "name"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "name"], name="one_attribute_value"),
        ]


class LevelChange(models.Model):
    """One step of an employee's level history."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="level_history")
    level_from = models.CharField(max_length=50, blank=True)
    level_to = models.CharField(max_length=50)
    effective = models.DateField()
    cycle = models.ForeignKey("cycles.Cycle", on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["employee", "-effective"]


class _Recorded(models.Model):
    source = models.CharField(max_length=20, default="app")
    source_ref = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class TrainingRecord(_Recorded):
    """A course completed (or failed) or a certification obtained."""

    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="trainings")
    training = models.CharField(_("training"), max_length=64)  # a code of the standard
    completed_at = models.DateField(_("completed on"))
    exam_score = models.FloatField(_("exam score"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)  # null: no verdict
    certificate = models.CharField(_("certificate number"), max_length=100, blank=True)
    expires_at = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        ordering = ["employee", "-completed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~Q(source_ref=""),
                name="one_training_per_source_record",
            )
        ]


class CompetencyAssessment(_Recorded):
    """An exam or an observation of one competency (or a skill exam a scorecard reads)."""

    EXAM, OBSERVATION = "exam", "observation"
    METHODS = [(EXAM, _("exam")), (OBSERVATION, _("observation"))]

    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="assessments")
    competency = models.CharField(_("competency"), max_length=64)
    score = models.FloatField(_("score"))
    method = models.CharField(_("method"), max_length=20, choices=METHODS, blank=True)
    assessed_at = models.DateField(_("assessed on"))
    assessor = models.CharField(_("assessor"), max_length=100, blank=True)

    class Meta:
        ordering = ["employee", "-assessed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~Q(source_ref=""),
                name="one_assessment_per_source_record",
            )
        ]


class Correction(models.Model):
    """A KPI source record corrected (``field`` set to ``value``) or excluded (``field`` blank),
    with the reason. Every later computation applies it; withdrawing keeps it (inactive)."""

    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="corrections")
    target_table = models.CharField(max_length=50)
    record_id = models.CharField(max_length=200)
    field = models.CharField(max_length=50, blank=True)
    value = models.CharField(max_length=200, blank=True)
    before = models.CharField(max_length=200, blank=True)  # the value it replaced, for people
    reason = models.TextField(_("reason"))
    appeal = models.ForeignKey(
        "review.Appeal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrections",
    )
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_table", "record_id"])]

    @property
    def excludes(self) -> bool:
        return not self.field


class Conflict(models.Model):
    """A declared conflict of interest: ``user`` must not decide on ``employee``'s case."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="conflicts")
    employee = models.ForeignKey("Employee", on_delete=models.CASCADE, related_name="+")
    relation = models.CharField(_("relation"), max_length=100)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "employee"], name="one_conflict"),
        ]


class LoginFailure(models.Model):
    """A failed sign-in, kept until the username signs in or a day passes: what slows down
    guessing one username's password and spraying one password over many usernames. ``known``:
    the browser had signed in as this username before (see ``services.signin``)."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    known = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at"]
