"""Training proposals from gaps, their decisions, and sessions whose exams become training
records that the next cycle's conditions read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from callgrade.core.models import AuditEvent
from callgrade.cycles.models import ChecklistItem, Decision, KpiValue, ScoreTotal
from callgrade.cycles.services.cycles import cycle_compute, cycle_create
from callgrade.development.models import Enrolment, Proposal
from callgrade.development.services import DevelopmentError
from callgrade.development.services.catalog import (
    attendance_record,
    course_create,
    enrol,
    placement_record,
    session_create,
)
from callgrade.development.services.proposals import proposal_decide, proposals_store
from callgrade.people.models import CompetencyAssessment, Employee, Team, TrainingRecord
from callgrade.people.services.records import assessment_record
from callgrade.standards.services import policy_publish, policy_simulate, policy_upload

EXAMPLES = Path(__file__).parents[2] / "src/callgrade/engine/policy/examples"
TODAY = dt.date(2026, 12, 4)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are matched in English, whichever language a previous test left active."""
    with translation.override("en"):
        yield


def _mine(emp: Employee, kind: str) -> list[Proposal]:
    return list(Proposal.objects.filter(employee=emp, kind=kind))


@pytest.fixture
def fresh(demo_cycle: Any) -> Any:
    """The demo cycle with no proposals yet, so each test sees what its own gap proposes."""
    Proposal.objects.all().delete()
    return demo_cycle


def test_a_kpi_below_its_floor_two_periods_running_proposes_once(fresh: Any, agent: Any) -> None:
    emp = agent.employee
    KpiValue.objects.filter(cycle=fresh, employee=emp, kpi="answer_rate").update(
        value=0.5, sample_size=500
    )
    assert proposals_store(fresh, today=TODAY)["new"] >= 1
    [p] = _mine(emp, "kpi_below_floor")
    assert (p.rule, p.training, p.state) == (
        "answer_rate_below_floor",
        "business_basics",
        "proposed",
    )
    assert [x["value"] for x in p.evidence["periods"]] == [0.5, 0.5]
    assert p.evidence["floor"] == 0.8 and p.gap_key.endswith("|answer_rate|2026-01")
    # the same gap, computed again: nothing new
    again = proposals_store(fresh, today=TODAY)
    assert again["new"] == 0 and len(_mine(emp, "kpi_below_floor")) == 1


def test_a_competency_below_the_next_level_proposes(fresh: Any, agent: Any, hr: Any) -> None:
    emp = agent.employee
    assessment_record(employee=emp, competency="business_knowledge", score=41,
                      assessed_at=dt.date(2026, 2, 28), actor=hr, method="exam")  # fmt: skip
    proposals_store(fresh, today=TODAY)
    [p] = _mine(emp, "competency_below")
    assert p.training == "business_basics" and p.evidence["score"] == 41
    assert p.evidence["required"] in (70, 80)  # the next level's requirement


def test_a_retraining_decision_and_a_bottom_rank_propose(
    fresh: Any, agent: Any, other_agent: Any
) -> None:
    Decision.objects.filter(cycle=fresh, employee=agent.employee).update(
        action="retrain", final_action=""
    )
    seller = other_agent.employee
    assert seller.position == "telesales"
    ScoreTotal.objects.filter(cycle=fresh, employee=seller).update(rank=9, group_size=9)
    proposals_store(fresh, today=TODAY)
    [retrain] = _mine(agent.employee, "retrain")
    assert retrain.gap_key.endswith(f"|retrain|cycle-{fresh.pk}")
    assert retrain.evidence["action"] == "retrain"
    [bottom] = _mine(seller, "bottom_ranked")
    assert bottom.training == "sales_skills" and bottom.evidence["rank"] == 9


def _proposal(cycle: Any, emp: Employee) -> Proposal:
    Decision.objects.filter(cycle=cycle, employee=emp).update(action="retrain", final_action="")
    proposals_store(cycle, today=TODAY)
    return Proposal.objects.get(employee=emp, kind="retrain")


