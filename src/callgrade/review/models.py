"""Review: lead comments, promotion nominations and appeals."""

from __future__ import annotations

from typing import Any

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


# --- coaching and two-way feedback -------------------------------------------------------------


class CoachingNote(models.Model):
    """A coaching session or a 1:1 a lead (or HR) had with an employee: what it was about (a KPI,
    a record behind one, a ladder decision of a cycle), what was agreed and when to follow up.
    The employee reads it and acknowledges it, with a reply of their own if they wish."""

    SESSION, ONE_ON_ONE = "session", "one_on_one"
    KINDS = [(SESSION, _("coaching session")), (ONE_ON_ONE, _("one-to-one"))]

    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="coaching_notes"
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS, default=SESSION)
    held_on = models.DateField(_("held on"))
    # What it is linked to: a KPI (of ``period``), one record behind it, a cycle's decision.
    kpi = models.CharField(_("indicator"), max_length=50, blank=True)
    period = models.CharField(_("period"), max_length=20, blank=True)
    record_id = models.CharField(_("record"), max_length=200, blank=True)
    cycle = models.ForeignKey(
        "cycles.Cycle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    about_decision = models.BooleanField(default=False)
    notes = models.TextField(_("notes"))
    actions = models.TextField(_("agreed actions"), blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    followed_up_at = models.DateTimeField(null=True, blank=True)
    follow_up_outcome = models.TextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def overdue(self, today: Any) -> bool:
        return (
            self.follow_up_on is not None
            and self.followed_up_at is None
            and self.follow_up_on < today
        )


# --- the talent pool and selection for key posts ------------------------------------------------


class KeyPost(models.Model):
    """A key post HR selects people for (班长/组长, quality inspector, trainer, senior
    specialist), with what a candidate needs. The appointee takes ``position`` (their current
    one when blank) in ``team`` (theirs when blank) from the appointment's effective day."""

    TEAM_LEAD, QUALITY, TRAINER, SENIOR = "team_lead", "quality_inspector", "trainer", "senior"
    KINDS = [
        (TEAM_LEAD, _("team lead")),
        (QUALITY, _("quality inspector")),
        (TRAINER, _("trainer")),
        (SENIOR, _("senior specialist")),
    ]
    OPEN, FILLED, CLOSED = "open", "filled", "closed"
    STATES = [(OPEN, _("open")), (FILLED, _("filled")), (CLOSED, _("closed"))]

    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=KINDS)
    position = models.CharField(_("position"), max_length=50, blank=True)
    team = models.ForeignKey(
        "people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    openings = models.PositiveIntegerField(default=1)
    # requirements
    min_rating = models.CharField(_("lowest rating"), max_length=20, blank=True)
    rating_periods = models.PositiveIntegerField(_("rating periods"), default=0)
    min_tenure_months = models.PositiveIntegerField(_("tenure in months"), null=True, blank=True)
    competencies = models.JSONField(default=dict, blank=True)  # {code: lowest score}
    trainings = models.JSONField(default=list, blank=True)  # [code]
    max_major_complaints = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=STATES, default=OPEN)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["state", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Candidacy(models.Model):
    """A person shortlisted for a key post, the selection's record of them (assessment score,
    interview notes, who recorded them) and the decision with its reasons. ``evidence`` keeps
    the readiness check as it stood when they were shortlisted."""

    SHORTLISTED, APPOINTED, NOT_SELECTED = "shortlisted", "appointed", "not_selected"
    STATES = [
        (SHORTLISTED, _("shortlisted")),
        (APPOINTED, _("appointed")),
        (NOT_SELECTED, _("not selected")),
    ]

    key_post = models.ForeignKey(KeyPost, on_delete=models.CASCADE, related_name="candidacies")
    employee = models.ForeignKey(
        "people.Employee", on_delete=models.CASCADE, related_name="candidacies"
    )
    evidence = models.JSONField(default=dict)
    shortlisted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    shortlisted_at = models.DateTimeField(auto_now_add=True)
    assessment_score = models.FloatField(_("assessment score"), null=True, blank=True)
    interview_notes = models.TextField(_("interview notes"), blank=True)
    assessed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=STATES, default=SHORTLISTED)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    effective = models.DateField(null=True, blank=True)  # of the appointment
    assignment = models.ForeignKey(
        "people.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["key_post", "-assessment_score", "employee__employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["key_post", "employee"], name="one_candidacy"),
        ]
