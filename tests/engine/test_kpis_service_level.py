"""Service level on ICMI's worked example (DATA.md): 1,000 answered (860 within 20 s), 60
abandoned (20 within 20 s, 40 after)."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
import pytest

from callgrade.engine.kpis import KpiOptions, compute_kpis
from callgrade.engine.periods import parse_period
from callgrade.engine.schemas import conform

PERIOD = parse_period("2026-03-02", tz="UTC")


def icmi() -> dict[str, ibis.Table]:
    # (count, answered, queue wait): waits are 10 s (within 20 s) or 30/50 s (after)
    groups = [(860, True, 10.0), (140, True, 30.0), (20, False, 10.0), (40, False, 50.0)]
    rows = [(a, w) for n, a, w in groups for _ in range(n)]
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    n = len(rows)
    t = pa.table(
        {
            "interaction_id": [f"c{i}" for i in range(n)],
            "channel": ["voice"] * n,
            "direction": ["inbound"] * n,
            "queue": ["sales"] * n,
            "agent_id": ["A1" if a else None for a, _ in rows],
            "offered_at": [at + dt.timedelta(seconds=i) for i in range(n)],
            "queue_wait_s": [w for _, w in rows],
            "talk_s": [60.0 if a else None for a, _ in rows],
            "outcome": ["answered" if a else "abandoned" for a, _ in rows],
            "answered": [a for a, _ in rows],
            "transferred": [False] * n,
            "source": ["icmi"] * n,
            "source_ref": [str(i) for i in range(n)],
        }
    )
    return {"interactions": ibis.memtable(conform("interactions", t))}


@pytest.mark.parametrize(
    ("variant", "short", "num", "den", "pct"),
    [
        ("answered", 5, 860, 1000, 86),  # answered within / answered
        ("offered", 5, 860, 1060, 81),  # answered within / (answered + abandoned)
        ("sl2", 5, 880, 1060, 83),  # (answered within + abandoned within) / offered
        # answered within / (answered + abandoned after): short abandons are those under 20 s
        ("exclude_short", 20, 860, 1040, 83),
    ],
)
def test_icmi_service_level(variant, short, num, den, pct):
    opts = KpiOptions(
        service_level_threshold_s=20, service_level_variant=variant, short_abandon_s=short
    )
    out = compute_kpis(icmi(), periods=PERIOD, by="queue", kpis=["service_level"], options=opts)
    (row,) = out.to_pylist()
    assert (row["entity_id"], row["numerator"], row["denominator"]) == ("sales", num, den)
    assert row["sample_size"] == den
    assert row["value"] == pytest.approx(num / den)
    assert round(row["value"] * 100) == pct


def test_icmi_abandon_rate_and_asa():
    out = compute_kpis(
        icmi(), periods=PERIOD, by="center", kpis=["abandon_rate", "asa", "answer_rate"]
    )
    got = {r["kpi"]: (r["value"], r["numerator"], r["denominator"]) for r in out.to_pylist()}
    # no abandon is under the default 5 s: 60 / 1,060
    assert got["abandon_rate"] == pytest.approx((60 / 1060, 60, 1060))
    assert got["answer_rate"] == pytest.approx((1000 / 1060, 1000, 1060))
    # (860 × 10 + 140 × 30) / 1,000 = 12.8 s
    assert got["asa"] == pytest.approx((12.8, 12800, 1000))
