"""Overlapping agent-state intervals count once: the union per agent (across queues), clipped to
the period; paused time only while logged in. Periods are UTC days. Times are UTC.

B1 on 2026-03-10 (team TB):
  l1 logged_in Q1 08:00–12:00, l2 logged_in Q2 09:00–13:00 (ADDMEMBER per queue),
  l3 logged_in (all) 14:00–15:00 → union 08:00–13:00 + 14:00–15:00 = 18000 + 3600 = 21600 s
  p1 paused (all) lunch 10:00–10:30 (PAUSEALL) with p2 Q1 and p3 Q2 at the same time (per-queue
  PAUSE rows) → 1800 s once; p5 paused Q1 training 10:15–10:45 → all reasons 10:00–10:45 = 2700;
  p4 paused (all) break 13:30–14:30, logged out 13:00–14:00 → counts 14:00–14:30 = 1800.
  pause_time = 2700 + 1800 = 4500; occupancy = 171 talk ÷ (21600 − 4500 = 17100) = 0.01.
B2 across midnight 9/10 March (team TB):
  m1 logged_in Q1 03-09 22:00–03-10 02:00, m2 logged_in Q2 03-09 23:00–03-10 03:00
  → 9 March 22:00–24:00 = 7200; 10 March 00:00–03:00 = 10800
  q1 paused (all) 23:30–00:30 and q2 paused Q1 23:30–00:30 → 1800 on each day
  q3 paused (all) 02:30–04:00 (left open after the last REMOVEMEMBER at 03:00) → 1800 on 10 March
"""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
import pytest

from callgrade.engine.kpis import KpiOptions, compute_kpis, kpi_records
from callgrade.engine.periods import parse_period
from callgrade.engine.schemas import conform

DAY9, DAY10 = parse_period("2026-03-09..2026-03-10", tz="UTC", grain="day")


