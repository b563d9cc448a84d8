"""Golden tests: both example policies on small hand-made KPI tables. Every expected figure is
worked out by hand in the comments next to it (docs/policy.md, *How the rules are applied*)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from callgrade.engine.policy import load_policy
from callgrade.engine.scoring import score

EXAMPLES = Path(__file__).parents[2] / "src" / "callgrade" / "engine" / "policy" / "examples"
UTC = dt.UTC


def utc(day: str) -> dt.datetime:
    # Asia/Shanghai local midnight, stored as a UTC instant (16:00 the day before)
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, tzinfo=UTC) - dt.timedelta(hours=8)


def roster_table(rows: list[tuple[str, str, str, str, str]], team: dict[str, str] | None = None):
    """rows: (employee_id, position, level, hire_date, status)."""
    team = team or {}
    return pa.table(
        {
            "employee_id": [r[0] for r in rows],
            "team": [team.get(r[0], "t1") for r in rows],
            "position": [r[1] for r in rows],
            "track": ["technical" if r[1] == "technical_support" else "phone" for r in rows],
            "level": [r[2] for r in rows],
            "hire_date": pa.array([utc(r[3]) for r in rows], pa.timestamp("us", tz="UTC")),
            "status": [r[4] for r in rows],
        }
    )


UNITS = {
    "answer_rate": "ratio", "csat": "ratio", "qa_score": "score", "sales_revenue": "money",
    "sales_conversion": "ratio", "fcr_repeat": "ratio", "adherence": "ratio", "aht": "seconds",
}  # fmt: skip


def month_bounds(label: str) -> tuple[dt.datetime, dt.datetime]:
    y, m = map(int, label.split("-"))
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return utc(f"{y:04d}-{m:02d}-01"), utc(nxt.isoformat())


def kpi_table(rows: list[tuple[str, str, str, float | None, float | None, float | None, int]]):
    """rows: (period, employee_id, kpi, value, numerator, denominator, sample_size)."""
    bounds = [month_bounds(r[0]) for r in rows]
    return pa.table(
        {
            "period": [r[0] for r in rows],
            "period_start": pa.array([b[0] for b in bounds], pa.timestamp("us", tz="UTC")),
            "period_end": pa.array([b[1] for b in bounds], pa.timestamp("us", tz="UTC")),
            "entity_type": ["agent"] * len(rows),
            "entity_id": [r[1] for r in rows],
            "kpi": [r[2] for r in rows],
            "value": pa.array([r[3] for r in rows], pa.float64()),
            "numerator": pa.array([r[4] for r in rows], pa.float64()),
            "denominator": pa.array([r[5] for r in rows], pa.float64()),
            "sample_size": pa.array([r[6] for r in rows], pa.int64()),
            "unit": [UNITS.get(r[2], "count") for r in rows],
        }
    )


# --- four_positions: absolute bands S ≥ 90, A ≥ 80, B ≥ 65, C ≥ 50, D -------------------------

FOUR_ROSTER = [
    ("cs1", "customer_service", "junior", "2025-01-15", "active"),
    ("cs2", "customer_service", "intermediate", "2024-01-10", "active"),
    ("cs3", "customer_service", "junior", "2025-06-01", "active"),
    ("fd1", "front_desk", "senior", "2023-02-01", "active"),
    ("fd2", "front_desk", "junior", "2026-02-01", "probation"),
    ("ts1", "telesales", "junior", "2025-01-01", "active"),
    ("ts2", "telesales", "intermediate", "2024-03-01", "active"),
    ("ts3", "telesales", "expert", "2020-05-01", "active"),
    ("tech1", "technical_support", "senior", "2022-01-01", "active"),
    ("tech2", "technical_support", "intermediate", "2024-09-01", "active"),
    ("gone", "customer_service", "junior", "2020-01-01", "left"),
]
FOUR_TEAMS = {"ts1": "A", "ts2": "A", "ts3": "B"}

# The same month repeated over the quarter (so three equal ratings), plus counts.
FOUR_MONTH = [
    ("cs1", "answer_rate", 0.89, 890, 1000, 1000),
    ("cs1", "csat", 0.85, 85, 100, 100),
    ("cs2", "answer_rate", 0.98, 490, 500, 500),
    ("cs2", "csat", 0.95, 38, 40, 40),
    ("cs3", "answer_rate", 0.75, 45, 60, 60),
    ("cs3", "csat", 0.90, 9, 10, 10),
    ("fd1", "qa_score", 88.0, 352, 4, 4),
    ("fd1", "csat", 0.80, 12 * 0.8, 12, 12),
    ("fd2", "qa_score", 70.0, 280, 4, 4),
    ("ts1", "sales_revenue", 120000.0, 120000, None, 40),
    ("ts1", "sales_conversion", 0.06, 60, 1000, 1000),
    ("ts2", "sales_revenue", 40000.0, 40000, None, 5),
    ("ts2", "sales_conversion", 0.10, 5, 50, 50),
    ("ts3", "sales_revenue", 30000.0, 30000, None, 16),
    ("ts3", "sales_conversion", 0.08, 16, 200, 200),
    ("tech1", "fcr_repeat", 0.84, 84, 100, 100),
    ("tech1", "qa_score", 95.0, 190, 2, 2),
    ("tech1", "qa_critical_fails", 1.0, 1, None, 2),
    ("tech2", "fcr_repeat", 0.90, 36, 40, 40),
    ("tech2", "qa_score", 95.0, 475, 5, 5),
]
QUARTER = ["2026-01", "2026-02", "2026-03"]


def four_kpis() -> pa.Table:
    rows = [(p, *r) for p in QUARTER for r in FOUR_MONTH]
    rows.append(("2026-02", "cs2", "major_complaints", 1.0, 1.0, None, 1))
    return kpi_table(rows)


def build_four():
    policy = load_policy(EXAMPLES / "four_positions.yaml")
    roster = roster_table(FOUR_ROSTER, FOUR_TEAMS)
    kpis = four_kpis()
    cards = [score(policy, kpis, roster, period_label=p) for p in QUARTER]
    return policy, roster, kpis, cards


@pytest.fixture(scope="module")
def four():
    return build_four()


def items_of(card, emp: str) -> dict[str, dict]:
    return {r["item"]: r for r in card.items.to_pylist() if r["employee_id"] == emp}


def totals_of(card) -> dict[str, dict]:
    return {r["employee_id"]: r for r in card.totals.to_pylist()}


def test_four_positions_item_points(four):
    _, _, _, cards = four
    march = cards[2]
    cs1 = items_of(march, "cs1")
    # answer rate 0.89: 100 × (0.89 − 0.80) / (0.98 − 0.80) = 50.0; weight 50% → 25.0
    assert cs1["answer_rate"]["points"] == pytest.approx(50.0)
    assert cs1["answer_rate"]["contribution"] == pytest.approx(25.0)
    # csat 0.85: 100 × (0.85 − 0.70) / 0.25 = 60.0; weight 50% → 30.0
    assert cs1["csat"]["points"] == pytest.approx(60.0)
    assert cs1["answer_rate"]["explanation"] == (
        "Answer rate 89.0% (890/1,000 calls) scored 50.0 linearly between floor 80.0% and "
        "target 98.0%; weight 50.0% → 25.0 points"
    )
    cs3 = items_of(march, "cs3")
    # csat on 10 responses < min_sample 20: excluded; answer rate carries 100%
    assert cs3["csat"]["status"] == "excluded_sample"
    assert cs3["csat"]["weight"] == 0
    assert cs3["csat"]["explanation"] == (
        "CSAT: only 10 responses (< 20 required): excluded, other weights renormalized"
    )
    # answer rate 0.75 is below the floor: clamped to 0 points, weight 100%
    assert cs3["answer_rate"]["points"] == 0
    assert cs3["answer_rate"]["weight"] == pytest.approx(100.0)
    ts2 = items_of(march, "ts2")
    # conversion 5/50 < 100 calls → shrink toward team A's 65/1050 = 0.0619048 with k = 100:
    # (50 × 0.10 + 100 × 0.0619048) / 150 = 0.0746032 → 100 × (0.0746032 − 0.02) / 0.08 = 68.254
    conv = ts2["sales_conversion"]
    assert conv["status"] == "shrunk"
    assert conv["peer_mean"] == pytest.approx(65 / 1050)
    assert conv["value"] == pytest.approx(0.0746031746)
    assert conv["points"] == pytest.approx(68.253968, abs=1e-5)
    assert "shrunk toward the peer mean 6.2% with k = 100" in conv["explanation"]
    # revenue minmax inside team A: ts2 is the worst (40,000) → 0; ts1 the best → 100
    assert ts2["sales_revenue"]["points"] == 0
    assert items_of(march, "ts1")["sales_revenue"]["points"] == 100
    # ts3 is alone in team B: best equals worst → 100
    assert items_of(march, "ts3")["sales_revenue"]["points"] == 100
    tech1 = items_of(march, "tech1")
    # QA on 2 evaluations < 4: excluded; fcr 0.84 → 100 × 0.24 / 0.30 = 80 at weight 100%
    assert tech1["qa_score"]["status"] == "excluded_sample"
    assert tech1["fcr_repeat"]["points"] == pytest.approx(80.0)
    fd2 = items_of(march, "fd2")
    assert fd2["csat"]["status"] == "excluded_missing"


def test_four_positions_totals_and_ratings(four):
    _, _, _, cards = four
    t = totals_of(cards[2])
    assert "gone" not in t  # left the company: not scored
    expected = {
        # id: (total, rating, rank, group size)
        "cs1": (55.0, "C", 2, 3),  # 0.5 × 50 + 0.5 × 60
        "cs2": (100.0, "S", 1, 3),  # both at target
        "cs3": (0.0, "D", 3, 3),  # answer rate alone, below floor
        "fd1": (64.0, "C", 1, 2),  # 0.6 × 80 (QA 88) + 0.4 × 40 (CSAT 0.80)
        "fd2": (28.571429, "D", 2, 2),  # QA 70 → 28.57 at 100% (no CSAT)
        "ts1": (80.0, "A", 1, 2),  # 0.6 × 100 + 0.4 × 50 (conversion 0.06)
        "ts2": (27.301587, "D", 2, 2),  # 0.6 × 0 + 0.4 × 68.254
        "ts3": (90.0, "S", 1, 1),  # 0.6 × 100 + 0.4 × 75 (conversion 0.08)
        "tech1": (80.0, "A", 2, 2),  # fcr alone
        "tech2": (100.0, "S", 1, 2),
    }
    for emp, (total, rating, rank, size) in expected.items():
        row = t[emp]
        assert row["total"] == pytest.approx(total, abs=1e-6), emp
        assert (row["rating"], row["rank"], row["group_size"]) == (rating, rank, size), emp
    assert t["cs2"]["rating_points"] == 10 and t["cs1"]["rating_points"] == 3
    # samples counted for tie-breaks: included items only (tech1's 2 QA evaluations are out)
    assert t["tech1"]["samples"] == 100


def test_four_positions_dimension_subtotals(four):
    _, _, _, cards = four
    dims = {r["employee_id"]: r for r in cards[2].dimensions.to_pylist()}
    assert dims["cs1"]["score"] == pytest.approx(55.0)
    assert dims["cs1"]["effective_weight"] == 100


# --- customer_specialist_4_levels: tenure 10% + skill 40% + daily 50% --------------------------

SPEC_ROSTER = [
    ("s1", "customer_service", "intermediate", "2024-06-15", "active"),
    ("s2", "customer_service", "junior", "2025-06-01", "active"),
    ("s3", "customer_service", "senior", "2020-01-01", "active"),
    ("s4", "customer_service", "intermediate", "2022-06-30", "active"),
    ("t1", "technical_support", "junior", "2025-12-01", "active"),
]
JUNE = "2026-06"
SPEC_KPIS = [
    ("s1", "qa_score", 90.0, 900, 10, 10),
    ("s1", "csat", 0.90, 45, 50, 50),
    ("s1", "adherence", 0.92, None, None, 20),
    ("s1", "aht", 300.0, 30000, 100, 100),
    ("s1", "leaves", 2.0, 2, None, 2),
    ("s1", "late_arrivals", 1.0, 1, None, 1),
    ("s1", "early_departures", 1.0, 1, None, 1),
    ("s2", "qa_score", 80.0, 320, 4, 4),
    ("s2", "csat", 0.80, 8, 10, 10),
    ("s2", "adherence", 0.79, None, None, 20),
    ("s2", "aht", 400.0, 12000, 30, 30),
    ("s3", "qa_score", 95.0, 1900, 20, 20),
    ("s3", "csat", 0.96, 96, 100, 100),
    ("s3", "adherence", 0.95, None, None, 20),
    ("s3", "aht", 250.0, 50000, 200, 200),
    ("s4", "qa_score", 70.0, 700, 10, 10),
    ("s4", "csat", 0.70, 70, 100, 100),
    ("s4", "adherence", 0.85, None, None, 20),
    ("s4", "aht", 300.0, 24000, 80, 80),
    ("s4", "major_complaints", 1.0, 1, None, 1),
    ("t1", "qa_score", 85.0, 680, 8, 8),
    ("t1", "adherence", 0.90, None, None, 20),
    ("t1", "aht", 500.0, 30000, 60, 60),
]
# exam skill_exam and competency problem_solving scores; s4 has no exam
SPEC_EXTRA = [
    ("s1", "exam", "skill_exam", 80.0), ("s1", "competency", "problem_solving", 70.0),
    ("s2", "exam", "skill_exam", 60.0), ("s2", "competency", "problem_solving", 50.0),
    ("s3", "exam", "skill_exam", 90.0), ("s3", "competency", "problem_solving", 90.0),
    ("s4", "competency", "problem_solving", 80.0),
    ("t1", "exam", "skill_exam", 70.0), ("t1", "competency", "problem_solving", 60.0),
]  # fmt: skip


def spec_inputs() -> pa.Table:
    return pa.table(
        {
            "employee_id": [r[0] for r in SPEC_EXTRA],
            "input": [r[1] for r in SPEC_EXTRA],
            "ref": [r[2] for r in SPEC_EXTRA],
            "value": [r[3] for r in SPEC_EXTRA],
        }
    )


def build_spec():
    policy = load_policy(EXAMPLES / "customer_specialist_4_levels.yaml")
    roster = roster_table(SPEC_ROSTER)
    kpis = kpi_table([(JUNE, *r) for r in SPEC_KPIS])
    card = score(policy, kpis, roster, period_label=JUNE, extra_inputs=spec_inputs())
    return policy, roster, kpis, card


@pytest.fixture(scope="module")
def spec():
    return build_spec()


def test_specialist_items(spec):
    _, _, _, card = spec
    s1 = items_of(card, "s1")
    # tenure 2024-06-15 → 2026-06-30: 24 completed months = 2 years → 100 × 2 / 5 = 40
    assert s1["tenure_years"]["value"] == pytest.approx(2.0)
    assert s1["tenure_years"]["points"] == pytest.approx(40.0)
    # adherence 0.92: last band with value ≤ 0.92 is 0.90 → 80
    assert s1["adherence"]["points"] == 80 and s1["adherence"]["band"] == 0.90
    # AHT percentile (lower is better) among s1 300, s3 250, s4 300 (s2 excluded, 30 < 50):
    # s1 has 0 worse and 1 other equal → 100 × 0.5 / 2 = 25
    assert s1["aht"]["points"] == pytest.approx(25.0)
    assert items_of(card, "s3")["aht"]["points"] == pytest.approx(100.0)
    s2 = items_of(card, "s2")
    # QA shrink: peer mean 3,820 / 44 = 86.818; (4 × 80 + 8 × 86.818) / 12 = 84.545 → 70.130
    assert s2["qa_score"]["peer_mean"] == pytest.approx(3820 / 44)
    assert s2["qa_score"]["value"] == pytest.approx(84.545454, abs=1e-5)
    assert s2["qa_score"]["points"] == pytest.approx(70.12987, abs=1e-4)
    # CSAT shrink: peer mean 219 / 260; (10 × 0.8 + 20 × 0.842308) / 30 = 0.828205 → 51.282
    assert s2["csat"]["points"] == pytest.approx(51.28205, abs=1e-4)
    # adherence 0.79 is below every band → otherwise 0
    assert s2["adherence"]["points"] == 0 and s2["adherence"]["template"] == "bands_otherwise"
    assert s2["aht"]["status"] == "excluded_sample"
    # s4 has no exam: competency carries the whole skill dimension
    s4 = items_of(card, "s4")
    assert s4["skill_exam"]["status"] == "excluded_missing"
    assert s4["problem_solving"]["weight_in_dimension"] == pytest.approx(100.0)
    # t1 is alone in technical support: percentile 50
    assert items_of(card, "t1")["aht"]["points"] == pytest.approx(50.0)


def test_specialist_totals(spec):
    _, _, _, card = spec
    dims = {(r["employee_id"], r["dimension"]): r["score"] for r in card.dimensions.to_pylist()}
    # s1 daily: 0.4 × 85.714 + 0.3 × 80 + 0.2 × 80 + 0.1 × 25 = 76.786
    assert dims["s1", "daily"] == pytest.approx(76.785714, abs=1e-5)
    assert dims["s1", "skill"] == pytest.approx(76.0)  # 0.6 × 80 + 0.4 × 70
    # s2 daily without AHT: (40 × 70.130 + 30 × 51.282 + 20 × 0) / 90 = 48.263
    assert dims["s2", "daily"] == pytest.approx(48.262848, abs=1e-4)
    t = totals_of(card)
    expected = {
        "s1": (72.792857, "C"),  # 0.1 × 40 + 0.4 × 76 + 0.5 × 76.786
        "s2": (48.531424, "C"),  # 0.1 × 20 + 0.4 × 56 + 0.5 × 48.263
        "s3": (96.0, "S"),  # 0.1 × 100 + 0.4 × 90 + 0.5 × 100
        "s4": (52.964286, "C"),  # 0.1 × 80 + 0.4 × 80 + 0.5 × 25.929
        "t1": (62.808163, "C"),  # 0.1 × 10 + 0.4 × 66 + 0.5 × 70.816
    }
    for emp, (total, rating) in expected.items():
        assert t[emp]["total"] == pytest.approx(total, abs=1e-4), emp
        assert t[emp]["rating"] == rating, emp
    # samples: s4 = tenure 1 + competency 1 + QA 10 + CSAT 100 + adherence 20 + AHT 80
    assert t["s4"]["samples"] == 212


def test_sentences_match_the_single_row_renderer(spec):
    from callgrade.engine.scoring.explain import item_params, render

    _, _, _, card = spec
    for row in card.items.to_pylist():
        assert render(row["template"], item_params(row)) == row["explanation"]
        assert render(row["template"], item_params(row), "zh")  # Chinese renders too
    s2 = items_of(card, "s2")
    assert render(s2["csat"]["template"], item_params(s2["csat"]), "zh").startswith(
        "CSAT 80.0% 样本仅 10（< 20），按 k = 20 向同组均值 84.2% 收缩为 82.8%"
    )
