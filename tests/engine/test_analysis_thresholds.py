"""Thresholds from data against percentiles computed by hand on a small dataset."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from callgrade.engine.analysis.thresholds import (
    Distributions,
    band_percentiles,
    distributions,
    percentile,
    share_meeting,
    suggestions,
    suggestions_table,
)
from callgrade.engine.policy import load_policy

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "src/callgrade/engine/policy/examples/four_positions.yaml"
)
# customer_service.service.0 is answer_rate (higher is better), floor 0.8, target 0.98
ANSWER = [0.70, 0.80, 0.85, 0.90, 0.95]
# total scores of five people
TOTALS = [40.0, 55.0, 70.0, 85.0, 95.0]


def test_percentiles_by_hand() -> None:
    # p-th percentile: rank p/100·(n−1) between the sorted values
    # 25th of five values: rank 1 → 0.80; 75th: rank 3 → 0.90; 10th: rank 0.4 → 0.70 + 0.4·0.10
    assert percentile(ANSWER, 25) == pytest.approx(0.80)
    assert percentile(ANSWER, 75) == pytest.approx(0.90)
    assert percentile(ANSWER, 10) == pytest.approx(0.74)
    # the median of 40, 55, 70, 85 is between 55 and 70
    assert percentile([40, 55, 70, 85], 50) == pytest.approx(62.5)
    with pytest.raises(ValueError):
        percentile([], 50)


def test_share_meeting() -> None:
    assert share_meeting(ANSWER, 0.8, "higher_better") == pytest.approx(0.8)  # 4 of 5
    assert share_meeting(ANSWER, 0.98, "higher_better") == 0.0
    # lower is better (e.g. handle time): 120 s or less
    assert share_meeting([100, 120, 150, 200], 120, "lower_better") == 0.5
    assert share_meeting([], 1, "higher_better") is None


def test_band_percentiles() -> None:
    # four bands above the lowest at P = 25: 75, 58.33, 41.67, 25
    assert band_percentiles(4, 25) == pytest.approx([75, 58.333333, 41.666667, 25])
    assert band_percentiles(1, 25) == [50.0]
    assert band_percentiles(0, 25) == []


def test_suggestions_on_a_small_dataset() -> None:
    policy = load_policy(EXAMPLE)
    data = Distributions(
        period="2026-Q1", items={"customer_service.service.0": ANSWER}, totals=TOTALS
    )
    rows = {s.field: s for s in suggestions(policy, data, 25)}
    floor = rows["floor.customer_service.service.0"]
    target = rows["target.customer_service.service.0"]
    assert (floor.current, floor.share_now) == (0.8, pytest.approx(0.8))
    assert floor.suggested == pytest.approx(0.80) and floor.percentile == 25
    assert target.current == 0.98 and target.share_now == 0.0
    assert target.suggested == pytest.approx(0.90) and target.percentile == 75
    assert target.share_suggested == pytest.approx(0.4)  # 0.90 and 0.95
    assert floor.n == 5
    # items without data are left out
    assert "floor.front_desk.courtesy.0" not in rows
    # bands S, A, B, C above D at the 75th, 58.3rd, 41.7th and 25th percentiles of the totals:
    # ranks 3 → 85; 2.333 → 70 + 0.333·15 = 75; 1.667 → 55 + 0.667·15 = 65; 1 → 55
    bands = [rows[f"band.{r}"] for r in "SABC"]
    assert [b.suggested for b in bands] == pytest.approx([85.0, 75.0, 65.0, 55.0])
    assert bands[0].current == 90 and bands[0].share_now == pytest.approx(0.2)
    assert "band.D" not in rows
    # at P = 10 the target moves to the 90th percentile: rank 3.6 → 0.90 + 0.6·0.05 = 0.93
    wide = {s.field: s for s in suggestions(policy, data, 10)}
    assert wide["target.customer_service.service.0"].suggested == pytest.approx(0.93)
    assert suggestions_table(list(rows.values())).num_rows == len(rows)
    with pytest.raises(ValueError):
        suggestions(policy, data, 60)


def test_no_spread_no_suggestion() -> None:
    policy = load_policy(EXAMPLE)
    data = Distributions(period="x", items={"customer_service.service.0": [0.9, 0.9, 0.9]})
    rows = {s.field: s for s in suggestions(policy, data)}
    assert rows["floor.customer_service.service.0"].suggested is None


def test_distributions_read_the_positions_of_each_scorecard() -> None:
    policy = load_policy(EXAMPLE)
    kpis = pa.table(
        {
            "entity_id": ["a", "b", "c", "a", "b"],
            "period": ["2026-Q1"] * 4 + ["2026-Q2"],
            "kpi": ["answer_rate", "answer_rate", "answer_rate", "csat", "answer_rate"],
            "value": [0.9, 0.7, 0.8, 0.85, 0.5],
            "sample_size": [100, 100, 10, 40, 100],
        }
    )
    roster = pa.table(
        {"employee_id": ["a", "b", "c"], "position": ["customer_service"] * 2 + ["telesales"]}
    )
    totals = pa.table(
        {"employee_id": ["a", "b"], "period": ["2026-Q1", "2026-Q1"], "total": [80.0, None]}
    )
    d = distributions(policy, kpis, roster, totals, "2026-Q1")
    # c is a telesales agent; Q2 is another period
    assert d.items["customer_service.service.0"] == [0.7, 0.9]
    assert d.items["customer_service.service.1"] == [0.85]  # csat min_sample 20: 40 is enough
    assert d.totals == [80.0]
