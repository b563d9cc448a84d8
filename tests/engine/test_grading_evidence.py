"""Every grading condition's evidence sentence, worked out by hand for three employees, including
the employees it cannot measure (no start date, not assessed, not ranked)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
from pydantic import TypeAdapter

from callgrade.engine.policy.model import Condition
from callgrade.engine.scoring import conditions as cond

IDS = ["a1", "b2", "c3"]


def context() -> cond.Context:
    emp = pd.DataFrame(
        {
            "employee_id": IDS,
            "scorecard": "cs",
            "position": "customer_service",
            "queue": "",
            "team": "t1",
            "track": "phone",
            "level": "junior",
        }
    )
    totals = pd.DataFrame(
        {
            "employee_id": ["a1", "a1", "b2", "b2"],
            "period": ["2026-01", "2026-02"] * 2,
            "total": [81.25, 90.0, 70.0, np.nan],
            "rating": ["A", "S", "B", None],
            "rating_points": [8.0, 10.0, 6.0, np.nan],
            "samples": [100, 120, 90, 0],
        }
    )
    dims = totals.assign(dimension="daily", score=totals["total"])[
        ["employee_id", "period", "dimension", "score"]
    ]
    counts = pd.DataFrame(
        {
            "period": ["2026-01", "2026-02", "2026-01", "2026-01"],
            "entity_id": ["a1", "a1", "b2", "b2"],
            "kpi": ["leaves", "leaves", "leaves", "qa_score"],
            "value": [1.0, 2.0, 0.0, 86.54],
            "numerator": [np.nan, np.nan, np.nan, 1_298.1],
            "denominator": [np.nan, np.nan, np.nan, 15.0],
            "sample_size": [1, 2, 0, 15],
        }
    )
    return cond.Context(
        emp=emp,
        totals=totals,
        dims=dims,
        counts=pa.Table.from_pandas(counts, preserve_index=False),
        cycle_end=dt.date(2026, 2, 28),
        level_since=pd.Series([pd.Timestamp("2025-02-01"), pd.NaT, pd.NaT]),
        trainings=pd.DataFrame({"employee_id": ["a1"], "training": ["basics"]}),
        competencies=pd.DataFrame(
            {"employee_id": ["a1"], "competency": ["empathy"], "score": [72.0]}
        ),
        peer_groups={"cs": ("team",)},
    )


def evidence(c: dict[str, object], months: pd.Series | None = None) -> list[str]:
    condition = TypeAdapter(Condition).validate_python(c)
    ctx = context()
    f = {
        "kpi": cond.kpi,
        "score": cond.score,
        "rank_percentile": cond.rank,
        "rank_position": cond.rank,
        "count": cond.count,
        "training": cond.training,
        "competency": cond.competency,
        "rating_count": cond.rating_count,
    }
    if c["kind"] == "tenure":
        return cond.tenure(ctx, condition, months).evidence.tolist()  # type: ignore[arg-type]
    return f[str(c["kind"])](ctx, condition).evidence.tolist()  # type: ignore[operator]


def test_kpi_over_the_grading_period() -> None:
    assert evidence({"kind": "kpi", "kpi": "qa_score", "op": ">=", "value": 90}) == [
        "QA score over the grading period n/a on 0 samples, needs >= 90.0",
        "QA score over the grading period 86.5 on 15 samples, needs >= 90.0",  # 1,298.1 / 15
        "QA score over the grading period n/a on 0 samples, needs >= 90.0",
    ]


def test_kpi_in_its_worst_rating_period() -> None:
    c = {"kind": "kpi", "kpi": "leaves", "op": "<=", "value": 1, "window": "rating_period"}
    assert evidence(c) == [
        "leaves in its worst rating period 2, needs <= 1",
        "leaves in its worst rating period 0, needs <= 1",
        "leaves in its worst rating period n/a, needs <= 1",
    ]


def test_score_and_rank() -> None:
    assert evidence({"kind": "score", "op": ">=", "value": 80}) == [
        "score averaged over the grading period 85.6, needs >= 80.0",  # (81.25 + 90) / 2
        "score averaged over the grading period 70.0, needs >= 80.0",
        "score averaged over the grading period n/a, needs >= 80.0",
    ]
    assert evidence({"kind": "rank_percentile", "top": 50}) == [
        "rank 1 of 2 by rating points (18.0), needs the top 50% (1 people)",
        "rank 2 of 2 by rating points (6.0), needs the top 50% (1 people)",
        "not ranked (no rating points), needs the top 50%",
    ]


def test_counts_per_grading_period_and_per_month() -> None:
    c = {"kind": "count", "of": ["leaves"], "op": "<=", "value": 2}
    assert evidence(c) == [
        "leaves: 3 in the grading period, needs <= 2",
        "leaves: 0 in the grading period, needs <= 2",
        "leaves: 0 in the grading period, needs <= 2",
    ]
    assert evidence({**c, "per": "month", "value": 1.5}) == [
        "leaves: 2 in the worst month, needs <= 1.5 every month",
        "leaves: 0 in the worst month, needs <= 1.5 every month",
        "leaves: 0 in the worst month, needs <= 1.5 every month",
    ]


def test_tenure_training_competency_and_ratings() -> None:
    months = pd.Series([12.5, 0.0, np.nan])
    assert evidence({"kind": "tenure", "op": ">=", "months": 12}, months) == [
        "12 months at the level, needs >= 12",  # 12.5 rounds half to even, as Python does
        "0 months at the level, needs >= 12",
        "no start date for the level, needs >= 12 months",
    ]
    assert evidence({"kind": "training", "completed": ["basics", "systems"]}) == [
        "completed 1 of 2 required (basics, systems)",
        "completed 0 of 2 required (basics, systems)",
        "completed 0 of 2 required (basics, systems)",
    ]
    assert evidence({"kind": "competency", "competency": "empathy", "op": ">=", "value": 70}) == [
        "empathy assessed 72.0, needs >= 70.0",
        "empathy not assessed, needs >= 70.0",
        "empathy not assessed, needs >= 70.0",
    ]
    assert evidence({"kind": "rating_count", "ratings": ["S", "A"], "op": ">=", "value": 2}) == [
        "rated S/A 2 times, needs >= 2",
        "rated S/A 0 times, needs >= 2",
        "rated S/A 0 times, needs >= 2",
    ]


def test_a_figure_is_compared_at_the_precision_it_is_shown() -> None:
    ctx = context()
    totals = ctx.totals.assign(total=[54.978, 54.978, 54.94, 54.94])
    ctx = dataclasses.replace(ctx, totals=totals, dims=ctx.dims.assign(score=totals["total"]))
    c = TypeAdapter(Condition).validate_python({"kind": "score", "op": ">=", "value": 55})
    r = cond.score(ctx, c)
    assert r.evidence.tolist()[:2] == [
        "score averaged over the grading period 55.0, needs >= 55.0",
        "score averaged over the grading period 54.9, needs >= 55.0",
    ]
    assert r.holds.tolist() == [True, False, False]
    assert r.actual.tolist()[:2] == [55.0, 54.9]
    assert r.gap.tolist()[:2] == [0.0, 0.1]
    # a threshold given more precisely is shown and compared more precisely
    c = TypeAdapter(Condition).validate_python({"kind": "score", "op": ">=", "value": 54.98})
    r = cond.score(ctx, c)
    assert r.evidence.tolist()[0] == "score averaged over the grading period 54.98, needs >= 54.98"
    assert r.holds.tolist()[0]
    # rates as percents: 0.89449 is 89.4% and misses 89.5%
    kpi = {"kind": "kpi", "kpi": "answer_rate", "op": ">=", "value": 0.895}
    counts = pa.table(
        {
            "period": ["2026-01"],
            "entity_id": ["a1"],
            "kpi": ["answer_rate"],
            "value": [0.89449],
            "numerator": [89449.0],
            "denominator": [100000.0],
            "sample_size": [100000],
        }
    )
    r = cond.kpi(
        dataclasses.replace(ctx, counts=counts), TypeAdapter(Condition).validate_python(kpi)
    )
    assert r.evidence.tolist()[0] == (
        "Answer rate over the grading period 89.4% on 100,000 samples, needs >= 89.5%"
    )
    assert not r.holds.tolist()[0] and r.gap.tolist()[0] == 0.001
