"""Agent-state intervals crossing day and month boundaries count only their overlap.

From test_kpis_dataset (Asia/Shanghai, local midnight = 16:00Z):
s1 A1 logged in 2026-02-28 14:00Z–18:00Z (local 22:00 28 Feb → 02:00 1 Mar)
s2 A1 paused   2026-02-28 17:00Z–17:30Z (local 1 Mar)
s3 A1 logged in 2026-03-10 00:00Z–08:00Z, s4 paused 03:00Z–03:15Z
s5 A2 logged in 2026-03-31 12:00Z–20:00Z (local 20:00 31 Mar → 04:00 1 Apr)
s6 A2 logged in 2026-04-05 00:00Z–01:00Z
"""

from __future__ import annotations

import test_kpis_dataset as data

from callgrade.engine.kpis import compute_kpis
from callgrade.engine.periods import parse_period

KPIS = ["login_time", "pause_time"]


def values(periods, kpis=KPIS):
    out = compute_kpis(data.memtables(), periods=periods, by="agent", kpis=kpis)
    return {
        (r["period"], r["entity_id"], r["kpi"]): (r["value"], r["sample_size"])
        for r in out.to_pylist()
    }


def test_across_local_midnight():
    days = parse_period("2026-02-28..2026-03-01", tz=data.TZ, grain="day")
    got = values(days)
    assert got[("2026-02-28", "A1", "login_time")] == (7200.0, 1)  # 14:00Z → 16:00Z
    assert got[("2026-03-01", "A1", "login_time")] == (7200.0, 1)  # 16:00Z → 18:00Z
    assert got[("2026-02-28", "A1", "pause_time")] == (0.0, 0)
    assert got[("2026-03-01", "A1", "pause_time")] == (1800.0, 1)


def test_across_month_ends():
    months = parse_period("2026-02-01..2026-04-30", tz=data.TZ, grain="month")
    got = values(months)
    assert got[("2026-02", "A1", "login_time")] == (7200.0, 1)
    assert got[("2026-03", "A1", "login_time")] == (36000.0, 2)  # 7200 + 28800
    assert got[("2026-03", "A2", "login_time")] == (14400.0, 1)  # s5 until 16:00Z
    assert got[("2026-04", "A2", "login_time")] == (18000.0, 2)  # s5 from 16:00Z + s6
    assert ("2026-04", "A1", "login_time") not in got  # A1 has no April record at all


def test_overlapping_periods_each_get_their_share():
    q1, march = parse_period("2026-Q1", tz=data.TZ), parse_period("2026-03", tz=data.TZ)
    got = values(q1 + march, kpis=["login_time", "occupancy", "aht"])
    assert got[("2026-Q1", "A1", "login_time")] == (43200.0, 2)  # s1 whole + s3
    assert got[("2026-03", "A1", "login_time")] == (36000.0, 2)
    # i13 (28 Feb 15:00Z) is in Q1 but not in March: AHT 450 + 10 over 4 handled
    assert got[("2026-Q1", "A1", "aht")] == (115.0, 4)
    assert got[("2026-03", "A1", "aht")] == (150.0, 3)
    alone = values(march, kpis=["login_time", "occupancy", "aht"])
    assert {k: v for k, v in got.items() if k[0] == "2026-03"} == alone


def test_periods_with_a_gap_count_nothing_in_between():
    feb, apr = parse_period("2026-02", tz=data.TZ), parse_period("2026-04", tz=data.TZ)
    got = values(feb + apr, kpis=["aht", "login_time", "csat"])
    assert {k[0] for k in got} == {"2026-02", "2026-04"}
    assert got[("2026-02", "A1", "aht")] == (10.0, 1)  # only i13; March contacts are skipped
    assert got[("2026-04", "A2", "aht")] == (10.0, 1)  # i10
    assert got[("2026-04", "A1", "csat")] == (0.0, 1)  # v6 scored 1
    assert got[("2026-04", "A2", "login_time")] == (18000.0, 2)
