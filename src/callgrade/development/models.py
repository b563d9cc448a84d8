"""Development: the training catalog, its sessions with enrolment, attendance and exams,
job-shadowing placements, and the trainings proposed for gaps.

What a person completed is a fact of the record of people: an attended session and a finished
placement each write a :class:`callgrade.people.models.TrainingRecord` (the one grading reads)
and keep a link to it, so an exam score taken here reaches the next cycle's conditions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

User = settings.AUTH_USER_MODEL


class Course(models.Model):
    KINDS = [
        ("business", _("business knowledge")),
        ("communication", _("communication")),
        ("teamwork", _("teamwork")),
        ("product", _("product")),
        ("systems", _("systems and tools")),
        ("service", _("service quality")),
    ]

    # the standard's training code a completion is recorded under
    training = models.CharField(_("training"), max_length=64, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=KINDS)
    competencies = models.JSONField(default=list, blank=True)  # codes of the standard
    kpis = models.JSONField(default=list, blank=True)  # KPI codes it is meant to improve
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    pass_score = models.FloatField(_("pass mark"), null=True, blank=True)  # none: no exam
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "training"]

    def __str__(self) -> str:
        return self.title_zh if (get_language() or "").startswith("zh") else self.title_en


class Session(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    trainer = models.CharField(_("trainer"), max_length=100)
    capacity = models.PositiveIntegerField(_("capacity"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    # The hosting department; a session open to other departments takes anyone (要点2).
    department = models.ForeignKey(
        "people.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    open_to_all = models.BooleanField(_("open to other departments"), default=False)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # A cancelled session stays, with its enrolments and whatever was recorded of it.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"{self.course} {self.starts_at:%Y-%m-%d}"


class Enrolment(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="enrolments")
    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    enrolled_at = models.DateTimeField(auto_now_add=True)
    enrolled_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    attended = models.BooleanField(null=True)  # null: not recorded yet
    exam_score = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    record = models.ForeignKey(
        "people.TrainingRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["session", "employee"]
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="one_enrolment"),
        ]


class Placement(models.Model):
    """Job shadowing in another team (跨部门学习), recorded as a training once it ends."""

    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    host_team = models.ForeignKey("people.Team", on_delete=models.PROTECT, related_name="+")
    training = models.CharField(_("training"), max_length=64)
    mentor = models.CharField(_("mentor"), max_length=100)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    notes = models.TextField(_("notes"), blank=True)
    record = models.ForeignKey(
        "people.TrainingRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-id"]


class Proposal(models.Model):
    """A course proposed for a gap (the standard's ``training_rules``); confirmed it is an
    assignment with a due date. ``gap_key`` is unique: a gap is proposed once, ever."""

    PROPOSED, CONFIRMED, DEFERRED, REJECTED, COMPLETED = (
        "proposed",
        "confirmed",
        "deferred",
        "rejected",
        "completed",
    )
    STATES = [
        (PROPOSED, _("proposed")),
        (CONFIRMED, _("assigned")),
        (DEFERRED, _("deferred")),
        (REJECTED, _("rejected")),
        (COMPLETED, _("completed")),
    ]
    OPEN = (PROPOSED, CONFIRMED, DEFERRED)

    employee = models.ForeignKey("people.Employee", on_delete=models.CASCADE, related_name="+")
    gap_key = models.CharField(max_length=300, unique=True)
    rule = models.CharField(max_length=64)
    kind = models.CharField(max_length=30)
    training = models.CharField(max_length=64)
    course = models.ForeignKey(
        Course, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    evidence = models.JSONField()
    cycle = models.ForeignKey(
        "cycles.Cycle", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    suggested_due = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=STATES, default=PROPOSED)
    due = models.DateField(_("due"), null=True, blank=True)
    deferred_until = models.DateField(_("deferred until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    record = models.ForeignKey(
        "people.TrainingRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["employee", "state"])]


class FeedbackQuestion(models.Model):
    """A question HR asks a course's attendees; a course without any asks the default set
    (:data:`callgrade.development.feedback.DEFAULT_QUESTIONS`)."""

    RATING, TEXT = "rating", "text"
    KINDS = [(RATING, _("rating from 1 to 5")), (TEXT, _("free text"))]

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300)
    # retired rather than deleted: answers already given keep their question
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["course", "position", "id"]

    def __str__(self) -> str:
        return self.text_zh if (get_language() or "").startswith("zh") else self.text_en


class FeedbackResponse(models.Model):
    """One attendee's answers about one session: one per enrolment, never a second."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="feedback")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]


class FeedbackAnswer(models.Model):
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    # ``q<pk>`` for a course's own question, ``d:<code>`` for one of the default set
    key = models.CharField(max_length=40)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "key"], name="one_answer_per_question"),
        ]
