"""The demo's own content beyond a graded cycle: roster attributes for the fairness audit, an
appeal of the demo agent's, upheld with a correction of one record behind a scored KPI, a
departure from a proposal, and a second standard drafted and simulated on the same history.
All use the same services people use in the app."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import ibis
from django.contrib.auth import get_user_model

from callgrade.core.models import Job
from callgrade.cycles.models import Cycle, Decision, ScoreItem
from callgrade.cycles.services.cycles import WorkflowError, decision_override, ladder_levels
from callgrade.cycles.services.fairness import fairness_refresh
from callgrade.engine.cycle import rating_periods
from callgrade.engine.kpis import kpi_records, open_tables
from callgrade.engine.policy.load import validate_text
from callgrade.people.inputs import corrections_table, record_value, warehouse
from callgrade.people.models import Employee, RosterAttribute
from callgrade.review.models import Appeal
from callgrade.review.services.appeals import CorrectionInput, appeal_file, appeal_resolve
from callgrade.standards.models import PolicyVersion
from callgrade.standards.services import policy_simulate, policy_upload

# Which scored KPI the demo agent disputes, and how HR corrects the record, by preference.
DISPUTES = ("qa_score", "csat")
# The roster attributes the demo center records, each value drawn from the employee id.
ATTRIBUTES = {
    "性别": ("女", "男"),
    "年龄段": ("25岁以下", "25至34岁", "35岁及以上"),
    "班次": ("早班", "中班", "晚班"),
}


def demo_roster_attributes() -> int:
    """Gender, age band and shift for every employee without them, drawn from a hash of the
    employee id (the same every run); how many values were recorded."""
    held = set(RosterAttribute.objects.values_list("employee_id", "name"))
    new = []
    for emp in Employee.objects.order_by("employee_id"):
        for name, values in ATTRIBUTES.items():
            if (emp.pk, name) in held:
                continue
            digest = hashlib.sha256(f"{emp.employee_id}:{name}".encode()).digest()
            new.append(
                RosterAttribute(
                    employee=emp, name=name, value=values[digest[0] % len(values)], source="import"
                )
            )
    RosterAttribute.objects.bulk_create(new)
    return len(new)


def demo_departure(cycle: Cycle) -> Decision | None:
    """HR holds one employee the engine proposes to promote at their level (a departure from
    the proposal, with its reason), then the fairness audit is run again; once per cycle."""
    if Decision.objects.filter(cycle=cycle).exclude(final_level="").exists():
        return None
    decision = (
        Decision.objects.filter(cycle=cycle, action="promote", employee__user__isnull=True)
        .select_related("employee", "cycle")
        .order_by("employee__employee_id")
        .first()
    )
    hr = get_user_model().objects.filter(username="hr").first()
    if decision is None or hr is None or not ladder_levels(cycle, decision.employee.position):
        return None
    try:
        decision_override(
            decision=decision,
            level=decision.level_from,
            reason="晋升答辩安排在下一周期，本周期暂缓晋升。",
            actor=hr,
        )
    except WorkflowError:
        return None
    fairness_refresh(cycle, actor=hr)
    return decision


def _records(employee_id: str, kpi: str, cycle: Cycle, label: str) -> list[dict[str, Any]]:
    period = next(p for p in rating_periods(cycle.policy_version.policy(), cycle.period)
                  if p.label == label)  # fmt: skip
    tables = open_tables(ibis.duckdb.connect(), warehouse(), corrections_table())
    rows = kpi_records(tables, kpi=kpi, entity_type="agent", entity_id=employee_id, period=period)
    return list(rows.to_pyarrow().to_pylist())


def upheld_demo_appeal(cycle: Cycle) -> Appeal | None:
    """The demo agent disputes one record behind a scored KPI of the cycle's first period; HR
    upholds it with a correction, which recomputes the agent. Once per cycle."""
    users = get_user_model().objects
    agent, hr = users.get(username="agent"), users.get(username="hr")
    emp = agent.employee
    existing = Appeal.objects.filter(cycle=cycle, employee=emp).first()
    if existing is not None:
        return existing
    label = rating_periods(cycle.policy_version.policy(), cycle.period)[0].label
    scored = set(
        # an item that counts in the total, so that the correction shows in the score
        ScoreItem.objects.filter(
            cycle=cycle, employee=emp, period=label, detail__input="kpi", status="scored"
        ).values_list("item", flat=True)
    )
    kpi = next((k for k in DISPUTES if k in scored), None)
    if kpi is None:
        return None
    rows = [r for r in _records(emp.employee_id, kpi, cycle, label) if r["in_denominator"]]
    if not rows:
        return None
    if kpi == "qa_score":  # the lowest evaluation, re-scored after a calibration session
        worst = min(rows, key=lambda r: r["numerator"])
        table, record = worst["source_table"], worst["record_id"]
        old = record_value(table, record, "score")
        new = f"{min(100.0, float(old or 0) + 15):g}"
        correction = CorrectionInput(table, record, "score", new, old)
        reason = f"质检单 {record} 由实习质检员评分，校准后的分数应更高。"
        resolution = "质检校准会复评后更正该质检得分。"
    else:  # a dissatisfied survey that rated the product, not the agent
        worst = min(rows, key=lambda r: r["numerator"])
        table, record = worst["source_table"], worst["record_id"]
        correction = CorrectionInput(table, record)
        reason = f"满意度回访 {record} 投诉的是产品价格，与我的服务无关。"
        resolution = "该回访评价的是产品而非坐席服务，予以剔除。"
    appeal = appeal_file(
        cycle=cycle,
        actor=agent,
        reason=reason,
        kpi=kpi,
        period=label,
        target_table=table,
        record_id=record,
    )
    return appeal_resolve(
        appeal=appeal, uphold=True, resolution=resolution, actor=hr, correction=correction
    )


def draft_simulation(path: Path, period: str) -> Job | None:
    """``path`` uploaded as a draft standard (once) and simulated over ``period`` against the
    standard in force; the simulation's job, or None when it cannot run."""
    text = path.read_text("utf-8")
    policy, _errors = validate_text(text)
    if policy is None:
        return None
    version = PolicyVersion.objects.filter(code=policy.code, version=policy.version).first()
    if version is None:
        version = policy_upload(actor=None, text=text, filename=path.name)
    done = Job.objects.filter(
        kind="policy_simulate", state=Job.DONE, arguments__version=version.pk
    ).first()
    if done is not None:
        return done
    if version.status != PolicyVersion.DRAFT:
        return None
    job = policy_simulate(version=version, period=period, actor=None)
    job.refresh_from_db()
    return job


