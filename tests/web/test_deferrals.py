"""Deferred bonus pools across two cycles: January defers, February vests the first step on
the pay statement, recomputing defers nothing twice, a leaver forfeits, and the pool shows on
the scorecard page and the cycle page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from callgrade.core.models import Job
from callgrade.cycles.models import Cycle, DeferralSettlement, DeferralStep, PayLine
from callgrade.cycles.services.cycles import cycle_compute, cycle_create
from callgrade.people.models import Employee
from callgrade.standards.models import PolicyVersion

EXAMPLE = Path(__file__).parents[2] / "src/callgrade/engine/policy/examples/four_positions.yaml"
SCHEDULE = """      vesting:
        - {months: 12, percent: 33.33}
        - {months: 24, percent: 33.33}
        - {months: 36, percent: 33.34}
"""
SHORT = """      vesting:
        - {months: 1, percent: 50}
        - {months: 2, percent: 50}
"""


def _standard() -> PolicyVersion:
    text = EXAMPLE.read_text("utf-8")
    assert SCHEDULE in text
    text = text.replace(SCHEDULE, SHORT).replace('version: "2026.1"', 'version: "2026.9"')
    return PolicyVersion.objects.create(
        code="four_positions",
        version="2026.9",
        yaml=text,
        status=PolicyVersion.PUBLISHED,
        published_at=timezone.now(),
    )


def _compute(cycle: Cycle, hr: Any) -> None:
    job = cycle_compute(cycle=cycle, actor=hr)
    assert job.state == Job.DONE, job.error
    cycle.refresh_from_db()


def _cycles(hr: Any) -> tuple[Cycle, Cycle]:
    version = _standard()
    jan = cycle_create(
        actor=hr, name="jan", period="2026-01-01..2026-01-31", policy_version=version
    )
    feb = cycle_create(
        actor=hr, name="feb", period="2026-02-01..2026-02-28", policy_version=version
    )
    return jan, feb


def _ledger() -> list[tuple[Any, ...]]:
    return sorted(
        DeferralStep.objects.values_list(
            "employee_id", "plan", "source_period", "step", "amount", "due_on", "cycle_id"
        )
    )


def test_january_defers_february_vests_and_recomputing_defers_nothing_twice(
    login: Any, hr: Any, db: None
) -> None:
    jan, feb = _cycles(hr)
    _compute(jan, hr)
    deferrals = PayLine.objects.filter(cycle=jan, kind="deferral")
    assert deferrals.exists()
    line = deferrals.select_related("employee").order_by("employee__employee_id").first()
    assert line is not None
    emp = line.employee
    bonus = PayLine.objects.get(cycle=jan, employee=emp, period=line.period, kind="bonus")
    withheld = (bonus.amount * Decimal("0.2")).quantize(Decimal("0.01"))
    assert line.cash and line.amount == -withheld  # 20% of the bonus leaves this month's cash
    steps = DeferralStep.objects.filter(employee=emp, source_period="2026-01").order_by("step")
    half = (withheld / 2).quantize(Decimal("0.01"))
    assert [(s.due_on, s.amount) for s in steps] == [
        (dt.date(2026, 2, 28), half),  # granted 2026-01-31: the 31st moves to February's end
        (dt.date(2026, 3, 31), withheld - half),
    ]
    assert [s["due_on"] for s in line.detail["steps"]] == ["2026-02-28", "2026-03-31"]
    assert not PayLine.objects.filter(cycle=jan, kind="vesting").exists()

    _compute(feb, hr)
    vest = PayLine.objects.get(cycle=feb, employee=emp, kind="vesting")
    assert vest.cash and vest.period == "2026-02" and vest.amount == half
    assert "step 1/2 of the 2026-01 deferral" in vest.explanation
    assert vest.detail["steps"][0]["source_period"] == "2026-01"
    settled = DeferralSettlement.objects.get(step=steps[0])
    assert (settled.kind, settled.cycle_id, settled.period) == ("vest", feb.pk, "2026-02")

    ledger = _ledger()
    lines = sorted(PayLine.objects.filter(kind__in=["deferral", "vesting"]).values_list(
        "cycle_id", "employee_id", "period", "kind", "amount"))  # fmt: skip
    for cycle in (feb, jan, feb):  # in any order, again and again
        _compute(cycle, hr)
        assert _ledger() == ledger
        assert DeferralSettlement.objects.filter(cycle=feb).count() > 0
        assert DeferralSettlement.objects.get(step=steps[0]).cycle_id == feb.pk
    again = sorted(PayLine.objects.filter(kind__in=["deferral", "vesting"]).values_list(
        "cycle_id", "employee_id", "period", "kind", "amount"))  # fmt: skip
    assert again == lines

    # the pool on the person's page, in both languages, and the cycle's totals for HR
    c = login(hr)
    zh = c.get(
        f"/people/{emp.employee_id}/?cycle={feb.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "递延奖金账户" in zh and "待归属" in zh and "已于 2026-02 归属" in zh
    assert "递延奖金归属" in zh  # the vesting line's kind, in words
    en = c.get(f"/people/{emp.employee_id}/?cycle={feb.pk}", HTTP_ACCEPT_LANGUAGE="en")
    page = en.content.decode()
    assert "Deferred bonus pool" in page and "vested in 2026-02" in page
    detail = c.get(f"/cycles/{feb.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="pool-vested"' in detail and "Deferred bonus pools" in detail
    # the plan in the published standard everyone reads, in words
    std = c.get("/standard/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "递延绩效奖金" in std and "每期绩效奖金的 20% 递延计入" in std, std[-3000:]
    assert "离职或降级时，尚未归属的部分作废" in std


def test_a_leaver_forfeits_what_has_not_vested(hr: Any, db: None) -> None:
    jan, feb = _cycles(hr)
    _compute(jan, hr)
    step = DeferralStep.objects.select_related("employee").order_by("employee_id").first()
    assert step is not None
    emp: Employee = step.employee
    Employee.objects.filter(pk=emp.pk).update(status="left")
    _compute(feb, hr)
    settled = DeferralSettlement.objects.filter(step__employee=emp).order_by("step__step")
    # left by the day before February: both steps (due in February and March) are forfeited
    assert [(s.kind, s.on) for s in settled] == [
        ("forfeit", dt.date(2026, 1, 31)),
        ("forfeit", dt.date(2026, 1, 31)),
    ]
    assert "forfeited: leaving on 2026-01-31" in settled[0].reason
    assert not PayLine.objects.filter(cycle=feb, employee=emp).exists()
