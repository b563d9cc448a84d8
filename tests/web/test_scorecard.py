"""Agent self-service: the scorecard shows stored engine numbers with their explanation, and the
records behind a KPI come from the engine's own drill-down."""

from __future__ import annotations

from typing import Any

from callgrade.cycles.models import KpiValue, ScoreItem, ScoreTotal


def test_agent_sees_own_scorecard_with_numbers_and_explanations(
    login: Any, agent: Any, demo_cycle: Any
) -> None:
    r = login(agent).get("/me/")
    assert r.status_code == 200
    emp = agent.employee
    total = ScoreTotal.objects.filter(cycle=demo_cycle, employee=emp).order_by("period").last()
    assert total is not None
    assert r.context["total"].pk == total.pk
    html = r.content.decode()
    items = ScoreItem.objects.filter(cycle=demo_cycle, employee=emp, period=total.period)
    assert items.exists()
    for it in items:
        assert it.explanation_en in html  # English page shows the English sentence
    assert "Checklist for the next grade" in html
    assert "Pay statement" in html


def test_indicator_page_lists_every_kpi_and_marks_the_scored_ones(
    login: Any, agent: Any, demo_cycle: Any
) -> None:
    me = login(agent).get("/me/")
    emp = agent.employee
    period = me.context["period"]
    link = f"/people/{emp.employee_id}/indicators/?cycle={demo_cycle.pk}&period={period}"
    assert link in me.content.decode()  # the scorecard links to the page, it does not embed it
    r = login(agent).get(
        f"/people/{emp.employee_id}/indicators/", {"cycle": demo_cycle.pk, "period": period}
    )
    assert r.status_code == 200
    stored = KpiValue.objects.filter(cycle=demo_cycle, employee=emp, period=period)
    codes = set(stored.values_list("kpi", flat=True))
    policy = demo_cycle.policy_version.policy()
    # every stored KPI, beyond the ones the standard names (e.g. AHT, occupancy)
    assert codes > set(policy.kpi_codes()) and {"aht", "occupancy"} <= codes
    shown = {k["code"]: k for k in r.context["kpis"]}
    assert set(shown) == codes
    scored = set(
        ScoreItem.objects.filter(cycle=demo_cycle, employee=emp, period=period)
        .filter(detail__input="kpi")
        .values_list("item", flat=True)
    )
    assert scored and {c for c, k in shown.items() if k["scored"]} == scored
    html = r.content.decode()
    assert 'id="indicator-table"' in html and "All my indicators this period" in html
    assert 'data-kpi="aht"' in html
    zh = (
        login(agent)
        .get(
            f"/people/{emp.employee_id}/indicators/",
            {"cycle": demo_cycle.pk, "period": period},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
        .content.decode()
    )
    assert "本期我的全部指标" in zh and "平均处理时长" in zh
    # a period outside the cycle is refused like a missing page
    bad = login(agent).get(
        f"/people/{emp.employee_id}/indicators/", {"cycle": demo_cycle.pk, "period": "1999-01"}
    )
    assert bad.status_code == 404
    # an indicator the standard does not score drills down to its records too
    records = login(agent).get(
        f"/people/{emp.employee_id}/records/",
        {"cycle": demo_cycle.pk, "period": period, "kpi": "occupancy"},
    )
    assert records.status_code == 200 and records.context["total"] > 0


def test_chinese_page_shows_chinese_explanations(login: Any, agent: Any, demo_cycle: Any) -> None:
    c = login(agent)
    r = c.get("/me/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = r.content.decode()
    emp = agent.employee
    it = ScoreItem.objects.filter(cycle=demo_cycle, employee=emp).order_by("period").last()
    assert it.explanation_zh in html and it.explanation_zh != it.explanation_en


def test_records_behind_a_kpi_reconcile_with_its_sample(
    login: Any, agent: Any, demo_cycle: Any
) -> None:
    emp = agent.employee
    kv = (
        KpiValue.objects.filter(cycle=demo_cycle, employee=emp, kpi="answer_rate")
        .order_by("period")
        .first()
    )
    assert kv is not None and kv.sample_size > 0
    r = login(agent).get(
        f"/people/{emp.employee_id}/records/",
        {"cycle": demo_cycle.pk, "period": kv.period, "kpi": "answer_rate"},
    )
    assert r.status_code == 200
    # Every presented call is one record: the count is the KPI's denominator.
    assert r.context["total"] == int(kv.denominator)


def test_agent_cannot_open_another_agents_scorecard_or_records(
    login: Any, agent: Any, other_agent: Any, demo_cycle: Any
) -> None:
    c = login(agent)
    other = other_agent.employee.employee_id
    for url in (
        f"/people/{other}/",
        f"/people/{other}/trend.json",
        f"/people/{other}/records/?cycle={demo_cycle.pk}&period=2026-01&kpi=answer_rate",
    ):
        r = c.get(url)
        assert r.status_code == 404, url
        assert other_agent.employee.name not in r.content.decode()


def test_trend_lists_every_period(login: Any, agent: Any) -> None:
    r = login(agent).get(f"/people/{agent.employee.employee_id}/trend.json")
    data = r.json()
    assert data["periods"] == ["2026-01", "2026-02"]
    assert len(data["total"]) == 2
