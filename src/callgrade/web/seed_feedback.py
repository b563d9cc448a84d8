"""The demo's trainee feedback and training effect: HR's own question on one course (the others
ask the default set), answers from the attendees of the past sessions with a few written
comments, and — when the cycles computed at least three months — one course completed by a
handful of agents in a middle month, so the training report's effect table has trainees on both
sides of it. Nothing when feedback exists already."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.contrib.auth import get_user_model

from callgrade.cycles.models import KpiValue
from callgrade.development.effect import MONTH
from callgrade.development.feedback import question_add, questions, record_answers
from callgrade.development.models import Course, Enrolment, FeedbackResponse
from callgrade.people.models import Employee, TrainingRecord
from callgrade.people.services.records import training_record

COMMENTS = (
    "案例很贴近实际，希望多一些角色扮演。",
    "节奏有点快，系统操作部分没跟上。",
    "讲师举的投诉案例很有帮助。",
    "希望课后能拿到话术资料。",
)


def _answers(course: Course, n: int) -> dict[str, str]:
    """Ratings that vary between people (mostly 4s and 5s, some 2s and 3s) and a comment from
    every other attendee."""
    out = {}
    for i, q in enumerate(questions(course)):
        if q.kind == "rating":
            out[q.key] = str((5, 4, 4, 3, 5, 2, 4)[(n + i) % 7])
        elif n % 2 == 0:
            out[q.key] = COMMENTS[(n // 2) % len(COMMENTS)]
    return out


def _effect_completions(hr: Any) -> int:
    """Six agents of the largest position complete a catalog course mid-month in a month with
    computed values on both sides."""
    months = sorted(
        {p for p in KpiValue.objects.values_list("period", flat=True).distinct() if MONTH.match(p)}
    )
    course = Course.objects.exclude(kpis=[]).order_by("training").first()
    if len(months) < 3 or course is None:
        return 0
    middle = months[len(months) // 2]
    around = {months[months.index(middle) - 1], months[months.index(middle) + 1]}
    with_values = set(
        KpiValue.objects.filter(period__in=around).values_list("employee_id", flat=True)
    )
    trained = set(
        TrainingRecord.objects.filter(training=course.training).values_list(
            "employee_id", flat=True
        )
    )
    pool = [e for e in Employee.objects.exclude(status="left").order_by("employee_id")
            if e.pk in with_values and e.pk not in trained]  # fmt: skip
    if not pool:
        return 0
    position = Counter(e.position for e in pool).most_common(1)[0][0]
    chosen = [e for e in pool if e.position == position][::2][:6]
    day = dt.date.fromisoformat(f"{middle}-15")
    for i, emp in enumerate(chosen):
        score = None if course.pass_score is None else min(100.0, course.pass_score + 5 + 3 * i)
        training_record(
            employee=emp, training=course.training, completed_at=day, actor=hr,
            exam_score=score, passed=True if score is not None else None,
            source_ref=f"demo-effect:{course.training}:{emp.employee_id}",
        )  # fmt: skip
    return len(chosen)


def seed_feedback() -> dict[str, int]:
    if FeedbackResponse.objects.exists():
        return {}
    hr = get_user_model().objects.get(username="hr")
    agent_id = (
        get_user_model().objects.filter(username="agent").values_list("pk", flat=True).first()
    )
    attended = list(
        Enrolment.objects.filter(attended=True)
        .select_related("session__course", "employee")
        .order_by("session__starts_at", "employee__employee_id")
    )
    courses = list(dict.fromkeys(e.session.course for e in attended))
    if len(courses) > 1 and not courses[1].questions.exists():
        for kind, zh, en in (
            ("rating", "课程节奏是否合适？", "Was the pace of the course right?"),
            ("text", "你最想在工作中用上的一点是？", "What is the one thing you will use at work?"),
        ):
            question_add(actor=hr, course=courses[1], kind=kind, text_zh=zh, text_en=en)
    answered = 0
    for n, e in enumerate(attended):
        # the demo agent has not answered yet, so their page offers the form
        if e.employee.user_id is not None and e.employee.user_id == agent_id:
            continue
        record_answers(enrolment=e, answers=_answers(e.session.course, n), actor=None)
        answered += 1
    return {"feedback": answered, "effect_completions": _effect_completions(hr)}