def test_a_deferral_holds_until_its_date(fresh: Any, agent: Any, lead: Any) -> None:
    p = _proposal(fresh, agent.employee)
    proposal_decide(proposal=p, decision="defer", until=TODAY + dt.timedelta(days=10),
                    reason="busy season", actor=lead, today=TODAY)  # fmt: skip
    assert proposals_store(fresh, today=TODAY + dt.timedelta(days=9))["back"] == 0
    p.refresh_from_db()
    assert p.state == Proposal.DEFERRED
    assert proposals_store(fresh, today=TODAY + dt.timedelta(days=10))["back"] == 1
    p.refresh_from_db()
    assert p.state == Proposal.PROPOSED
    assert Proposal.objects.filter(employee=agent.employee, kind="retrain").count() == 1


def test_a_rejection_needs_a_reason_is_recorded_and_stays(fresh: Any, agent: Any, hr: Any) -> None:
    p = _proposal(fresh, agent.employee)
    with pytest.raises(DevelopmentError, match="why"):
        proposal_decide(proposal=p, decision="reject", actor=hr, today=TODAY)
    proposal_decide(proposal=p, decision="reject", reason="took it last month", actor=hr,
                    today=TODAY)  # fmt: skip
    event = AuditEvent.objects.filter(action="proposal_decide", object_id=str(p.pk)).get()
    assert event.reason == "took it last month" and event.after["state"] == "rejected"
    proposals_store(fresh, today=TODAY + dt.timedelta(days=400))
    p.refresh_from_db()
    assert p.state == Proposal.REJECTED


def test_only_the_lead_or_hr_decide_never_the_person(
    fresh: Any, agent: Any, other_lead: Any, lead: Any
) -> None:
    p = _proposal(fresh, agent.employee)
    for who in (agent, other_lead):
        with pytest.raises(DevelopmentError):
            proposal_decide(proposal=p, decision="confirm", due=TODAY, actor=who, today=TODAY)
    with pytest.raises(DevelopmentError, match="due date"):
        proposal_decide(proposal=p, decision="confirm", actor=lead, today=TODAY)
    proposal_decide(proposal=p, decision="confirm", due=TODAY + dt.timedelta(days=30),
                    actor=lead, today=TODAY)  # fmt: skip
    p.refresh_from_db()
    assert p.state == Proposal.CONFIRMED and p.due == TODAY + dt.timedelta(days=30)
    assert agent.notifications.filter(url="/me/development/").exists()


def _course(hr: Any, training: str, pass_score: float | None = 60) -> Any:
    from callgrade.development.models import Course

    existing = Course.objects.filter(training=training).first()
    if existing is not None:
        existing.pass_score = pass_score
        existing.save()
        return existing
    return course_create(actor=hr, training=training, title_zh="课程", title_en="Course",
                         kind="communication", pass_score=pass_score)  # fmt: skip


def _session(hr: Any, course: Any, *, capacity: int = 5, days: int = 3) -> Any:
    start = timezone.now() + dt.timedelta(days=days)
    return session_create(actor=hr, course=course, starts_at=start,
                          ends_at=start + dt.timedelta(hours=3), trainer="Ms Lin",
                          capacity=capacity, place="Room 2")  # fmt: skip


def test_enrolment_respects_the_capacity(hr: Any, agent: Any, lead: Any) -> None:
    s = _session(hr, _course(hr, "courtesy"), capacity=1)
    enrol(actor=agent, session=s)
    with pytest.raises(DevelopmentError, match="full"):
        enrol(actor=lead, session=s)
    with pytest.raises(DevelopmentError):
        enrol(actor=agent, session=_session(hr, _course(hr, "courtesy"), days=-1))


def test_an_attended_session_writes_one_training_record(fresh: Any, hr: Any, agent: Any) -> None:
    emp = agent.employee
    p = _proposal(fresh, emp)
    proposal_decide(proposal=p, decision="confirm", due=TODAY + dt.timedelta(days=9), actor=hr,
                    today=TODAY)  # fmt: skip
    s = _session(hr, _course(hr, "courtesy", pass_score=60))
    e = enrol(actor=agent, session=s)
    with pytest.raises(DevelopmentError, match="score"):
        attendance_record(actor=hr, enrolment=e, attended=True)
    attendance_record(actor=hr, enrolment=e, attended=True, exam_score=55)
    e.refresh_from_db()
    assert e.passed is False and e.record is not None and e.record.passed is False
    p.refresh_from_db()
    assert p.state == Proposal.CONFIRMED  # a failed exam completes nothing
    attendance_record(actor=hr, enrolment=e, attended=True, exam_score=82)  # a re-sit
    assert TrainingRecord.objects.filter(employee=emp, training="courtesy").count() == 1
    record = TrainingRecord.objects.get(employee=emp, training="courtesy")
    assert (record.exam_score, record.passed) == (82, True)
    p.refresh_from_db()
    assert p.state == Proposal.COMPLETED and p.record_id == record.pk


