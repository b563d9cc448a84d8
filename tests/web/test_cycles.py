"""HR's grading-cycle workflow: create, compute with progress, review with calibration and
overrides, approve, publish, appeals, close with level changes, the departures report, the audit
trail and the payroll exports — and nobody but HR can reach any of it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from callgrade.core.models import AuditEvent, Job, Notification
from callgrade.cycles import workflow
from callgrade.cycles.models import (
    Calibration,
    ChecklistItem,
    Cycle,
    Decision,
    KpiValue,
    PayLine,
    ScoreItem,
    ScoreTotal,
)
from callgrade.cycles.services.cycles import cycle_compute, cycle_create, ladder_levels
from callgrade.people.models import Conflict, Correction, Employee, LevelChange
from callgrade.review.models import Appeal

PERIOD = "2026-01-01..2026-02-28"
RESULTS = (KpiValue, ScoreItem, ScoreTotal, Decision, ChecklistItem, PayLine)


def _new_cycle(hr: Any, demo_cycle: Any, name: str = "test cycle", compute: bool = True) -> Cycle:
    cycle = cycle_create(
        actor=hr, name=name, period=PERIOD, policy_version=demo_cycle.policy_version
    )
    if compute:
        job = cycle_compute(cycle=cycle, actor=hr)
        assert job.state == Job.DONE, job.error
        cycle.refresh_from_db()
    return cycle


def _counts(cycle: Cycle) -> dict[str, int]:
    return {m.__name__: m.objects.filter(cycle=cycle).count() for m in RESULTS}


def _advance(client: Any, cycle: Cycle, **data: str) -> Cycle:
    cycle.refresh_from_db()
    to = workflow.next_state(cycle.state)
    r = client.post(f"/cycles/{cycle.pk}/advance/", {"to": to, "confirm": "1", **data})
    assert r.status_code == 302
    cycle.refresh_from_db()
    return cycle


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _other_level(cycle: Cycle, decision: Decision) -> str:
    levels = ladder_levels(cycle, decision.employee.position)
    return next(lv for lv in levels if lv not in (decision.level_to, decision.employee.level))


def test_full_workflow_from_creation_to_closing(
    login: Any, hr: Any, agent: Any, demo_cycle: Any
) -> None:
    c = login(hr)
    # Create through the form.
    r = c.post(
        "/cycles/",
        {"name": "2026 Jan–Feb", "period": PERIOD, "policy_version": demo_cycle.policy_version_id},
    )
    cycle = Cycle.objects.get(name="2026 Jan–Feb")
    assert r.status_code == 302 and r["Location"] == f"/cycles/{cycle.pk}/"
    assert cycle.state == Cycle.DRAFT
    assert "2026 Jan–Feb" in c.get("/cycles/").content.decode()

    # Compute: a background job (inline in tests) with its progress shown on the page.
    r = c.post(f"/cycles/{cycle.pk}/compute/")
    assert r.status_code == 302
    cycle.refresh_from_db()
    assert cycle.state == Cycle.COMPUTED and cycle.computed_at is not None
    job = Job.objects.get(cycle=cycle)
    assert job.state == Job.DONE and job.progress == 1.0
    page = c.get(f"/cycles/{cycle.pk}/")
    html = page.content.decode()
    assert 'id="job"' in html and "100%" in html
    summary = page.context["summary"]
    graded = ScoreTotal.objects.filter(cycle=cycle).values("employee").distinct().count()
    assert summary["employees"] == graded == Employee.objects.exclude(status="left").count()
    cash = sum(p.amount for p in PayLine.objects.filter(cycle=cycle, cash=True))
    assert summary["cash"] == cash
    assert (
        sum(sum(s["data"]) for s in summary["chart"]["series"])
        == ScoreTotal.objects.filter(cycle=cycle).count()
    )
    assert sum(n for _a, n in summary["actions"]) == Decision.objects.filter(cycle=cycle).count()
    assert 'id="ratings-chart"' in html and "echarts-5.6.0.min.js" in html

    # Review: HR overrides one decision (with a reason) so closing changes a level.
    cycle = _advance(c, cycle)
    assert cycle.state == Cycle.IN_REVIEW
    decision = Decision.objects.select_related("employee").get(cycle=cycle, employee=agent.employee)
    new_level = _other_level(cycle, decision)
    r = c.post(
        f"/cycles/{cycle.pk}/override/",
        {"employee_id": "E0006", "level": new_level, "reason": "covers the night shift alone"},
    )
    assert r.status_code == 302

    cycle = _advance(c, cycle)
    assert cycle.state == Cycle.APPROVED
    before = Notification.objects.filter(user=agent).count()
    cycle = _advance(c, cycle)
    assert cycle.state == Cycle.PUBLISHED and cycle.published_at is not None
    # Employees are told in the app.
    note = Notification.objects.filter(user=agent).first()
    assert Notification.objects.filter(user=agent).count() == before + 1
    assert note is not None and note.url == f"/me/?cycle={cycle.pk}"

    # Appeal window: the agent appeals, HR upholds it after correcting the data.
    cycle = _advance(c, cycle, appeal_deadline="2099-12-31")
    assert cycle.state == Cycle.APPEALS and cycle.appeal_deadline == dt.date(2099, 12, 31)
    # The agent disputes one survey behind January's CSAT, named on the drill-down page.
    records = (
        login(agent).get(f"/people/E0006/records/?cycle={cycle.pk}&kpi=csat&period=2026-01").context
    )
    assert records["can_dispute"]
    first = records["groups"][0].rows[0]
    table, record = first.source, first.record_id
    assert table == "surveys"
    form = login(agent).get(
        f"/me/?cycle={cycle.pk}&period=2026-01&dispute_kpi=csat&dispute_table={table}"
        f"&dispute_record={record}"
    )
    assert form.context["dispute"]["record"] == record
    assert "Appeals are accepted until" in form.content.decode()
    r = login(agent).post(
        f"/cycles/{cycle.pk}/appeal/",
        {
            "reason": "this customer called about another agent's order",
            "kpi": "csat",
            "period": "2026-01",
            "target_table": table,
            "record_id": record,
        },
    )
    assert r.status_code == 302
    appeal = Appeal.objects.get(cycle=cycle, employee=agent.employee)
    assert (appeal.kpi, appeal.period, appeal.record_id) == ("csat", "2026-01", record)
    r = c.get(f"/cycles/{cycle.pk}/appeals/")
    assert "about another agent" in r.content.decode()
    assert appeal in c.get("/appeals/").context["appeals"]  # HR's inbox

    # Closing with an open appeal is refused.
    r = c.post(
        f"/cycles/{cycle.pk}/advance/",
        {"to": Cycle.CLOSED, "effective_date": "2026-03-01", "confirm": "1"},
        follow=True,
    )
    assert "Resolve the open appeals" in _messages(r)
    cycle.refresh_from_db()
    assert cycle.state == Cycle.APPEALS

    # A stale stored result stands in for a second data error; the recompute replaces it.
    csat = KpiValue.objects.get(cycle=cycle, employee=agent.employee, kpi="csat", period="2026-01")
    ScoreTotal.objects.filter(cycle=cycle, employee=agent.employee).update(total=-1)
    others = dict(
        ScoreTotal.objects.filter(cycle=cycle)
        .exclude(employee=agent.employee)
        .values_list("pk", "total")
    )
    r = c.post(
        f"/cycles/{cycle.pk}/appeals/{appeal.pk}/resolve/",
        {
            "outcome": "uphold",
            "resolution": "the survey was about another agent",
            "correct": "exclude",
            "target_table": table,
            "record_id": record,
        },
    )
    assert r.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == Appeal.UPHELD and appeal.recomputed and appeal.resolved_by == hr
    correction = Correction.objects.get(appeal=appeal)
    assert (correction.target_table, correction.record_id, correction.field) == (table, record, "")
    # the survey no longer counts: before → after, shown to the agent
    after = KpiValue.objects.get(cycle=cycle, employee=agent.employee, kpi="csat", period="2026-01")
    assert after.sample_size == csat.sample_size - 1
    assert appeal.before is not None
    assert appeal.before["kpi"][0]["sample_size"] == csat.sample_size
    mine = login(agent).get("/me/appeals/")
    (shown, outcome), *_ = mine.context["appeals"]
    assert shown == appeal and outcome["after"]["kpi"][0]["sample_size"] == after.sample_size
    rerun = Job.objects.filter(cycle=cycle).order_by("-id").first()
    assert rerun is not None and rerun.arguments["only"] == ["E0006"]
    assert rerun.state == Job.DONE
    assert not ScoreTotal.objects.filter(cycle=cycle, employee=agent.employee, total=-1).exists()
    # Only that employee was recomputed: everyone else's rows are the very same.
    assert (
        dict(
            ScoreTotal.objects.filter(cycle=cycle)
            .exclude(employee=agent.employee)
            .values_list("pk", "total")
        )
        == others
    )
    assert Notification.objects.filter(user=agent, url="/me/appeals/").exists()
    # The override survived the recompute.
    assert Decision.objects.get(cycle=cycle, employee=agent.employee).final_level == new_level

    # Close: level changes take effect on the given date.
    old_level = agent.employee.level
    cycle = _advance(c, cycle, effective_date="2026-03-01", reason="board of 28 Feb")
    assert cycle.state == Cycle.CLOSED and cycle.effective_date == dt.date(2026, 3, 1)
    change = LevelChange.objects.get(cycle=cycle, employee=agent.employee)
    assert (change.level_from, change.level_to) == (old_level, new_level)
    assert change.effective == dt.date(2026, 3, 1)
    emp = Employee.objects.get(pk=agent.employee.pk)
    assert emp.level == new_level and emp.level_since == dt.date(2026, 3, 1)
    assert not Decision.objects.filter(cycle=cycle, applied=False).exists()
    # Every step is in the cycle's audit trail, with who and why.
    trail = c.get(f"/cycles/{cycle.pk}/audit/")
    actions = Counter(e.action for e, _b, _a in trail.context["events"])
    assert actions["cycle_create"] == 1 and actions["cycle_advance"] == 5
    assert actions["decision_override"] == 1 and actions["appeal_file"] == 1
    assert actions["appeal_resolve"] == 1 and actions["cycle_compute"] == 2
    closing = AuditEvent.objects.get(
        action="cycle_advance", object_id=str(cycle.pk), after__state=Cycle.CLOSED
    )
    assert closing.actor == hr and closing.reason == "board of 28 Feb"
    assert closing.after["effective_date"] == "2026-03-01"
    # No event of another cycle leaks in.
    assert all(
        e.object_type != "cycle" or e.object_id == str(cycle.pk)
        for e, _b, _a in trail.context["events"]
    )


def test_recompute_is_idempotent_and_keeps_hr_decisions(
    login: Any, hr: Any, demo_cycle: Any
) -> None:
    cycle = _new_cycle(hr, demo_cycle)
    first = _counts(cycle)
    assert first["ScoreTotal"] > 0 and first["PayLine"] > 0 and first["Decision"] > 0
    decision = Decision.objects.select_related("employee").filter(cycle=cycle).first()
    assert decision is not None
    level = _other_level(cycle, decision)
    c = login(hr)
    c.post(
        f"/cycles/{cycle.pk}/override/",
        {"employee_id": decision.employee.employee_id, "level": level, "reason": "exception"},
    )
    for _ in range(2):
        assert c.post(f"/cycles/{cycle.pk}/compute/").status_code == 302
        cycle.refresh_from_db()
        assert cycle.state == Cycle.COMPUTED
        assert _counts(cycle) == first
    keys = list(ScoreTotal.objects.filter(cycle=cycle).values_list("employee_id", "period"))
    assert len(keys) == len(set(keys))
    assert Decision.objects.get(cycle=cycle, employee=decision.employee).final_level == level
    assert Job.objects.filter(cycle=cycle, state=Job.DONE).count() == 3


def test_calibration_needs_a_reason_changes_rating_and_pay_and_is_audited(
    login: Any, hr: Any, agent: Any, demo_cycle: Any
) -> None:
    cycle = _new_cycle(hr, demo_cycle)
    emp = agent.employee
    total = ScoreTotal.objects.filter(cycle=cycle, employee=emp).order_by("period").first()
    assert total is not None
    period = total.period
    rating = "D" if total.rating != "D" else "S"

    def bonus() -> Decimal:
        lines = PayLine.objects.filter(cycle=cycle, employee=emp, period=period, kind="bonus")
        return sum((p.amount for p in lines), start=Decimal(0))

    bonus_before = bonus()
    c = login(hr)
    url = f"/cycles/{cycle.pk}/calibrate/"
    data = {"employee_id": emp.employee_id, "period": period, "rating": rating}
    r = c.post(url, {**data, "reason": "   "}, follow=True)
    assert "needs a reason" in _messages(r)
    assert not Calibration.objects.filter(cycle=cycle).exists()
    assert ScoreTotal.objects.get(pk=total.pk).final_rating == total.rating

    r = c.post(url, {**data, "reason": "two complaints upheld after scoring"})
    assert r.status_code == 302
    after = ScoreTotal.objects.get(cycle=cycle, employee=emp, period=period)
    assert after.final_rating == rating and after.rating == total.rating
    page = c.get(f"/people/{emp.employee_id}/", {"cycle": cycle.pk, "period": period})
    assert re.search(rf'id="rating">{rating}<', page.content.decode())
    event = AuditEvent.objects.get(action="rating_calibrate", after__cycle=cycle.pk)
    assert event.actor == hr and event.reason == "two complaints upheld after scoring"
    assert event.before["rating"] == total.rating and event.after["rating"] == rating
    # Pay follows the calibrated rating (the bonus coefficient of D is 0, of S 1.5).
    assert bonus() != bonus_before
    # The calibration is on the departures report with who and why.
    rows = c.get(f"/cycles/{cycle.pk}/departures/").context["rows"]
    cal = [d for d in rows if d.kind == "calibration"]
    assert [(d.employee.employee_id, d.proposed, d.final, d.who) for d in cal] == [
        (emp.employee_id, total.rating, rating, "hr")
    ]
    results = c.get(f"/cycles/{cycle.pk}/results/", {"rating": rating}).content.decode()
    assert f'data-employee="{emp.employee_id}"' in results


def test_departing_override_needs_a_reason_and_is_reported(
    login: Any, hr: Any, agent: Any, demo_cycle: Any
) -> None:
    cycle = _new_cycle(hr, demo_cycle)
    decision = Decision.objects.select_related("employee").get(cycle=cycle, employee=agent.employee)
    level = _other_level(cycle, decision)
    c = login(hr)
    url = f"/cycles/{cycle.pk}/override/"
    r = c.post(url, {"employee_id": "E0006", "level": level, "reason": ""}, follow=True)
    assert "needs a reason" in _messages(r)
    decision.refresh_from_db()
    assert decision.final_level == ""
    # Agreeing with the proposal needs no reason and is no departure.
    c.post(url, {"employee_id": "E0006", "level": decision.level_to, "reason": ""})
    decision.refresh_from_db()
    assert decision.final_level == decision.level_to and not decision.departs
    assert c.get(f"/cycles/{cycle.pk}/departures/").context["rows"] == []

    c.post(url, {"employee_id": "E0006", "level": level, "reason": "mentors two new hires"})
    decision.refresh_from_db()
    assert decision.departs and decision.final_reason == "mentors two new hires"
    r = c.get(f"/cycles/{cycle.pk}/departures/")
    rows = r.context["rows"]
    assert [(d.kind, d.employee.employee_id, d.who, d.reason) for d in rows] == [
        ("decision", "E0006", "hr", "mentors two new hires")
    ]
    assert "mentors two new hires" in r.content.decode()
    r = c.get(f"/cycles/{cycle.pk}/departures.xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 2 and "mentors two new hires" in values[1]
    assert values[1][1] == "E0006" and level in str(values[1][5])
    # Filters: the overridden decision's action finds the employee.
    page = c.get(f"/cycles/{cycle.pk}/results/", {"action": decision.final_action})
    acted = [r.employee.employee_id for r, _c, _l in page.context["rows"]]
    assert "E0006" in acted
    assert all(
        (d.final_action or d.action) == decision.final_action
        for d in Decision.objects.filter(cycle=cycle, employee__employee_id__in=acted)
    )
    team = c.get(f"/cycles/{cycle.pk}/results/", {"team": str(agent.employee.team_id)})
    ids = {r.employee.employee_id for r, _c, _l in team.context["rows"]}
    assert "E0006" in ids and "E0002" not in ids


def test_pay_exports_parse_and_match_the_pay_lines(login: Any, hr: Any, demo_cycle: Any) -> None:
    c = login(hr)
    lines = PayLine.objects.filter(cycle=demo_cycle).select_related("employee")
    cash = sum((p.amount for p in lines if p.cash), start=Decimal(0))
    accrued = sum((p.amount for p in lines if not p.cash), start=Decimal(0))
    periods = {(p.employee.employee_id, p.period) for p in lines}
    # a name a spreadsheet would run as a formula
    Employee.objects.filter(employee_id="E0006").update(name="=HYPERLINK(1)")

    r = c.get(f"/cycles/{demo_cycle.pk}/pay.xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(r.content))
    sheet = wb.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header[:2] == ("工号", "姓名") and "现金合计" in header
    assert sheet.freeze_panes == "C2" and sheet["G2"].number_format == "#,##0.00"
    # one row per employee and month; cash and what is only accrued never share a column
    assert len(body) == len(periods)
    cash_col = header.index("现金合计")
    assert sum(Decimal(str(x[cash_col])) for x in body) == cash
    assert Decimal(str(total[cash_col])) == cash and total[0] == "合计"
    accrued_cols = [i for i, h in enumerate(header) if "计提" in str(h)]
    assert sum(Decimal(str(x[i])) for x in body for i in accrued_cols) == accrued
    assert all(x[1] != "=HYPERLINK(1)" for x in body)
    assert "'=HYPERLINK(1)" in {x[1] for x in body}
    assert len(list(wb.worksheets[1].iter_rows())) - 1 == lines.count()

    r = c.get(f"/cycles/{demo_cycle.pk}/pay.csv?codes=1")
    assert r.status_code == 200
    reader = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert reader[-1]["employee_id"] in ("Total", "合计")
    assert sum(Decimal(x["cash_total"]) for x in reader[:-1]) == cash
    assert Decimal(reader[-1]["cash_total"]) == cash
    assert {k for k in reader[0] if k.startswith("cash_")} >= {"cash_total", "cash_bonus"}

    # Not before the results are approved.
    draft = _new_cycle(hr, demo_cycle, compute=False)
    for ext in ("xlsx", "csv"):
        r = c.get(f"/cycles/{draft.pk}/pay.{ext}")
        assert r.status_code == 302 and r["Location"] == f"/cycles/{draft.pk}/"


def test_job_progress_endpoint(login: Any, hr: Any, demo_cycle: Any) -> None:
    cycle = _new_cycle(hr, demo_cycle, compute=False)
    c = login(hr)
    assert "Not computed yet" in c.get(f"/cycles/{cycle.pk}/job/").content.decode()
    job = Job.objects.create(
        kind="cycle_compute", cycle=cycle, state=Job.RUNNING, progress=0.4, step="score 2026-01"
    )
    html = c.get(f"/cycles/{cycle.pk}/job/").content.decode()
    assert 'hx-trigger="every 1s"' in html and "scoring 2026-01" in html and "40%" in html
    # While it runs, the page shows the progress and refuses a second computation.
    assert 'hx-trigger="every 1s"' in c.get(f"/cycles/{cycle.pk}/").content.decode()
    r = c.post(f"/cycles/{cycle.pk}/compute/", follow=True)
    assert "already being computed" in _messages(r)
    Job.objects.filter(pk=job.pk).update(state=Job.FAILED, error="ValueError: no roster")
    html = c.get(f"/cycles/{cycle.pk}/job/").content.decode()
    assert "ValueError: no roster" in html and "every 1s" not in html
    Job.objects.filter(pk=job.pk).update(state=Job.DONE, progress=1.0)
    r = c.get(f"/cycles/{cycle.pk}/job/", HTTP_HX_REQUEST="true")
    assert r["HX-Refresh"] == "true" and "every 1s" not in r.content.decode()


def test_create_form_shows_errors_inline(login: Any, hr: Any, demo_cycle: Any) -> None:
    c = login(hr)
    n = Cycle.objects.count()
    r = c.post(
        "/cycles/",
        {"name": "bad", "period": "2026-13", "policy_version": demo_cycle.policy_version_id},
    )
    assert r.status_code == 400
    assert "Period 2026-13" in r.content.decode()
    r = c.post("/cycles/", {"name": "", "period": PERIOD, "policy_version": ""})
    assert r.status_code == 400 and r.context["form"].errors.keys() >= {"name", "policy_version"}
    assert Cycle.objects.count() == n
    # Population: teams and positions narrow the cycle.
    team = Employee.objects.get(employee_id="E0006").team
    r = c.post(
        "/cycles/",
        {
            "name": "one team",
            "period": PERIOD,
            "policy_version": demo_cycle.policy_version_id,
            "teams": [team.pk],
        },
    )
    cycle = Cycle.objects.get(name="one team")
    assert list(cycle.teams.all()) == [team]
    c.post(f"/cycles/{cycle.pk}/compute/")
    graded = set(ScoreTotal.objects.filter(cycle=cycle).values_list("employee__team_id", flat=True))
    assert graded == {team.pk}


def test_chinese_cycle_page(login: Any, hr: Any, demo_cycle: Any) -> None:
    html = login(hr).get(f"/cycles/{demo_cycle.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = html.content.decode()
    assert "下一步" in text and "评级分布" in text


URLS = (
    "/cycles/",
    "/cycles/{id}/",
    "/cycles/{id}/job/",
    "/cycles/{id}/results/",
    "/cycles/{id}/departures/",
    "/cycles/{id}/departures.xlsx",
    "/cycles/{id}/appeals/",
    "/cycles/{id}/audit/",
    "/cycles/{id}/pay.xlsx",
    "/cycles/{id}/pay.csv",
)
POSTS = (
    "/cycles/",
    "/cycles/{id}/compute/",
    "/cycles/{id}/advance/",
    "/cycles/{id}/calibrate/",
    "/cycles/{id}/override/",
    "/cycles/{id}/appeals/{appeal}/resolve/",
)


@pytest.mark.parametrize("persona", ["agent", "lead", "other_agent", "other_lead"])
def test_non_hr_get_404_everywhere(
    request: pytest.FixtureRequest, login: Any, hr: Any, agent: Any, demo_cycle: Any, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    appeal = Appeal.objects.create(
        cycle=demo_cycle, employee=agent.employee, reason="x", filed_by=agent
    )
    c = login(user)
    state = demo_cycle.state
    for url in URLS:
        r = c.get(url.format(id=demo_cycle.pk))
        assert r.status_code == 404, url
        assert "demo" not in r.content.decode().split("<main>")[-1], url
    for url in POSTS:
        r = c.post(
            url.format(id=demo_cycle.pk, appeal=appeal.pk),
            {
                "to": "appeals",
                "name": "x",
                "period": PERIOD,
                "employee_id": "E0006",
                "rating": "S",
                "level": "senior",
                "reason": "x",
                "outcome": "uphold",
                "resolution": "x",
            },
        )
        assert r.status_code == 404, url
    demo_cycle.refresh_from_db()
    assert demo_cycle.state == state
    assert Appeal.objects.get(pk=appeal.pk).state == Appeal.OPEN
    assert not Calibration.objects.filter(cycle=demo_cycle).exists()


def test_hr_cannot_decide_on_a_declared_relation(
    login: Any, hr: Any, agent: Any, demo_cycle: Any
) -> None:
    cycle = _new_cycle(hr, demo_cycle)
    Conflict.objects.create(user=hr, employee=agent.employee, relation="spouse")
    c = login(hr)
    data = {"employee_id": "E0006", "period": "2026-01", "rating": "S", "reason": "x"}
    assert c.post(f"/cycles/{cycle.pk}/calibrate/", data).status_code == 404
    assert c.post(f"/cycles/{cycle.pk}/override/", {**data, "level": "senior"}).status_code == 404
    assert not Calibration.objects.filter(cycle=cycle).exists()
    assert not Decision.objects.filter(cycle=cycle).exclude(final_level="").exists()
    # A form naming nobody is answered with a message, not a missing page.
    r = c.post(f"/cycles/{cycle.pk}/calibrate/", {}, follow=True)
    assert "Choose an employee" in _messages(r)


def test_irreversible_steps_need_a_confirmation_and_people_are_asked_to_act(
    login: Any, hr: Any, lead: Any, agent: Any, demo_cycle: Any
) -> None:
    c = login(hr)
    cycle = _new_cycle(hr, demo_cycle)
    cycle = _advance(c, cycle)  # computed → in review: nothing to undo, no confirmation asked
    assert cycle.state == Cycle.IN_REVIEW
    # the team's lead is asked to review
    assert Notification.objects.filter(user=lead, url=f"/team/?cycle={cycle.pk}").exists()
    page = c.get(f"/cycles/{cycle.pk}/").content.decode()
    assert 'name="confirm"' in page and "no more calibration" in page
    r = c.post(f"/cycles/{cycle.pk}/advance/", {"to": Cycle.APPROVED}, follow=True)
    assert "Confirm that you understand" in _messages(r)
    cycle.refresh_from_db()
    assert cycle.state == Cycle.IN_REVIEW
    cycle = _advance(c, cycle)
    page = c.get(f"/cycles/{cycle.pk}/").content.decode()
    assert "employees will see their results and be notified" in page
    cycle = _advance(c, _advance(c, cycle), appeal_deadline="2099-12-31")
    assert cycle.state == Cycle.APPEALS
    # employees are told the appeal window is open, HR that an appeal was filed
    assert Notification.objects.filter(user=agent, text_en__contains="open until 2099-12-31")
    login(agent).post(f"/cycles/{cycle.pk}/appeal/", {"reason": "the survey was not mine"})
    assert Notification.objects.filter(user=hr, url="/appeals/").exists()
    # while a computation runs, nothing moves on
    Job.objects.create(kind="cycle_compute", cycle=cycle, state=Job.RUNNING)
    page = c.get(f"/cycles/{cycle.pk}/").content.decode()
    assert 'id="compute" disabled' in page and "the next step waits for it" in page
