"""The training effect (difference in differences) on a dataset worked by hand."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from callgrade.engine.analysis.training_effect import Completion, completions, training_effect


def _monthly(values: dict[tuple[str, str, str], float]) -> pa.Table:
    rows = [{"period": m, "entity_id": e, "kpi": k, "value": v} for (k, e, m), v in values.items()]
    return pa.Table.from_pylist(rows)


FCR = {
    # A and B (front desk) trained in February: +0.20 and +0.10
    ("fcr", "A", "2026-01"): 0.60,
    ("fcr", "A", "2026-03"): 0.80,
    ("fcr", "B", "2026-01"): 0.50,
    ("fcr", "B", "2026-03"): 0.60,
    # their untrained peers: −0.05 and +0.05
    ("fcr", "C", "2026-01"): 0.70,
    ("fcr", "C", "2026-03"): 0.65,
    ("fcr", "D", "2026-01"): 0.40,
    ("fcr", "D", "2026-03"): 0.45,
    # E (telesales) trained in March: +0.20 against F's +0.10
    ("fcr", "E", "2026-02"): 0.30,
    ("fcr", "E", "2026-04"): 0.50,
    ("fcr", "F", "2026-02"): 0.50,
    ("fcr", "F", "2026-04"): 0.60,
    # G (front desk) trained in April: no month after it in the data
    ("fcr", "G", "2026-03"): 0.55,
    ("fcr", "G", "2026-04"): 0.99,
    # handle time, lower is better: A 300 → 280, C 300 → 300
    ("aht", "A", "2026-01"): 300.0,
    ("aht", "A", "2026-03"): 280.0,
    ("aht", "C", "2026-01"): 300.0,
    ("aht", "C", "2026-03"): 300.0,
}
POSITIONS = {
    "A": "front_desk",
    "B": "front_desk",
    "C": "front_desk",
    "D": "front_desk",
    "G": "front_desk",
    "E": "telesales",
    "F": "telesales",
}
DONE = [
    Completion("A", "comm", dt.date(2026, 2, 10)),
    Completion("B", "comm", dt.date(2026, 2, 20)),
    Completion("E", "comm", dt.date(2026, 3, 5)),
    Completion("G", "comm", dt.date(2026, 4, 1)),
]
DIRECTIONS = {"fcr": "higher_better", "aht": "lower_better"}


def _rows(**kw: object) -> dict[str, dict[str, object]]:
    table = training_effect(DONE, _monthly(FCR), POSITIONS, DIRECTIONS, **kw)  # type: ignore[arg-type]
    return {r["kpi"]: r for r in table.to_pylist()}


def test_difference_in_differences_by_hand() -> None:
    fcr = _rows()["fcr"]
    # February cohort (front desk): 0.15 − 0.00; March cohort (telesales): 0.20 − 0.10;
    # weighted by trainees 2 : 1
    assert fcr["effect"] == pytest.approx(2 / 3 * 0.15 + 1 / 3 * 0.10)
    assert fcr["improvement"] == pytest.approx(fcr["effect"])
    assert (fcr["trained_n"], fcr["comparison_n"], fcr["excluded_n"]) == (3, 3, 1)
    assert fcr["trained_before"] == pytest.approx(2 / 3 * 0.55 + 1 / 3 * 0.30)
    assert fcr["trained_after"] == pytest.approx(2 / 3 * 0.70 + 1 / 3 * 0.50)
    assert fcr["comparison_before"] == pytest.approx(2 / 3 * 0.55 + 1 / 3 * 0.50)
    assert fcr["comparison_after"] == pytest.approx(2 / 3 * 0.55 + 1 / 3 * 0.60)
    # Welch per cohort: var(0.2, 0.1)/2 + var(−0.05, 0.05)/2 = 0.005; the lone March pair adds 0
    assert fcr["standard_error"] == pytest.approx((4 / 9 * 0.005) ** 0.5)
    assert fcr["cohorts"] == "2026-02, 2026-03"
    assert fcr["small_sample"] is True


def test_lower_is_better_turns_the_sign_and_counts_who_was_left_out() -> None:
    aht = _rows()["aht"]
    assert aht["effect"] == pytest.approx(-20.0)
    assert aht["improvement"] == pytest.approx(20.0)
    # B and E have no handle time; G has no month after training
    assert (aht["trained_n"], aht["comparison_n"], aht["excluded_n"]) == (1, 1, 3)


def test_small_sample_flag_follows_the_minimum() -> None:
    assert _rows(min_sample=3)["fcr"]["small_sample"] is False
    assert _rows(min_sample=4)["fcr"]["small_sample"] is True


def test_trainees_never_serve_as_comparison() -> None:
    # G is trained (in April) so is not a February peer even though front desk
    fcr = _rows()["fcr"]
    assert fcr["comparison_before"] == pytest.approx(2 / 3 * 0.55 + 1 / 3 * 0.50)


def test_a_window_of_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="window=0"):
        _rows(window=0)


def test_completions_skip_failures_and_use_the_local_day() -> None:
    utc = dt.UTC
    table = pa.table(
        {
            "employee_id": ["A", "B", "C"],
            "training": ["comm", "comm", "comm"],
            "completed_at": pa.array(
                [
                    dt.datetime(2026, 1, 31, 17, tzinfo=utc),  # 2026-02-01 in Shanghai
                    dt.datetime(2026, 2, 3, tzinfo=utc),
                    dt.datetime(2026, 2, 4, tzinfo=utc),
                ],
                pa.timestamp("us", tz="UTC"),
            ),
            "passed": [None, False, True],
        }
    )
    got = completions(table, "Asia/Shanghai")
    assert [(c.employee_id, c.completed) for c in got] == [
        ("A", dt.date(2026, 2, 1)),
        ("C", dt.date(2026, 2, 4)),
    ]