def test_hr_changes_a_session_and_the_enrolled_hear_of_a_move(
    hr: Any, agent: Any, lead: Any
) -> None:
    from callgrade.core.models import Notification
    from callgrade.development.services.catalog import session_update

    s = _session(hr, _course(hr, "courtesy"), capacity=3)
    enrol(actor=agent, session=s)
    enrol(actor=lead, session=s)
    fields = {"starts_at": s.starts_at, "ends_at": s.ends_at, "trainer": "Mr Wu",
              "place": "Room 2"}  # fmt: skip
    with pytest.raises(DevelopmentError, match="2 people are enrolled"):
        session_update(actor=hr, session=s, capacity=1, **fields)
    with pytest.raises(DevelopmentError, match="HR"):
        session_update(actor=lead, session=s, capacity=3, **fields)
    told = Notification.objects.filter(user=agent)
    before = told.count()
    session_update(actor=hr, session=s, capacity=2, **fields)  # the trainer: nobody is told
    assert told.count() == before
    later = s.starts_at + dt.timedelta(days=1)
    session_update(actor=hr, session=s, capacity=2, **{**fields, "starts_at": later,
                   "ends_at": later + dt.timedelta(hours=2), "place": "Room 5"})  # fmt: skip
    s.refresh_from_db()
    assert (s.trainer, s.capacity, s.place) == ("Mr Wu", 2, "Room 5")
    note = told.latest("id")
    assert "moved" in note.text_en and "Room 5" in note.text_en and "变更" in note.text_zh
    assert Notification.objects.filter(user=lead, text_en=note.text_en).exists()
    assert AuditEvent.objects.filter(action="session_update").count() == 2


