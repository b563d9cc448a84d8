"""Agent self-service: the scorecard shows stored engine numbers with their explanation, and the
records behind a KPI come from the engine's own drill-down."""

from __future__ import annotations

from typing import Any

from callgrade.web.models import KpiValue, ScoreItem, ScoreTotal


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
