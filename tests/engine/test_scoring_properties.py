"""Properties of scoring, rating, grading and pay on random small centers."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st
from test_scoring_golden import EXAMPLES, kpi_table, roster_table

from callgrade.engine.policy import load_policy
from callgrade.engine.policy.model import Forced, Quota, Ratings
from callgrade.engine.scoring import grade, pay, score, stable_json
from callgrade.engine.scoring.rate import quota_size

FOUR = load_policy(EXAMPLES / "four_positions.yaml")
SPEC = load_policy(EXAMPLES / "customer_specialist_4_levels.yaml")
FORCED = FOUR.model_copy(
    update={
        "ratings": Ratings(
            grades=FOUR.ratings.grades,
            assignment=Forced(
                method="forced",
                group=("position",),
                quotas=(
                    Quota(rating="S", max_percent=10, min_score=80),
                    Quota(rating="A", max_percent=20),
                    Quota(rating="B", max_percent=40),
                ),
                remainder="C",
            ),
        )
    }
)
PERIOD = "2026-03"
SETTINGS = settings(max_examples=20, deadline=None)

ratio = st.floats(0.5, 1.0, allow_nan=False).map(lambda x: round(x, 3))
samples = st.integers(1, 300)
agent = st.tuples(
    st.sampled_from(["customer_service", "telesales", "front_desk"]),
    st.sampled_from(["A", "B"]),
    ratio,  # answer rate / conversion / csat
    samples,
    ratio,
    samples,
    st.integers(0, 200_000),  # revenue
    st.integers(50, 100),  # qa score
    st.sampled_from(["2019-05-01", "2024-03-10", "2025-08-31", "2026-02-01"]),
)


def center(agents: list[tuple]) -> tuple[pa.Table, pa.Table]:
    roster, teams, rows = [], {}, []
    for i, (pos, team, r1, n1, r2, n2, revenue, qa, hired) in enumerate(agents):
        eid = f"e{i:03d}"
        roster.append((eid, pos, ["junior", "intermediate", "senior"][i % 3], hired, "active"))
        teams[eid] = team
        if pos == "customer_service":
            rows += [(PERIOD, eid, "answer_rate", r1, r1 * n1, n1, n1)]
            rows += [(PERIOD, eid, "csat", r2, r2 * n2, n2, n2)]
        elif pos == "telesales":
            rows += [(PERIOD, eid, "sales_revenue", float(revenue), float(revenue), None, 10)]
            rows += [(PERIOD, eid, "sales_conversion", r1 / 5, r1 / 5 * n1, n1, n1)]
        else:
            rows += [(PERIOD, eid, "qa_score", float(qa), float(qa) * 5, 5, 5)]
            rows += [(PERIOD, eid, "csat", r2, r2 * n2, n2, n2)]
        rows += [(PERIOD, eid, "major_complaints", float(i % 4 == 0), None, None, 1)]
    return roster_table(roster, teams), kpi_table(rows)


def shuffled(t: pa.Table, seed: int) -> pa.Table:
    import random

    idx = list(range(t.num_rows))
    random.Random(seed).shuffle(idx)
    return t.take(pa.array(idx, pa.int64()))


@settings(max_examples=10, deadline=None)
@given(st.lists(agent, min_size=1, max_size=12), st.integers(0, 2**16))
def test_row_order_never_matters(agents, seed):
    roster, kpis = center(agents)
    end = dt.date(2026, 3, 31)

    def run(r: pa.Table, k: pa.Table) -> str:
        card = score(FOUR, k, r, period_label=PERIOD)
        d = grade(FOUR, [card], r, k, cycle_end=end)
        lines = pay(FOUR, card, d, k, r, period_label=PERIOD)
        return stable_json(card) + stable_json(d) + stable_json(lines)

    first = run(roster, kpis)
    assert run(roster, kpis) == first
    assert run(shuffled(roster, seed), shuffled(kpis, seed + 1)) == first


@SETTINGS
@given(st.lists(agent, min_size=1, max_size=12))
def test_weights_and_contributions_add_up(agents):
    roster, kpis = center(agents)
    card = score(FOUR, kpis, roster, period_label=PERIOD)
    items = card.items.to_pylist()
    for row in card.totals.to_pylist():
        mine = [i for i in items if i["employee_id"] == row["employee_id"]]
        if row["total"] is None:
            assert all(i["weight"] == 0 for i in mine)
            continue
        assert math.fsum(i["weight"] for i in mine) == pytest_approx(100.0)
        assert math.fsum(i["contribution"] for i in mine) == pytest_approx(row["total"])
        assert 0 <= row["total"] <= 100


def pytest_approx(x: float):
    import pytest

    return pytest.approx(x, abs=1e-6)


KPI_FOR = {"customer_service": "answer_rate", "telesales": "sales_conversion",
           "front_desk": "qa_score"}  # fmt: skip


@SETTINGS
@given(
    st.lists(agent, min_size=1, max_size=10),
    st.data(),
    st.floats(0.0, 0.5, allow_nan=False),
)
def test_improving_a_kpi_never_lowers_the_total(agents, data, step):
    roster, kpis = center(agents)
    who = data.draw(st.integers(0, len(agents) - 1))
    eid = f"e{who:03d}"
    pos = agents[who][0]
    kpi = data.draw(st.sampled_from([KPI_FOR[pos], "csat" if pos != "telesales" else
                                     "sales_revenue"]))  # fmt: skip
    rows = kpis.to_pylist()
    for r in rows:
        if r["entity_id"] == eid and r["kpi"] == kpi:
            bump = {"qa_score": 50 * step, "sales_revenue": 100_000 * step}.get(kpi, step / 5)
            r["value"] += bump
            if r["denominator"]:
                r["numerator"] = r["value"] * r["denominator"]
    better = pa.Table.from_pylist(rows, schema=kpis.schema)
    before = {r["employee_id"]: r["total"] for r in score(FOUR, kpis, roster,
              period_label=PERIOD).totals.to_pylist()}  # fmt: skip
    after = {r["employee_id"]: r["total"] for r in score(FOUR, better, roster,
             period_label=PERIOD).totals.to_pylist()}  # fmt: skip
    if before[eid] is not None:
        assert after[eid] >= before[eid] - 1e-9


@SETTINGS
@given(st.lists(agent, min_size=1, max_size=30))
def test_forced_quotas_respected(agents):
    roster, kpis = center(agents)
    totals = score(FORCED, kpis, roster, period_label=PERIOD).totals.to_pylist()
    rank = {g.code: i for i, g in enumerate(FORCED.ratings.grades)}
    for pos in {a[0] for a in agents}:
        group = [t for t in totals if t["position"] == pos and t["total"] is not None]
        n = len(group)
        counts = {c: sum(t["rating"] == c for t in group) for c in "SABC"}
        assert counts["S"] <= quota_size([n], 10)[0]
        assert counts["A"] <= quota_size([n], 20)[0]
        assert counts["B"] <= quota_size([n], 40)[0]
        assert counts["A"] == quota_size([n], 20)[0]  # no min_score: the quota is filled
        assert all(t["total"] >= 80 for t in group if t["rating"] == "S")
        ordered = sorted(group, key=lambda t: (-t["total"], -t["samples"], t["employee_id"]))
        grades = [rank[t["rating"]] for t in ordered]
        assert grades == sorted(grades)  # better-ordered members never get a worse rating


def test_forced_quota_stops_at_min_score():
    # ten customer-service agents; the best is the only one at or above 80 → one S at most
    agents = [("customer_service", "A", 0.98 - 0.02 * i, 200, 0.95, 200, 0, 80, "2024-03-10")
              for i in range(10)]  # fmt: skip
    roster, kpis = center(agents)
    t = {r["employee_id"]: r for r in score(FORCED, kpis, roster,
         period_label=PERIOD).totals.to_pylist()}  # fmt: skip
    # floor(10 × 10%) = 1 S, then floor(10 × 20%) = 2 A, floor(10 × 40%) = 4 B, 3 C
    assert [t[f"e{i:03d}"]["rating"] for i in range(10)] == list("SAABBBBCCC")
