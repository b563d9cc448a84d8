"""The grading cycle: the KPIs it computes, and calibrated ratings replacing computed ones
before pay and grading read them."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from callgrade.engine.cycle import override_ratings, run_cycle
from callgrade.engine.demo import DemoConfig, generate, ingest_demo
from callgrade.engine.kpis import REGISTRY
from callgrade.engine.people import CycleInputs
from callgrade.engine.policy import load_policy
from callgrade.engine.scoring import Scorecards
from callgrade.engine.warehouse import Warehouse

EXAMPLES = Path(__file__).parents[2] / "src/callgrade/engine/policy/examples"


def _card(period: str) -> Scorecards:
    totals = pa.table(
        {
            "period": [period, period],
            "employee_id": ["E1", "E2"],
            "total": [91.0, 40.0],
            "rating": ["S", "D"],
            "rating_points": [4.0, 0.0],
        }
    )
    return Scorecards(period, pa.table({}), pa.table({}), totals)


def test_override_replaces_rating_and_points_for_that_period_only() -> None:
    policy = load_policy(EXAMPLES / "four_positions.yaml")
    points = {g.code: g.points for g in policy.ratings.grades}
    card = _card("2026-01")
    out = override_ratings(policy, card, {("2026-01", "E2"): "B", ("2026-02", "E1"): "D"})
    rows = {r["employee_id"]: r for r in out.totals.to_pylist()}
    assert rows["E2"]["rating"] == "B" and rows["E2"]["rating_points"] == points["B"]
    assert rows["E2"]["total"] == 40.0  # the score stays as computed
    assert rows["E2"]["computed_rating"] == "D"
    assert rows["E1"]["rating"] == "S"  # the 2026-02 override belongs to another period


def test_override_rejects_a_rating_the_policy_does_not_have() -> None:
    policy = load_policy(EXAMPLES / "four_positions.yaml")
    with pytest.raises(ValueError, match="unknown rating"):
        override_ratings(policy, _card("2026-01"), {("2026-01", "E1"): "Z"})


def test_kpi_codes_name_every_kpi_the_examples_read() -> None:
    four = load_policy(EXAMPLES / "four_positions.yaml")
    # scorecards (answer rate, CSAT, FCR, QA, sales), the demotion counts, the commission
    assert four.kpi_codes() == (
        "answer_rate",
        "csat",
        "fcr_repeat",
        "major_complaints",
        "qa_critical_fails",
        "qa_score",
        "sales_conversion",
        "sales_revenue",
    )
    specialist = load_policy(EXAMPLES / "customer_specialist_4_levels.yaml")
    # scorecard KPIs and the promotion rules' counts; "rule_violations" is not a KPI
    assert specialist.kpi_codes() == (
        "adherence",
        "aht",
        "complaints_valid",
        "csat",
        "early_departures",
        "late_arrivals",
        "leaves",
        "major_complaints",
        "qa_score",
    )


@pytest.fixture(scope="module")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    config = DemoConfig(agents=12, months=1, seed=5)
    files = generate(tmp_path_factory.mktemp("demo"), config)
    wh = Warehouse(tmp_path_factory.mktemp("data"))
    ingest_demo(wh, files, config.tz)
    return wh


def test_cycle_computes_the_policy_kpis_and_all_kpis_only_add_rows(demo_warehouse) -> None:
    policy = load_policy(EXAMPLES / "four_positions.yaml")
    period = "2026-01"
    lean = run_cycle(CycleInputs.from_warehouse(demo_warehouse), policy, period=period)
    full = run_cycle(
        CycleInputs.from_warehouse(demo_warehouse), policy, period=period, all_kpis=True
    )
    assert set(lean.kpis.column("kpi").to_pylist()) == set(policy.kpi_codes())
    per_agent = {code for code, d in REGISTRY.items() if "agent" in d.levels}
    assert set(full.kpis.column("kpi").to_pylist()) == per_agent
    # the standard's KPIs are the same rows either way, and so is everything computed from them
    same = full.kpis.filter(pc.is_in(full.kpis["kpi"], pa.array(policy.kpi_codes())))
    assert same.equals(lean.kpis)
    for a, b in zip(lean.scorecards, full.scorecards, strict=True):
        assert a.items.equals(b.items) and a.totals.equals(b.totals)
    assert lean.decisions is not None and full.decisions is not None
    assert lean.decisions.decisions.equals(full.decisions.decisions)
    assert [p.lines for p in lean.pay] == [p.lines for p in full.pay]
