"""Trainee feedback on sessions (one answer per attendee, aggregated per course and trainer) and
the training effect on HR's training report, checked against hand-worked figures."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from callgrade.core.models import AuditEvent
from callgrade.cycles.models import KpiValue
from callgrade.development.effect import effect_inputs, effect_rows
from callgrade.development.feedback import feedback_groups, questions, summarise
from callgrade.development.models import (
    Course,
    Enrolment,
    FeedbackAnswer,
    FeedbackResponse,
    Session,
)
from callgrade.engine.analysis.training_effect import training_effect
from callgrade.people.models import Employee, TrainingRecord


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def _session(course: Course, trainer: str = "Trainer Hand") -> Session:
    start = timezone.now() - dt.timedelta(days=3)
    return Session.objects.create(
        course=course, starts_at=start, ends_at=start + dt.timedelta(hours=3), trainer=trainer,
        capacity=20, place="Room 9", open_to_all=True,
    )  # fmt: skip


def _course() -> Course:
    course = Course.objects.filter(questions__isnull=True).order_by("training").first()
    assert course is not None  # the demo seeds the catalog; this course asks the default set
    return course


def _answers(course: Course, rating: str = "4", text: str = "") -> dict[str, str]:
    out = {}
    for q in questions(course):
        out[q.key] = rating if q.kind == "rating" else text
    return out


def test_an_attendee_answers_once(login: Any, agent: Any) -> None:
    course = _course()
    s = _session(course)
    e = Enrolment.objects.create(session=s, employee=agent.employee, attended=True)
    c = login(agent)
    url = f"/development/sessions/{s.pk}/feedback/"
    page = c.get(url)
    assert page.status_code == 200 and b'id="feedback-form"' in page.content
    assert c.get("/me/development/").content.count(url.encode()) == 1

    r = c.post(url, _answers(course, "5", "More role play"))
    assert r.status_code == 302
    response = FeedbackResponse.objects.get(enrolment=e)
    assert {a.rating for a in response.answers.all()} == {5, None}
    assert response.answers.filter(text="More role play").count() == 1
    assert AuditEvent.objects.filter(action="feedback_submit", object_id=str(response.pk)).exists()

    # a second time: refused, nothing added
    again = c.post(url, _answers(course, "1"), follow=True)
    assert b"You already gave feedback on this session." in again.content
    assert FeedbackResponse.objects.filter(enrolment=e).count() == 1
    assert FeedbackAnswer.objects.filter(response=response, rating=1).count() == 0
    assert b"given, thank you" in c.get("/me/development/").content


def test_non_attendees_are_refused(login: Any, agent: Any, other_agent: Any, hr: Any) -> None:
    course = _course()
    s = _session(course)
    absent = Enrolment.objects.create(session=s, employee=agent.employee, attended=False)
    url = f"/development/sessions/{s.pk}/feedback/"
    # not enrolled at all: the session is not theirs to answer for
    assert login(other_agent).get(url).status_code == 404
    assert login(other_agent).post(url, _answers(course)).status_code == 404
    assert login(hr).get(url).status_code == 404  # HR has no employee record
    # enrolled but absent: told why, and nothing is written
    c = login(agent)
    page = c.get(url)
    assert b"Feedback is given by those who attended the session." in page.content
    assert b'id="feedback-form"' not in page.content
    c.post(url, _answers(course))
    assert not FeedbackResponse.objects.filter(enrolment=absent).exists()


def test_a_missing_rating_writes_nothing(login: Any, agent: Any) -> None:
    course = _course()
    s = _session(course)
    e = Enrolment.objects.create(session=s, employee=agent.employee, attended=True)
    answers = _answers(course, "4")
    first_rating = next(q for q in questions(course) if q.kind == "rating")
    answers[first_rating.key] = "7"
    r = login(agent).post(f"/development/sessions/{s.pk}/feedback/", answers, follow=True)
    assert b"choose a rating from 1 to 5" in r.content
    assert not FeedbackResponse.objects.filter(enrolment=e).exists()


def test_hr_defines_the_questions_a_course_asks(login: Any, hr: Any) -> None:
    course = _course()
    assert [q.key for q in questions(course)][:1] == ["d:useful"]  # the default set
    c = login(hr)
    url = f"/development/courses/{course.pk}/questions/"
    assert b'id="defaults-note"' in c.get(url).content
    c.post(url, {"kind": "rating", "text_zh": "节奏合适吗？", "text_en": "Was the pace right?"})
    c.post(url, {"kind": "text", "text_zh": "", "text_en": "No Chinese"})  # refused
    asked = questions(course)
    assert [(q.kind, q.label) for q in asked] == [("rating", "Was the pace right?")]
    c.post(url, {"retire": asked[0].key[1:]})
    assert questions(course)[0].key == "d:useful"  # none left: the defaults again


def _answer(course: Course, trainer: str, emp: Employee, rating: int, text: str = "") -> None:
    s = Session.objects.filter(course=course, trainer=trainer).first() or _session(course, trainer)
    e = Enrolment.objects.create(session=s, employee=emp, attended=True)
    r = FeedbackResponse.objects.create(enrolment=e)
    FeedbackAnswer.objects.create(response=r, key="d:useful", rating=rating)
    if text:
        FeedbackAnswer.objects.create(response=r, key="d:change", text=text)


def test_answers_aggregate_per_course_and_trainer(login: Any, hr: Any, lead: Any) -> None:
    FeedbackResponse.objects.all().delete()
    course = _course()
    before = Enrolment.objects.filter(session__course=course, attended=True).count()  # the demo's
    people = list(Employee.objects.exclude(status="left").order_by("employee_id")[:5])
    # trainer A: 5, 4, 2; trainer B: 4, 4 — worked by hand below
    for emp, rating in zip(people[:3], (5, 4, 2), strict=True):
        _answer(course, "Trainer A", emp, rating, "Too fast" if rating == 2 else "")
    for emp in people[3:]:
        _answer(course, "Trainer B", emp, 4)
    Enrolment.objects.create(
        session=Session.objects.get(course=course, trainer="Trainer B"),
        employee=people[0],
        attended=True,
    )  # attended, did not answer

    [whole] = [g for g in feedback_groups(by_trainer=False, names=True) if g.course == course]
    [useful] = [r for r in whole.ratings if r.question.startswith("How useful")]
    assert (useful.n, useful.mean, useful.counts) == (5, 3.8, [0, 1, 0, 3, 1])  # 19 / 5
    assert (whole.responses, whole.attended) == (5, before + 6)
    by_trainer = {g.trainer: g for g in feedback_groups(by_trainer=True, names=True)}
    a = by_trainer["Trainer A"].ratings[0]
    assert (a.n, a.mean, a.counts) == (3, 3.67, [0, 1, 0, 1, 1])  # 11 / 3
    assert by_trainer["Trainer B"].ratings[0].mean == 4.0
    assert by_trainer["Trainer B"].attended == 3
    assert summarise([]) == (0, None, [0, 0, 0, 0, 0])
    # HR reads who wrote what; the lead reads the text without the name
    assert [t[2] for t in by_trainer["Trainer A"].texts] == [people[2].name]
    hr_page = login(hr).get("/development/report/").content.decode()
    assert "Too fast" in hr_page and people[2].name in hr_page
    lead_page = login(lead).get("/team/development/feedback/").content.decode()
    assert "Too fast" in lead_page and "Trainer A" in lead_page
    assert people[2].name not in lead_page


def test_the_xlsx_carries_feedback_and_effect_made_safe(login: Any, hr: Any) -> None:
    FeedbackResponse.objects.all().delete()
    course = _course()
    emp = Employee.objects.exclude(status="left").order_by("employee_id").first()
    assert emp is not None
    _answer(course, "Trainer A", emp, 3, '=HYPERLINK("http://x","y")')
    r = login(hr).get("/development/report.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[:5] == ["Training report", "Feedback per course",
                                 "Feedback per trainer", "What trainees wrote",
                                 "Training effect"]  # fmt: skip
    texts = [row for row in wb["What trainees wrote"].iter_rows(min_row=2, values_only=True)]
    assert texts == [(str(course), "Trainer A", "What should the course change?",
                      '\'=HYPERLINK("http://x","y")', emp.name)]  # fmt: skip
    [row] = list(wb["Feedback per course"].iter_rows(min_row=2, values_only=True))
    attended = Enrolment.objects.filter(session__course=course, attended=True).count()
    assert row[1:] == (1, attended, "How useful was the session for your work?", 1, 3,
                       0, 0, 1, 0, 0)  # fmt: skip


# --- the training effect ------------------------------------------------------------------------


def test_the_effect_table_matches_the_engine_on_a_hand_made_set(
    login: Any, hr: Any, demo_cycle: Any
) -> None:
    """Two trainees and three colleagues of one position, answer rate in Jan, Feb and Mar; the
    course completed in February. Trainee change: (+0.10 + 0.15) / 2 = 0.125; comparison change:
    (0.02 + 0 + 0.04) / 3 = 0.02; effect 0.105, an improvement (higher is better), on a small
    sample (2 and 3 people, fewer than 5)."""
    KpiValue.objects.all().delete()
    TrainingRecord.objects.all().delete()
    course = Course.objects.get(training="courtesy")
    position = Counter(Employee.objects.values_list("position", flat=True)).most_common(1)[0][0]
    people = list(Employee.objects.filter(position=position).order_by("employee_id")[:5])
    assert len(people) == 5
    values = [(0.70, 0.80), (0.60, 0.75), (0.70, 0.72), (0.80, 0.80), (0.65, 0.69)]
    for emp, (jan, mar) in zip(people, values, strict=True):
        for period, v in (("2026-01", jan), ("2026-02", (jan + mar) / 2), ("2026-03", mar)):
            KpiValue.objects.create(cycle=demo_cycle, employee=emp, period=period,
                                    kpi="answer_rate", value=v, unit="ratio")  # fmt: skip
    for emp in people[:2]:
        TrainingRecord.objects.create(employee=emp, training="courtesy",
                                      completed_at=dt.date(2026, 2, 15), passed=True)  # fmt: skip

    [row] = [r for r in effect_rows() if r.kpi == "Answer rate"]
    assert (row.course, row.trained_n, row.comparison_n, row.excluded_n) == (str(course), 2, 3, 0)
    assert row.improvement_value == pytest.approx(0.105)
    assert row.small_sample and row.verdict == "better than the comparison group"
    # the same as the engine on the same inputs
    engine = training_effect(*effect_inputs(), min_sample=5).to_pylist()
    [e] = [x for x in engine if x["kpi"] == "answer_rate"]
    assert e["improvement"] == pytest.approx(row.improvement_value)
    assert (e["trained_n"], e["comparison_n"]) == (row.trained_n, row.comparison_n)

    page = login(hr).get("/development/report/").content.decode()
    assert "small sample (fewer than 5 people on a side): do not rely on it" in page
    assert "better than the comparison group" in page and "answer_rate" not in page


def test_a_failed_exam_is_not_a_completion_for_the_effect(demo_cycle: Any) -> None:
    TrainingRecord.objects.all().delete()
    emp = Employee.objects.order_by("employee_id").first()
    assert emp is not None
    TrainingRecord.objects.create(employee=emp, training="courtesy",
                                  completed_at=dt.date(2026, 2, 15), passed=False)  # fmt: skip
    assert effect_inputs()[0] == [] and effect_rows() == []


def test_the_demo_has_feedback(login: Any, hr: Any) -> None:
    """The seed answers for the past sessions' attendees (but the demo agent, whose page offers
    the form) and HR's own questions on one course."""
    assert FeedbackResponse.objects.count() > 5
    assert Enrolment.objects.filter(attended=True, feedback__isnull=True).exists()
    assert FeedbackAnswer.objects.filter(key__startswith="q").exists()
    assert FeedbackAnswer.objects.exclude(text="").exists()
    page = login(hr).get("/development/report/").content.decode()
    assert "No trainee has given feedback yet." not in page


def test_the_demo_completions_give_the_effect_table_trainees(hr: Any, demo_cycle: Any) -> None:
    """With a third computed month, the demo's completions in the middle month have values on
    both sides: the effect table counts them as trainees."""
    from callgrade.web.seed_feedback import _effect_completions

    for v in KpiValue.objects.filter(cycle=demo_cycle, period="2026-02"):
        v.pk, v.period = None, "2026-03"
        v.save()
    n = _effect_completions(hr)
    assert 1 <= n <= 6  # every other agent of the position: the rest are the comparison
    rows = [r for r in effect_rows() if r.trained_n]
    assert rows and all(r.trained_n == n and r.comparison_n >= n - 1 for r in rows)
    assert {r.cohorts for r in rows} == {"2026-02"}