def test_a_cancelled_session_tells_the_enrolled_and_keeps_what_was_recorded(
    hr: Any, agent: Any, other_agent: Any, login: Any
) -> None:
    from callgrade.core.models import Notification
    from callgrade.development.selectors import upcoming_sessions
    from callgrade.development.services.catalog import session_cancel

    course = _course(hr, "courtesy", pass_score=None)
    s = _session(hr, course)
    e = enrol(actor=agent, session=s)
    # HR recorded the agent's attendance before the session was called off
    attendance_record(actor=hr, enrolment=e, attended=True)
    record_id = Enrolment.objects.get(pk=e.pk).record_id
    assert record_id is not None
    with pytest.raises(DevelopmentError, match="why"):
        session_cancel(actor=hr, session=s, reason="  ")
    r = login(hr).post(f"/development/sessions/{s.pk}/cancel/", {"reason": "Trainer is ill"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.cancelled_at is not None and s.cancel_reason == "Trainer is ill"
    note = Notification.objects.filter(user=agent).latest("id")
    assert "cancelled: Trainer is ill" in note.text_en and "已取消" in note.text_zh
    # nothing recorded goes away
    e.refresh_from_db()
    assert e.attended is True and e.record_id == record_id
    assert TrainingRecord.objects.filter(pk=record_id).exists()
    # and nothing more happens to it
    with pytest.raises(DevelopmentError, match="cancelled"):
        enrol(actor=other_agent, session=s)
    with pytest.raises(DevelopmentError, match="cancelled"):
        attendance_record(actor=hr, enrolment=e, attended=False)
    with pytest.raises(DevelopmentError, match="already"):
        session_cancel(actor=hr, session=s, reason="again")
    # the enrolled see it marked cancelled with the reason; others no longer see it
    assert s.pk not in [x.pk for x in upcoming_sessions(other_agent)]
    page = login(agent).get("/me/development/").content.decode()
    assert "session cancelled: Trainer is ill" in page
    hr_page = login(hr).get(f"/development/sessions/{s.pk}/").content.decode()
    assert "Trainer is ill" in hr_page and "session-cancel-form" not in hr_page


def test_hr_changes_a_session_on_its_page(hr: Any, login: Any) -> None:
    s = _session(hr, _course(hr, "courtesy"))
    c = login(hr)
    page = c.get(f"/development/sessions/{s.pk}/").content.decode()
    assert "session-edit-form" in page and "session-cancel-form" in page
    form = {"day": "2027-03-02", "start": "10:00", "end": "12:30", "trainer": "Ms Lin",
            "capacity": "8", "place": "", "online": "1"}  # fmt: skip
    assert c.post(f"/development/sessions/{s.pk}/edit/", form).status_code == 302
    s.refresh_from_db()
    assert (s.capacity, s.online, timezone.localtime(s.starts_at).hour) == (8, True, 10)
    r = c.post(f"/development/sessions/{s.pk}/edit/", {**form, "end": "09:00"}, follow=True)
    assert "ends after it starts" in r.content.decode()


def test_a_placement_in_another_team_is_a_training_record(hr: Any, agent: Any) -> None:
    emp = agent.employee
    other = Team.objects.exclude(pk=emp.team_id).first()
    assert other is not None
    with pytest.raises(DevelopmentError):
        placement_record(actor=hr, employee=emp, host_team=emp.team, training="sales_skills",
                         mentor="Mr Wu", starts_on=dt.date(2026, 3, 1),
                         ends_on=dt.date(2026, 3, 5))  # fmt: skip
    placement_record(actor=hr, employee=emp, host_team=other, training="sales_skills",
                     mentor="Mr Wu", starts_on=dt.date(2026, 3, 1),
                     ends_on=dt.date(2026, 3, 5))  # fmt: skip
    r = TrainingRecord.objects.get(employee=emp, training="sales_skills")
    assert r.completed_at == dt.date(2026, 3, 5) and r.source_ref.startswith("placement:")


def test_an_exam_passed_after_a_gap_makes_the_next_cycles_condition_hold(
    hr: Any, lead: Any, demo_cycle: Any
) -> None:
    text = (EXAMPLES / "customer_specialist_4_levels.yaml").read_text("utf-8")
    draft = policy_upload(actor=hr, text=text)
    policy_simulate(version=draft, period="2026-01", actor=hr)  # publishing needs one
    version = policy_publish(version=draft, actor=hr)
    emp = (
        Employee.objects.filter(position="customer_service", level="intermediate",
                                team__lead__user=lead)
        .exclude(trainings__training="product_certification")
        .order_by("employee_id")
        .first()
    )  # fmt: skip
    assert emp is not None
    CompetencyAssessment.objects.filter(employee=emp, competency="business_knowledge").delete()
    assessment_record(employee=emp, competency="business_knowledge", score=72,
                      assessed_at=dt.date(2026, 1, 10), actor=hr, method="exam")  # fmt: skip

    # January: the gap to the next level proposes the certification, with the evidence
    january = cycle_create(actor=hr, name="Jan", period="2026-01-01..2026-01-31",
                           policy_version=version)  # fmt: skip
    cycle_compute(cycle=january, actor=hr)
    p = Proposal.objects.get(employee=emp, training="product_certification")
    assert (p.kind, p.evidence["level"], p.evidence["required"], p.evidence["score"]) == (
        "competency_below",
        "senior",
        80,
        72,
    )
    proposal_decide(proposal=p, decision="confirm", due=dt.date(2026, 12, 31), actor=lead)
    # the certification session (in February) and its exam
    course = _course(hr, "product_certification", pass_score=80)
    start = dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC)
    s = session_create(actor=hr, course=course, starts_at=start,
                       ends_at=start + dt.timedelta(hours=4), trainer="Mr Zhao", capacity=20,
                       online=True)  # fmt: skip
    e = enrol(actor=hr, session=s, employee=emp)
    attendance_record(actor=hr, enrolment=e, attended=True, exam_score=88)
    p.refresh_from_db()
    assert p.state == Proposal.COMPLETED

    # February: the senior level's training condition holds
    february = cycle_create(actor=hr, name="Feb", period="2026-02-01..2026-02-28",
                            policy_version=version)  # fmt: skip
    cycle_compute(cycle=february, actor=hr)
    condition = "senior: completed product_certification"
    item = ChecklistItem.objects.get(
        cycle=february, employee=emp, kind="checklist", condition=condition
    )
    assert item.status == "met"
    before = ChecklistItem.objects.get(
        cycle=january, employee=emp, kind="checklist", condition=condition
    )
    assert before.status == "missing"
    # February computed again: the same gap is not proposed twice
    assert Proposal.objects.filter(employee=emp, training="product_certification").count() == 1
    assert isinstance(Enrolment.objects.get(pk=e.pk).record_id, int)


def test_my_development_lists_the_trainings_the_next_level_requires_as_grading_counts_them(
    hr: Any,
) -> None:
    """Held means what the training condition counts: completed, not failed, not lapsed."""
    from callgrade.development.selectors import next_level_trainings
    from callgrade.people.services.records import training_record

    text = (EXAMPLES / "customer_specialist_4_levels.yaml").read_text("utf-8")
    draft = policy_upload(actor=hr, text=text)
    policy_simulate(version=draft, period="2026-01", actor=hr)
    policy_publish(version=draft, actor=hr)
    emp = Employee.objects.filter(position="customer_service", level="intermediate").first()
    assert emp is not None
    TrainingRecord.objects.filter(employee=emp).delete()
    course = _course(hr, "product_certification", pass_score=80)
    # added without a list of its own, it develops what the standard says the training does
    assert course.competencies == ["business_knowledge"]

    def held() -> list[tuple[str, str, bool, list[str]]]:
        with translation.override("en"):
            return [
                (t.training, t.level, t.held, [str(c) for c in t.courses])
                for t in next_level_trainings(emp, today=TODAY)
            ]

    missing = [("Product knowledge certification", "Senior specialist", False, [str(course)])]
    assert held() == missing
    training_record(employee=emp, training="product_certification", actor=hr,
                    completed_at=dt.date(2026, 2, 1), exam_score=55, passed=False)  # fmt: skip
    assert held() == missing  # a failed attempt
    training_record(employee=emp, training="product_certification", actor=hr,
                    completed_at=dt.date(2023, 2, 1), passed=True,
                    expires_at=TODAY)  # fmt: skip
    assert held() == missing  # lapsed on the day
    training_record(employee=emp, training="product_certification", actor=hr,
                    completed_at=dt.date(2026, 3, 1), exam_score=90, passed=True)  # fmt: skip
    assert held()[0][2] is True
    # at the top of the ladder nothing is asked
    emp.level = "expert"
    assert next_level_trainings(emp, today=TODAY) == []


# --- the demo and the pages ------------------------------------------------------------------


def test_the_demo_has_proposals_in_every_state_and_completions(agent: Any) -> None:
    states = set(Proposal.objects.values_list("state", flat=True))
    assert {"proposed", "confirmed", "deferred", "rejected", "completed"} <= states
    assert Enrolment.objects.filter(attended=True, record__isnull=False).exists()
    assert Enrolment.objects.filter(passed=False).exists()
    assert TrainingRecord.objects.filter(source_ref__startswith="placement:").exists()


def test_the_agent_sees_what_is_assigned_why_and_by_when(
    fresh: Any, agent: Any, lead: Any, login: Any
) -> None:
    p = _proposal(fresh, agent.employee)
    c = login(lead)
    r = c.post(f"/development/proposals/{p.pk}/decide/",
               {"decision": "confirm", "due": "2027-01-15"})  # fmt: skip
    assert r.status_code == 302
    page = login(agent).get("/me/development/").content.decode()
    assert "2027" in page and "retrain" in page.lower()
    assert "retraining decided" in page and "The cycle&#x27;s decision" in page
    board = c.get("/team/development/").content.decode()
    assert agent.employee.name in board


def test_the_training_report_exports_safe_cells(hr: Any, login: Any) -> None:
    import io

    from openpyxl import load_workbook

    from callgrade.development.models import Course

    Course.objects.filter(pk=Course.objects.first().pk).update(title_en="=HYPERLINK(1)")
    r = login(hr).get("/development/report.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws is not None
    assert ws.cell(row=1, column=1).value == "Course"
    cells = [str(c.value) for row in ws.iter_rows(min_row=2) for c in row if c.value]
    assert any("HYPERLINK" in v for v in cells)
    assert not any(v.startswith("=") for v in cells)
