"""Grading cycles, their background jobs and the engine results stored for them.

Result rows keep the indexed fields the pages filter and sort on as columns and the engine's
whole row in ``detail``, so every number on a page traces back to what the engine returned.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from callgrade.cycles import workflow

User = settings.AUTH_USER_MODEL


class Cycle(models.Model):
    DRAFT = workflow.DRAFT
    COMPUTED = workflow.COMPUTED
    IN_REVIEW = workflow.IN_REVIEW
    APPROVED = workflow.APPROVED
    PUBLISHED = workflow.PUBLISHED
    APPEALS = workflow.APPEALS
    CLOSED = workflow.CLOSED
    STATES = [
        (DRAFT, _("draft")),
        (COMPUTED, _("computed")),
        (IN_REVIEW, _("in review")),
        (APPROVED, _("approved")),
        (PUBLISHED, _("published")),
        (APPEALS, _("appeal window")),
        (CLOSED, _("closed")),
    ]

    name = models.CharField(_("name"), max_length=100)
    period = models.CharField(_("period"), max_length=50)  # e.g. 2026-H1 or 2026-01-01..2026-06-30
    policy_version = models.ForeignKey(
        "standards.PolicyVersion", on_delete=models.PROTECT, related_name="cycles"
    )
    # Population: empty lists mean everyone.
    teams = models.ManyToManyField("people.Team", blank=True, related_name="+")
    positions = models.JSONField(default=list, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=STATES, default=DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    appeal_deadline = models.DateField(null=True, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    cycle_end = models.CharField(max_length=10, blank=True)  # the grading date the engine used

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def allows(self, action: str) -> bool:
        """Whether the cycle's state allows ``action`` (see :mod:`callgrade.cycles.workflow`)."""
        return workflow.allows(self.state, action)

    @property
    def can(self) -> dict[str, bool]:
        """Every workflow action and whether the state allows it, for templates."""
        return {a: self.allows(a) for a in workflow.ACTIONS}

    @property
    def visible_to_employees(self) -> bool:
        return self.allows("visible")


class _Result(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class KpiValue(_Result):
    period = models.CharField(max_length=20)
    kpi = models.CharField(max_length=50)
    value = models.FloatField(null=True)
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    sample_size = models.BigIntegerField(default=0)
    unit = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["cycle", "employee", "period"])]
        # Each result table is unique on its natural key: a computation stored twice over
        # fails instead of doubling the rows.
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employee", "period", "kpi"], name="one_kpi"),
        ]


class ScoreItem(_Result):
    period = models.CharField(max_length=20)
    dimension = models.CharField(max_length=50)
    item = models.CharField(max_length=50)
    status = models.CharField(max_length=30)
    value = models.FloatField(null=True)
    points = models.FloatField(null=True)
    weight = models.FloatField(null=True)
    contribution = models.FloatField(null=True)
    explanation_en = models.TextField()
    explanation_zh = models.TextField()
    detail = models.JSONField()  # the engine's whole item row

    class Meta:
        indexes = [models.Index(fields=["cycle", "employee", "period"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "employee", "period", "dimension", "item"], name="one_item"
            ),
        ]


class ScoreTotal(_Result):
    period = models.CharField(max_length=20)
    total = models.FloatField(null=True)
    rating = models.CharField(max_length=20, blank=True)
    rank = models.IntegerField(null=True)
    group_size = models.IntegerField(null=True)
    # The rating after HR calibration (see Calibration); ``rating`` stays what the engine computed.
    calibrated_rating = models.CharField(max_length=20, blank=True)
    detail = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["cycle", "period", "employee"])]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employee", "period"], name="one_total"),
        ]

    @property
    def final_rating(self) -> str:
        return self.calibrated_rating or self.rating


class Decision(_Result):
    """The engine's ladder proposal and, after review, the final decision."""

    action = models.CharField(max_length=30)
    level_from = models.CharField(max_length=50, blank=True)
    level_to = models.CharField(max_length=50, blank=True)
    reason = models.TextField(blank=True)
    final_action = models.CharField(max_length=30, blank=True)
    final_level = models.CharField(max_length=50, blank=True)
    final_reason = models.TextField(blank=True)  # required when the final departs from the proposal
    applied = models.BooleanField(default=False)
    detail = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employee"], name="one_decision"),
        ]

    @property
    def departs(self) -> bool:
        return bool(self.final_level) and self.final_level != self.level_to


