"""Calibrated ratings replace computed ones before pay and grading read them."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from callgrade.engine.cycle import override_ratings
from callgrade.engine.policy import load_policy
from callgrade.engine.scoring import Scorecards

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
