"""What-if simulation on the golden four-positions data, expected by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from test_scoring_golden import QUARTER, build_four

from callgrade.engine.policy.model import Absolute, RatingBand, Ratings
from callgrade.engine.scoring import simulate, stable_json


@pytest.fixture(scope="module")
def report():
    current, roster, kpis, _ = build_four()
    # the draft raises S from 90 to 95; everything else is the same
    bands = (("S", 95), ("A", 80), ("B", 65), ("C", 50), ("D", 0))
    draft = current.model_copy(
        update={
            "ratings": Ratings(
                grades=current.ratings.grades,
                assignment=Absolute(
                    method="absolute",
                    bands=tuple(RatingBand(rating=r, min_score=s) for r, s in bands),
                ),
            )
        }
    )
    return simulate(
        draft, current, kpis, roster, period_labels=QUARTER, cycle_end=dt.date(2026, 3, 31)
    )


def test_who_changes_rating(report):
    rows = report.ratings.to_pylist()
    # only ts3 (90 every month) falls from S to A; cs2 and tech2 score 100
    assert [
        (r["period"], r["employee_id"], r["rating_before"], r["rating_after"]) for r in rows
    ] == [(p, "ts3", "S", "A") for p in QUARTER]
    # ts3 is expert (top level) either way: no level changes
    assert report.levels.num_rows == 0


def test_pay_difference(report):
    pay = {r["employee_id"]: r for r in report.pay.to_pylist()}
    # ts3's bonus: 1,500 × 1.5 = 2,250 → 1,500 × 1.2 = 1,800, −450 a month for 3 months
    assert pay["ts3"]["difference"] == pytest.approx(-1350.0)
    assert pay["(total)"]["difference"] == pytest.approx(-1350.0)
    assert pay["cs1"]["difference"] == 0
    assert report.pay.to_pylist()[-1]["employee_id"] == "(total)"


def test_distribution_shift(report):
    march = {r["rating"]: r for r in report.distribution.to_pylist() if r["period"] == "2026-03"}
    # before: S = cs2, ts3, tech2; A = ts1, tech1. After: ts3 moves to A
    assert (march["S"]["before"], march["S"]["after"], march["S"]["shift"]) == (3, 2, -1)
    assert (march["A"]["before"], march["A"]["after"], march["A"]["shift"]) == (2, 3, 1)
    assert march["D"]["shift"] == 0
    assert [r["rating"] for r in report.distribution.to_pylist()][:5] == list("SABCD")


def test_report_is_deterministic(report):
    assert stable_json(report) == stable_json(report)
    assert '"ratings"' in stable_json(report)