def revision_simulation(version: PolicyVersion, period: str) -> Job | None:
    """A revision of the standard in force as HR makes it in the form editor — in the first
    scorecard dimension with two items, ten weight points move from the second item to the
    first, and the second rating band rises by two points — stored as a draft (once) and
    simulated over ``period``, so that the demo's version page shows a summary, the changes in
    words and Publish; the job, or None when the standard has nothing of the kind."""
    from callgrade.engine.policy.model import Absolute
    from callgrade.standards.editor import next_version, rewrite

    policy = version.policy()
    changes: dict[tuple[str | int, ...], float] = {}
    for ci, card in enumerate(policy.scorecards):
        for di, dim in enumerate(card.dimensions):
            if len(dim.items) >= 2 and dim.items[1].weight >= 10 and not changes:
                at = ("scorecards", ci, "dimensions", di, "items")
                changes[(*at, 0, "weight")] = dim.items[0].weight + 10
                changes[(*at, 1, "weight")] = dim.items[1].weight - 10
    bands = policy.ratings.assignment
    if isinstance(bands, Absolute) and len(bands.bands) > 2:
        changes[("ratings", "assignment", "bands", 1, "min_score")] = bands.bands[1].min_score + 2
    if not changes:
        return None
    draft = PolicyVersion.objects.filter(
        code=version.code, status=PolicyVersion.DRAFT, uploaded_by__isnull=True
    ).first()
    if draft is None:
        text = rewrite(version.yaml, changes, next_version(version))
        draft = policy_upload(actor=None, text=text, filename=f"{version.code}.yaml")
    done = Job.objects.filter(
        kind="policy_simulate", state=Job.DONE, arguments__version=draft.pk
    ).first()
    if done is not None:
        return done
    job = policy_simulate(version=draft, period=period, actor=None)
    job.refresh_from_db()
    return job


def demo_integrations() -> list[str]:
    """Two systems that call the API: a learning platform recording trainings and reading people,
    and payroll reading pay lines and decisions. Their tokens are not kept (nor shown here): HR
    makes a new integration on the integrations page to try the API."""
    from django.contrib.auth import get_user_model

    from callgrade.integration.models import Integration
    from callgrade.integration.services import integration_create

    hr = get_user_model().objects.get(username="hr")
    made = []
    for name, scopes in (
        ("学习平台", ["read:people", "write:trainings"]),
        ("薪酬系统", ["read:decisions", "read:pay"]),
    ):
        if not Integration.objects.filter(name=name).exists():
            integration_create(name=name, acting_user=hr, scopes=scopes, actor=hr)
            made.append(name)
    return made
