"""The grading loop closes, through the app's services: what one cycle decided, what HR recorded
on the employee page or imported, and what an upheld appeal corrected is what the next
computation grades and pays."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from callgrade.cycles import workflow
from callgrade.cycles.models import ChecklistItem, Cycle, Decision, KpiValue, PayLine
from callgrade.cycles.services.cycles import (
    cycle_advance,
    cycle_compute,
    cycle_create,
    decision_override,
)
from callgrade.people.models import Correction, Employee, LevelChange
from callgrade.people.services import org_import
from callgrade.people.services.records import employee_level_set, training_record
from callgrade.review.services.appeals import CorrectionInput, appeal_file, appeal_resolve
from callgrade.standards.services import policy_publish, policy_simulate, policy_upload

EXAMPLES = Path(__file__).parents[2] / "src/callgrade/engine/policy/examples"
JANUARY = "2026-01-01..2026-01-31"
FEBRUARY = "2026-02-01..2026-02-28"


def _computed(name: str, period: str, version: Any, hr: Any) -> Cycle:
    cycle = cycle_create(actor=hr, name=name, period=period, policy_version=version)
    cycle_compute(cycle=cycle, actor=hr)
    cycle.refresh_from_db()
    assert cycle.state == Cycle.COMPUTED
    return cycle


def _close(cycle: Cycle, hr: Any, effective: dt.date) -> Cycle:
    while cycle.state != Cycle.CLOSED:
        options: dict[str, Any] = {}
        if workflow.next_state(cycle.state) == Cycle.CLOSED:
            options["effective_date"] = effective
        cycle = cycle_advance(cycle=cycle, actor=hr, **options)
    return cycle


def _decision(cycle: Cycle, employee_id: str) -> Decision:
    return Decision.objects.get(cycle=cycle, employee__employee_id=employee_id)


def _allowance(cycle: Cycle, employee_id: str) -> dict[str, float]:
    lines = PayLine.objects.filter(cycle=cycle, employee__employee_id=employee_id, kind="allowance")
    return {p.period: float(p.amount) for p in lines}


def test_a_level_decided_in_one_cycle_is_graded_and_paid_in_the_next(
    hr: Any, demo_cycle: Any
) -> None:
    version = demo_cycle.policy_version
    january = _computed("January", JANUARY, version, hr)
    d = _decision(january, "E0006")
    assert d.level_from == "intermediate"
    decision_override(decision=d, level="senior", reason="led the night shift", actor=hr)
    january = _close(january, hr, effective=dt.date(2026, 2, 1))
    change = LevelChange.objects.get(cycle=january, employee__employee_id="E0006")
    assert (change.level_to, change.effective) == ("senior", dt.date(2026, 2, 1))

    february = _computed("February", FEBRUARY, version, hr)
    d = _decision(february, "E0006")
    assert d.level_from == "senior"  # graded from the level the last cycle decided
    tenure = ChecklistItem.objects.get(
        cycle=february,
        employee=d.employee,
        kind="checklist",
        condition="expert: tenure at level >= 12 months",
    )
    # time at the level counts from its effective date, not from the hire date
    assert tenure.detail["actual"] == 0 and tenure.status == "missing"
    assert _allowance(february, "E0006") == {"2026-02": 500.0}  # a senior's allowance
    # January, computed again, still pays and grades the level held then
    again = _computed("January again", JANUARY, version, hr)
    assert _allowance(again, "E0006") == {"2026-01": 200.0}
    assert _decision(again, "E0006").level_from == "intermediate"


def test_a_level_set_on_the_employee_page_and_an_import_reach_the_next_computation(
    hr: Any, demo_cycle: Any
) -> None:
    emp = Employee.objects.get(employee_id="E0002")
    assert emp.level == "junior"
    employee_level_set(
        employee=emp,
        level="expert",
        effective=dt.date(2026, 1, 1),
        reason="corrected: promoted in 2025",
        actor=hr,
        today=dt.date(2026, 12, 3),
    )
    data = (
        "employee_id,name,position,level,level_since,hire_date\n"
        "E0003,罗丽华,telesales,senior,2026-01-01,\n"
        "E9001,新员工,customer_service,junior,,2025-03-01\n"
    ).encode()
    preview = org_import.import_stage(data=data, filename="staff.csv", actor=hr)
    assert preview.counts["rejected"] == 0, preview.rejected[0].problems if preview.rejected else ""
    org_import.employee_import_apply(token=preview.token, fingerprint=preview.fingerprint, actor=hr)
    cycle = _computed("After edits", FEBRUARY, demo_cycle.policy_version, hr)
    assert _decision(cycle, "E0002").level_from == "expert"
    assert _decision(cycle, "E0003").level_from == "senior"
    assert _decision(cycle, "E9001").level_from == "junior"  # created by the import


def test_a_recorded_training_makes_a_training_condition_hold(hr: Any, demo_cycle: Any) -> None:
    text = (EXAMPLES / "customer_specialist_4_levels.yaml").read_text("utf-8")
    draft = policy_upload(actor=hr, text=text)
    policy_simulate(version=draft, period="2026-01", actor=hr)  # publishing needs one
    version = policy_publish(version=draft, actor=hr)
    # someone the senior level's certification is still missing for
    emp = (
        Employee.objects.filter(
            position__in=["customer_service", "technical_support"], level="intermediate"
        )
        .exclude(trainings__training="product_certification")
        .order_by("employee_id")
        .first()
    )
    assert emp is not None

    def certification(cycle: Cycle) -> ChecklistItem:
        return ChecklistItem.objects.get(
            cycle=cycle,
            employee=emp,
            kind="checklist",
            condition="senior: completed product_certification",
        )

    before = _computed("Specialists", FEBRUARY, version, hr)
    assert certification(before).status == "missing"
    training_record(
        employee=emp,
        training="product_certification",
        completed_at=dt.date(2026, 2, 10),
        exam_score=88,
        passed=True,
        certificate="CPC-0001",
        actor=hr,
    )
    cycle_compute(cycle=before, actor=hr)
    assert certification(before).status == "met"
    # a failed attempt counts for nothing
    emp.trainings.update(passed=False)
    cycle_compute(cycle=before, actor=hr)
    assert certification(before).status == "missing"


def test_an_upheld_appeals_correction_changes_the_score_and_survives_a_full_recompute(
    hr: Any, agent: Any, demo_cycle: Any
) -> None:
    Cycle.objects.filter(pk=demo_cycle.pk).update(state=Cycle.APPEALS, appeal_deadline=None)
    demo_cycle.refresh_from_db()
    emp = agent.employee
    csat = KpiValue.objects.get(cycle=demo_cycle, employee=emp, kpi="csat", period="2026-02")
    appeal = appeal_file(
        cycle=demo_cycle, actor=agent, reason="a test call", kpi="csat", period="2026-02"
    )
    # every survey of February marked as the agent's best answer: CSAT 100%
    from callgrade.people.inputs import warehouse

    surveys = [
        r
        for r in warehouse().read("surveys").to_pylist()
        if r["agent_id"] == emp.employee_id and r["responded_at"].month == 2 and r["csat"] < 4
    ]
    assert surveys, "the demo agent has a dissatisfied survey in February"
    appeal_resolve(
        appeal=appeal,
        uphold=True,
        resolution="the low survey rated the product, not the agent",
        actor=hr,
        correction=CorrectionInput(
            target_table="surveys", record_id=surveys[0]["survey_id"], field="csat", value="5"
        ),
    )
    after = KpiValue.objects.get(cycle=demo_cycle, employee=emp, kpi="csat", period="2026-02")
    assert after.numerator == csat.numerator + 1 and after.sample_size == csat.sample_size
    assert Correction.objects.filter(appeal=appeal, active=True).count() == 1
    cycle_compute(cycle=demo_cycle, actor=hr)  # everyone, from scratch
    again = KpiValue.objects.get(cycle=demo_cycle, employee=emp, kpi="csat", period="2026-02")
    assert (again.numerator, again.sample_size) == (after.numerator, after.sample_size)


def test_a_cycle_grades_the_position_held_on_its_last_day(hr: Any, demo_cycle: Any) -> None:
    version = demo_cycle.policy_version
    # an import moves E0003 from telesales to customer service, effective the import day (after
    # February): February is still graded and paid as telesales
    data = b"employee_id,name,position\nE0003,x,customer_service\n"
    preview = org_import.import_stage(data=data, filename="move.csv", actor=hr)
    org_import.employee_import_apply(token=preview.token, fingerprint=preview.fingerprint, actor=hr)
    emp = Employee.objects.get(employee_id="E0003")
    assert emp.position == "customer_service"
    assert emp.assignments.latest("effective").position == "customer_service"
    february = _computed("February", FEBRUARY, version, hr)
    assert _decision(february, "E0003").detail["position"] == "telesales"
    # the move recorded as of 1 February: February grades the new position
    emp.assignments.filter(position="customer_service").update(effective=dt.date(2026, 2, 1))
    cycle_compute(cycle=february, actor=hr)
    assert _decision(february, "E0003").detail["position"] == "customer_service"