class ChecklistItem(_Result):
    """A condition evaluated for a decision: ``kind`` is ``criterion`` (why this decision) or
    ``checklist`` (what the next level still needs)."""

    kind = models.CharField(max_length=20)
    rule = models.CharField(max_length=50)
    # the condition's place in its rule: "0", "3.technical_support.1"
    ref = models.CharField(max_length=120, blank=True)
    condition = models.TextField()
    holds = models.BooleanField()
    status = models.CharField(max_length=20, blank=True)
    evidence = models.TextField()
    detail = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "employee", "kind", "rule", "ref"], name="one_condition"
            ),
        ]


class PayLine(_Result):
    period = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)
    code = models.CharField(max_length=50)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    cash = models.BooleanField()
    explanation = models.TextField()
    detail = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["cycle", "employee", "period"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "employee", "period", "kind", "code"], name="one_pay_line"
            ),
        ]


class Calibration(models.Model):
    """HR's calibrated rating for one employee and rating period; survives recomputes, and the
    engine applies it before pay and grading."""

    cycle = models.ForeignKey("Cycle", on_delete=models.CASCADE, related_name="calibrations")
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=20)
    rating = models.CharField(max_length=20)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "employee", "period"], name="one_calibration"),
        ]


class FairnessAudit(models.Model):
    """The fairness audit of a cycle as last run (``engine.analysis.fairness``): computed with
    every computation of the cycle and again on demand, kept whole in ``result``."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="fairness")
    computed_at = models.DateTimeField()
    ratings = models.IntegerField(default=0)  # the ratings it looked at
    result = models.JSONField()


class ProgramSnapshot(models.Model):
    """A computed cycle summed into cells per department, team and position
    (``engine.analysis.program``), kept when the cycle is computed and when it moves on, so the
    program dashboard across cycles never reads the cycles' result rows again."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="program")
    computed_at = models.DateTimeField()
    standard = models.CharField(max_length=200)  # the standard in force: code and version
    kpis = models.JSONField(default=list)  # the standard's KPIs, the dashboard's trends
    ladders = models.JSONField(default=dict)  # position → its levels, lowest first
    ratings = models.JSONField(default=list)  # the standard's ratings, best first
    cells = models.JSONField(default=list)
    total = models.JSONField(default=dict)  # the cells summed: the whole center at a glance
    leavers = models.JSONField(default=list)  # where the cycle's leavers were graded before
    # the training effect as of this cycle, for the center ("") and each department
    # (cycles.services.training): the dashboard shows the latest cycle's
    training = models.JSONField(default=dict)


class ProgramScope(models.Model):
    """A cycle's cells and leavers summed over one scope (``engine.analysis.program.rollups``):
    a team, a department, a position, a department's position or one cell. Kept with the
    snapshot, so a dashboard page reads a row per cycle instead of every cell of every cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=20)  # a key of engine.analysis.program.LEVELS
    department = models.CharField(max_length=100, blank=True)
    team = models.CharField(max_length=100, blank=True)
    position = models.CharField(max_length=50, blank=True)
    cell = models.JSONField(null=True)  # None: leavers only, nobody graded in the scope
    leavers = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["level", "team"], name="programscope_team"),
            models.Index(fields=["level", "department", "position"], name="programscope_dept"),
            models.Index(fields=["level", "position"], name="programscope_position"),
        ]


class DeferralStep(models.Model):
    """One vesting step of a deferred bonus (``engine.scoring.deferral``), made by the cycle
    that computed its rating period. One deferral per employee, plan and rating period: a cycle
    computed again replaces its own, so nothing is deferred twice."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    plan = models.CharField(max_length=64)
    source_period = models.CharField(max_length=20)
    granted_on = models.DateField()
    deferred = models.DecimalField(max_digits=14, decimal_places=2)  # the whole deferral
    step = models.PositiveSmallIntegerField()
    steps = models.PositiveSmallIntegerField()
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    forfeit_on = models.JSONField(default=list)

    class Meta:
        ordering = ["employee_id", "due_on", "plan", "source_period", "step"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "plan", "source_period", "step"], name="one_deferral_step"
            ),
        ]


class DeferralSettlement(models.Model):
    """A step vested (paid in ``period``) or forfeited, by the cycle that settled it."""

    VEST = "vest"
    FORFEIT = "forfeit"

    step = models.OneToOneField(DeferralStep, on_delete=models.CASCADE, related_name="settlement")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=[(VEST, _("vested")), (FORFEIT, _("forfeited"))])
    period = models.CharField(max_length=20)
    on = models.DateField()
    reason = models.TextField()
