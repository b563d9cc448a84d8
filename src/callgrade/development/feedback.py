"""Trainee feedback on sessions: the questions a course asks, one answer per attendee, and the
answers aggregated per course and per trainer (issue: "collect feedback and adjust training").

A course asks the questions HR defined for it, or the default set below when it has none. An
answer is kept under its question's key (``q<pk>`` or ``d:<code>``), so retiring a question
leaves the answers already given readable. Free texts are listed with the attendee's name only
to HR; leads read them without names.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from callgrade.core.audit import audit
from callgrade.development.models import (
    Course,
    Enrolment,
    FeedbackAnswer,
    FeedbackQuestion,
    FeedbackResponse,
)
from callgrade.development.services import DevelopmentError
from callgrade.people.access import employee_of, is_hr

RATING, TEXT = FeedbackQuestion.RATING, FeedbackQuestion.TEXT
SCALE = (1, 2, 3, 4, 5)

# code → (kind, question); asked when HR has defined no question for the course
DEFAULT_QUESTIONS: dict[str, tuple[str, Any]] = {
    "useful": (RATING, gettext_lazy("How useful was the session for your work?")),
    "trainer": (RATING, gettext_lazy("How clearly did the trainer explain?")),
    "apply": (RATING, gettext_lazy("How much of it can you apply on your next calls?")),
    "change": (TEXT, gettext_lazy("What should the course change?")),
}


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    label: str


def questions(course: Course, *, retired: bool = False) -> list[Question]:
    """The questions the course asks (with ``retired``, also those it no longer asks, for
    reading old answers)."""
    zh = (get_language() or "").startswith("zh")
    own = course.questions.all() if retired else course.questions.filter(active=True)
    out = [Question(f"q{q.pk}", q.kind, q.text_zh if zh else q.text_en) for q in own]
    if out or retired:
        return out
    return default_questions()


def default_questions() -> list[Question]:
    return [Question(f"d:{c}", kind, str(text)) for c, (kind, text) in DEFAULT_QUESTIONS.items()]


def _require_hr(actor: Any) -> None:
    if not is_hr(actor):
        raise DevelopmentError(_("Only HR defines the feedback questions."))


def question_add(
    *, actor: Any, course: Course, kind: str, text_zh: str, text_en: str
) -> FeedbackQuestion:
    _require_hr(actor)
    if kind not in (RATING, TEXT):
        raise DevelopmentError(_("Choose whether the question is a rating or a free text."))
    if not text_zh.strip() or not text_en.strip():
        raise DevelopmentError(_("A question needs its text in both languages."))
    with transaction.atomic():
        last = course.questions.order_by("-position").first()
        q = FeedbackQuestion.objects.create(
            course=course, kind=kind, text_zh=text_zh.strip(), text_en=text_en.strip(),
            position=(last.position + 1) if last else 1,
        )  # fmt: skip
        audit(actor, "feedback_question_add", q, after={"course": course.training, "kind": kind,
                                                        "text_en": q.text_en})  # fmt: skip
    return q


def question_retire(*, actor: Any, question: FeedbackQuestion) -> None:
    _require_hr(actor)
    with transaction.atomic():
        question.active = False
        question.save(update_fields=["active"])
        audit(actor, "feedback_question_retire", question, before={"active": True},
              after={"active": False})  # fmt: skip


def may_answer(actor: Any, enrolment: Enrolment) -> str | None:
    """Why ``actor`` may not answer for the enrolment, or None when they may."""
    me = employee_of(actor)
    if me is None or me.pk != enrolment.employee_id:
        return _("Only the attendee gives feedback on their session.")
    if enrolment.attended is not True:
        return _("Feedback is given by those who attended the session.")
    if FeedbackResponse.objects.filter(enrolment=enrolment).exists():
        return _("You already gave feedback on this session.")
    return None


def feedback_submit(
    *, actor: Any, enrolment: Enrolment, answers: dict[str, str]
) -> FeedbackResponse:
    """The attendee's answers (question key → what they entered): every rating from 1 to 5,
    free texts optional; all or nothing, once."""
    refusal = may_answer(actor, enrolment)
    if refusal:
        raise DevelopmentError(refusal)
    return record_answers(enrolment=enrolment, answers=answers, actor=actor)


def record_answers(
    *, enrolment: Enrolment, answers: dict[str, str], actor: Any
) -> FeedbackResponse:
    """Store an attendee's answers after checking them (ratings 1–5, the session attended, not
    answered yet); the caller has established who is answering (the demo writes its own)."""
    if enrolment.attended is not True:
        raise DevelopmentError(_("Feedback is given by those who attended the session."))
    rows: list[tuple[str, int | None, str]] = []
    for q in questions(enrolment.session.course):
        given = (answers.get(q.key) or "").strip()
        if q.kind == RATING:
            if given not in {str(n) for n in SCALE}:
                raise DevelopmentError(
                    _("“%(question)s”: choose a rating from 1 to 5.") % {"question": q.label}
                )
            rows.append((q.key, int(given), ""))
        elif given:
            rows.append((q.key, None, given[:4000]))
    try:
        with transaction.atomic():
            r = FeedbackResponse.objects.create(enrolment=enrolment)
            FeedbackAnswer.objects.bulk_create(
                FeedbackAnswer(response=r, key=k, rating=v, text=t) for k, v, t in rows
            )
            audit(actor, "feedback_submit", r, after={
                "session": enrolment.session_id, "answers": len(rows),
            })  # fmt: skip
    except IntegrityError:
        # two submissions at once: the first one counts
        raise DevelopmentError(_("You already gave feedback on this session.")) from None
    return r


# --- aggregation -----------------------------------------------------------------------------


@dataclass
class RatingSummary:
    question: str
    n: int
    mean: float | None
    counts: list[int]  # how many answered 1, 2, 3, 4, 5


@dataclass
class FeedbackGroup:
    """The answers of one course, or of one trainer on one course."""

    course: Course
    trainer: str
    responses: int
    attended: int
    ratings: list[RatingSummary] = field(default_factory=list)
    texts: list[tuple[str, str, str]] = field(default_factory=list)  # question, text, name


def summarise(ratings: list[int]) -> tuple[int, float | None, list[int]]:
    """n, mean and the distribution over 1–5 of some ratings."""
    counts = Counter(ratings)
    n = len(ratings)
    return n, (round(sum(ratings) / n, 2) if n else None), [counts.get(s, 0) for s in SCALE]


def _group(course: Course, trainer: str, enrolments: list[Enrolment], names: bool) -> FeedbackGroup:
    asked = {q.key: q for q in questions(course, retired=True) + default_questions()}
    answers = [(e, a) for e in enrolments for a in e.feedback.answers.all()]
    g = FeedbackGroup(course=course, trainer=trainer, responses=len(enrolments), attended=0)
    keys = list(dict.fromkeys(a.key for _e, a in answers))
    for key in keys:
        q = asked.get(key)
        if q is None:
            continue
        if q.kind == RATING:
            n, mean, counts = summarise([a.rating for _e, a in answers
                                         if a.key == key and a.rating is not None])  # fmt: skip
            g.ratings.append(RatingSummary(q.label, n, mean, counts))
        else:
            g.texts += [(q.label, a.text, e.employee.name if names else "")
                        for e, a in answers if a.key == key and a.text]  # fmt: skip
    return g


def feedback_groups(*, by_trainer: bool, names: bool) -> list[FeedbackGroup]:
    """Per course (or per course and trainer) with at least one answer: each rating question's
    n, mean and distribution, and the free texts (with the attendee's name when ``names``)."""
    ens = (
        Enrolment.objects.filter(feedback__isnull=False)
        .select_related("session__course", "employee", "feedback")
        .prefetch_related("feedback__answers")
        .order_by("session__course__training", "session__trainer", "id")
    )
    attended = Enrolment.objects.filter(attended=True).select_related("session")
    buckets: dict[tuple[int, str], list[Enrolment]] = {}
    for e in ens:
        key = (e.session.course_id, e.session.trainer if by_trainer else "")
        buckets.setdefault(key, []).append(e)
    counts: Counter[tuple[int, str]] = Counter(
        (e.session.course_id, e.session.trainer if by_trainer else "") for e in attended
    )
    courses = {c.pk: c for c in Course.objects.all()}
    out = []
    for (course_id, trainer), answered in sorted(
        buckets.items(), key=lambda kv: (courses[kv[0][0]].training, kv[0][1])
    ):
        g = _group(courses[course_id], trainer, answered, names)
        g.attended = counts[(course_id, trainer)]
        out.append(g)
    return out


def feedback_rows(groups: list[FeedbackGroup], *, by_trainer: bool) -> list[list[Any]]:
    """One spreadsheet row per group and rating question."""
    return [
        [str(g.course), *([g.trainer] if by_trainer else []), g.responses, g.attended,
         r.question, r.n, r.mean, *r.counts]
        for g in groups
        for r in g.ratings
    ]  # fmt: skip


def feedback_text_rows(groups: list[FeedbackGroup]) -> list[list[Any]]:
    return [[str(g.course), g.trainer, q, text, name] for g in groups for q, text, name in g.texts]