def ts(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat("2026-" + s).replace(tzinfo=dt.UTC)


STATES = [  # state_id, agent, state, reason, queue, start, end
    ("l1", "B1", "logged_in", None, "Q1", "03-10T08:00", "03-10T12:00"),
    ("l2", "B1", "logged_in", None, "Q2", "03-10T09:00", "03-10T13:00"),
    ("l3", "B1", "logged_in", None, None, "03-10T14:00", "03-10T15:00"),
    ("p1", "B1", "paused", "lunch", None, "03-10T10:00", "03-10T10:30"),
    ("p2", "B1", "paused", "lunch", "Q1", "03-10T10:00", "03-10T10:30"),
    ("p3", "B1", "paused", "lunch", "Q2", "03-10T10:00", "03-10T10:30"),
    ("p4", "B1", "paused", "break", None, "03-10T13:30", "03-10T14:30"),
    ("p5", "B1", "paused", "training", "Q1", "03-10T10:15", "03-10T10:45"),
    ("m1", "B2", "logged_in", None, "Q1", "03-09T22:00", "03-10T02:00"),
    ("m2", "B2", "logged_in", None, "Q2", "03-09T23:00", "03-10T03:00"),
    ("q1", "B2", "paused", "lunch", None, "03-09T23:30", "03-10T00:30"),
    ("q2", "B2", "paused", "lunch", "Q1", "03-09T23:30", "03-10T00:30"),
    ("q3", "B2", "paused", "away", None, "03-10T02:30", "03-10T04:00"),
]


def tables() -> dict[str, ibis.Table]:
    cols = list(zip(*STATES, strict=True))
    n = len(STATES)
    states = pa.table(
        {
            "state_id": cols[0],
            "agent_id": cols[1],
            "state": cols[2],
            "reason": cols[3],
            "queue": cols[4],
            "start": [ts(x) for x in cols[5]],
            "end": [ts(x) for x in cols[6]],
            "open_ended": [False] * n,
            "source": ["test:agent_states"] * n,
            "source_ref": [f"states:{i + 1}" for i in range(n)],
        }
    )
    contacts = pa.table(
        {
            "interaction_id": ["c1"],
            "direction": ["inbound"],
            "channel": ["voice"],
            "queue": ["Q1"],
            "agent_id": ["B1"],
            "offered_at": [ts("03-10T11:00")],
            "outcome": ["answered"],
            "answered": [True],
            "queue_wait_s": [4.0],
            "talk_s": [171.0],
            "transferred": [False],
            "source": ["test:interactions"],
            "source_ref": ["interactions:1"],
        }
    )
    roster = pa.table(
        {
            "employee_id": ["B1", "B2"],
            "team": ["TB", "TB"],
            "source": ["test:roster"] * 2,
            "source_ref": ["roster:1", "roster:2"],
        }
    )
    return {
        "agent_states": ibis.memtable(conform("agent_states", states)),
        "interactions": ibis.memtable(conform("interactions", contacts)),
        "roster": ibis.memtable(conform("roster", roster)),
    }


KPIS = ["login_time", "pause_time", "occupancy"]


def values(by="agent", options=KpiOptions(), periods=(DAY9, DAY10)):  # noqa: B008
    out = compute_kpis(tables(), periods=list(periods), by=by, kpis=KPIS, options=options)
    return {
        (r["period"], r["entity_id"], r["kpi"]): (
            r["value"],
            r["numerator"],
            r["denominator"],
            r["sample_size"],
        )
        for r in out.to_pylist()
    }


def test_two_queues_logins_count_once():
    got = values()
    assert got[("2026-03-10", "B1", "login_time")] == (21600.0, 21600.0, None, 3)


def test_pauseall_with_per_queue_pauses_counts_once_and_only_while_logged_in():
    got = values()
    assert got[("2026-03-10", "B1", "pause_time")] == (4500.0, 4500.0, None, 3)
    assert got[("2026-03-10", "B1", "occupancy")] == (0.01, 171.0, 17100.0, 1)


def test_pause_reasons_take_the_union_of_the_chosen_reasons():
    lunch = values(options=KpiOptions(pause_reasons=("lunch",)))
    assert lunch[("2026-03-10", "B1", "pause_time")] == (1800.0, 1800.0, None, 1)
    training = values(options=KpiOptions(pause_reasons=("training",)))
    assert training[("2026-03-10", "B1", "pause_time")] == (1800.0, 1800.0, None, 1)
    both = values(options=KpiOptions(pause_reasons=("lunch", "training")))
    assert both[("2026-03-10", "B1", "pause_time")] == (2700.0, 2700.0, None, 2)
    # occupancy deducts every pause, whichever reasons pause_time selects
    assert lunch[("2026-03-10", "B1", "occupancy")] == (0.01, 171.0, 17100.0, 1)


def test_intervals_crossing_the_period_boundary():
    got = values()
    # m2 (23:00–24:00) lies inside m1 (22:00–24:00) on 9 March: one interval adds time
    assert got[("2026-03-09", "B2", "login_time")] == (7200.0, 7200.0, None, 1)
    assert got[("2026-03-10", "B2", "login_time")] == (10800.0, 10800.0, None, 2)
    assert got[("2026-03-09", "B2", "pause_time")] == (1800.0, 1800.0, None, 1)
    # q1 00:00–00:30 + q3 02:30–03:00
    assert got[("2026-03-10", "B2", "pause_time")] == (3600.0, 3600.0, None, 2)
    assert got[("2026-03-10", "B2", "occupancy")] == (0.0, 0.0, 7200.0, 0)
    assert got[("2026-03-09", "B2", "occupancy")] == (0.0, 0.0, 5400.0, 0)


def test_team_adds_each_agents_union():
    got = values(by="team")
    # B1 and B2 do not overlap each other's time away: 21600 + 10800, 4500 + 3600
    assert got[("2026-03-10", "TB", "login_time")] == (32400.0, 32400.0, None, 5)
    assert got[("2026-03-10", "TB", "pause_time")] == (8100.0, 8100.0, None, 5)
    assert got[("2026-03-10", "TB", "occupancy")] == (171 / 24300, 171.0, 24300.0, 1)


def test_center_adds_each_agents_union():
    got = values(by="center", periods=(DAY10,))
    assert got[("2026-03-10", "all", "login_time")] == (32400.0, 32400.0, None, 5)
    assert got[("2026-03-10", "all", "pause_time")] == (8100.0, 8100.0, None, 5)


def records(kpi: str, agent: str, options: KpiOptions = KpiOptions()) -> list[tuple]:  # noqa: B008
    t = kpi_records(
        tables(), kpi=kpi, entity_type="agent", entity_id=agent, period=DAY10, options=options
    )
    return [
        (
            r["record_id"],
            r["at"].strftime("%H:%M"),
            r["numerator"],
            r["denominator"],
            r["in_sample"],
        )
        for r in t.to_pyarrow().to_pylist()
    ]


def test_drill_down_lists_only_the_rows_that_add_time():
    assert records("login_time", "B1") == [
        ("l1", "08:00", 14400.0, 0.0, True),
        ("l2", "09:00", 3600.0, 0.0, True),  # 12:00–13:00 beyond l1
        ("l3", "14:00", 3600.0, 0.0, True),
    ]
    # p2, p3 lie under p1 (same instant; state_id breaks the tie); p4 at its clipped start
    assert records("pause_time", "B1") == [
        ("p1", "10:00", 1800.0, 0.0, True),
        ("p5", "10:15", 900.0, 0.0, True),
        ("p4", "13:30", 1800.0, 0.0, True),
    ]
    assert records("pause_time", "B2") == [
        ("q1", "00:00", 1800.0, 0.0, True),
        ("q3", "02:30", 1800.0, 0.0, True),
    ]


def test_drill_down_by_reason():
    assert records("pause_time", "B1", KpiOptions(pause_reasons=("training",))) == [
        ("p5", "10:15", 1800.0, 0.0, True),
    ]


@pytest.mark.parametrize("kpi", KPIS)
def test_drill_down_adds_up(kpi):
    got = values(periods=(DAY10,))
    for agent in ("B1", "B2"):
        rows = records(kpi, agent)
        value = got[("2026-03-10", agent, kpi)]
        assert sum(r[2] for r in rows) == pytest.approx(value[1])
        if value[2] is not None:
            assert sum(r[3] for r in rows) == pytest.approx(value[2])
