"""Interval reports: state time clipped at interval and day edges, contacts in the interval they
arrived in, every second counted by hand.

Time zone Asia/Shanghai (UTC+8); every time below is local, the day under test is 2026-03-05.
States (queue None = all queues):
  s1 A1 logged in   08:10 → 09:20          open across three 30-minute intervals
  s2 A1 logged in   08:10 → 09:20 (Q2)     the same login in a second queue: counts once
  s3 A1 paused      08:25 → 08:40          across the 08:30 edge
  s4 A2 logged in   03-04 22:00 → 00:45    across midnight
  s5 A2 paused      03-04 23:50 → 00:10    across midnight
  s6 A3 paused      08:00 → 08:05          a static member (never logged in)
Contacts:
  i1 A1 Q1 offered 08:29:50, answered after 20 s, talk 300 + acw 60 (talks on into 08:30)
  i2 A1 Q1 offered 08:30:00 exactly, answered after 5 s, talk 100 + acw 20
  i3 -- Q1 offered 08:45, abandoned after 40 s
  i4 A2 Q2 offered 03-04 23:59:59, answered after 10 s, talk 60: the day before
  i5 A2 Q2 offered 00:00:00, answered after 30 s, talk 120
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import ibis
import pyarrow as pa
import pytest

from callgrade.engine.kpis.intraday import INTRADAY_KPIS, for_agents, interval_kpis, wide_rows
from callgrade.engine.periods import parse_period
from callgrade.engine.schemas import conform

TZ = "Asia/Shanghai"


def local(text: str) -> dt.datetime:
    day = text if "-" in text[:6] and "T" in text else f"2026-03-05T{text}"
    if not day.startswith("2026"):
        day = "2026-" + day
    return dt.datetime.fromisoformat(day).replace(tzinfo=ZoneInfo(TZ)).astimezone(dt.UTC)


def _table(name: str, cols: list[str], rows: list[tuple], **extra: list) -> pa.Table:
    data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    data.update(extra)
    data["source"] = [f"test:{name}"] * len(rows)
    data["source_ref"] = [f"{name}:{i + 1}" for i in range(len(rows))]
    return conform(name, pa.table(data))


def tables() -> dict[str, ibis.Table]:
    states = [
        ("s1", "A1", "logged_in", None, "08:10", "09:20", None),
        ("s2", "A1", "logged_in", None, "08:10", "09:20", "Q2"),
        ("s3", "A1", "paused", "break", "08:25", "08:40", None),
        ("s4", "A2", "logged_in", None, "03-04T22:00", "00:45", None),
        ("s5", "A2", "paused", "lunch", "03-04T23:50", "00:10", None),
        ("s6", "A3", "paused", "meeting", "08:00", "08:05", None),
    ]
    calls = [
        ("i1", "Q1", "A1", "08:29:50", "answered", 20.0, 300.0, 0.0, 60.0),
        ("i2", "Q1", "A1", "08:30:00", "answered", 5.0, 100.0, None, 20.0),
        ("i3", "Q1", None, "08:45:00", "abandoned", 40.0, None, None, None),
        ("i4", "Q2", "A2", "03-04T23:59:59", "answered", 10.0, 60.0, None, None),
        ("i5", "Q2", "A2", "00:00:00", "answered", 30.0, 120.0, None, 0.0),
    ]
    arrow = {
        "agent_states": _table(
            "agent_states",
            ["state_id", "agent_id", "state", "reason", "start", "end", "open_ended", "queue"],
            [(a, b, c, d, local(e), local(f), False, q) for a, b, c, d, e, f, q in states],
        ),
        "interactions": _table(
            "interactions",
            [
                "interaction_id",
                "direction",
                "queue",
                "agent_id",
                "customer_id",
                "offered_at",
                "outcome",
                "queue_wait_s",
                "talk_s",
                "hold_s",
                "acw_s",
                "transferred",
            ],
            [
                (i, "inbound", q, a, f"C{i}", local(at), out, w, talk, hold, acw, False)
                for i, q, a, at, out, w, talk, hold, acw in calls
            ],
            channel=["voice"] * len(calls),
            answered=[c[4] == "answered" for c in calls],
        ),
        "roster": _table(
            "roster", ["employee_id", "team"], [("A1", "T1"), ("A2", "T1"), ("A3", "T2")]
        ),
    }
    return {k: ibis.memtable(v) for k, v in arrow.items()}


def kpis(spec: str, by: str = "agent", grain: str | None = "30min", t=None):
    periods = parse_period(spec, tz=TZ, grain=grain)
    out = interval_kpis(t or tables(), periods=periods, by=by)
    return {
        (r["period"], r["entity_id"], r["kpi"]): (
            r["value"],
            r["numerator"],
            r["denominator"],
            r["sample_size"],
        )
        for r in out.to_pylist()
    }


def test_a_login_open_across_intervals_gives_each_its_part():
    got = kpis("2026-03-05")
    # s1 (s2 lies under it, adding nothing): 08:10–08:30, 08:30–09:00, 09:00–09:20
    assert got[("2026-03-05T08:00", "A1", "login_time")] == (1200.0, 1200.0, None, 1)
    assert got[("2026-03-05T08:30", "A1", "login_time")] == (1800.0, 1800.0, None, 1)
    assert got[("2026-03-05T09:00", "A1", "login_time")] == (1200.0, 1200.0, None, 1)
    assert ("2026-03-05T09:30", "A1", "login_time") not in got  # nothing after 09:20
    total = sum(v[0] for k, v in got.items() if k[1] == "A1" and k[2] == "login_time")
    assert total == 70 * 60


def test_a_pause_across_an_interval_edge_is_split_at_it():
    got = kpis("2026-03-05")
    assert got[("2026-03-05T08:00", "A1", "pause_time")] == (300.0, 300.0, None, 1)  # 08:25–30
    assert got[("2026-03-05T08:30", "A1", "pause_time")] == (600.0, 600.0, None, 1)  # 08:30–40
    assert got[("2026-03-05T09:00", "A1", "pause_time")] == (0.0, 0.0, None, 0)


def test_a_login_and_a_pause_across_midnight_count_on_each_day():
    today = kpis("2026-03-05")
    assert today[("2026-03-05T00:00", "A2", "login_time")] == (1800.0, 1800.0, None, 1)
    assert today[("2026-03-05T00:30", "A2", "login_time")] == (900.0, 900.0, None, 1)  # to 00:45
    assert today[("2026-03-05T00:00", "A2", "pause_time")] == (600.0, 600.0, None, 1)  # to 00:10
    assert not [k for k in today if k[0] < "2026-03-05"]  # nothing of the day before
    before = kpis("2026-03-04")
    assert before[("2026-03-04T23:30", "A2", "login_time")] == (1800.0, 1800.0, None, 1)
    assert before[("2026-03-04T23:30", "A2", "pause_time")] == (600.0, 600.0, None, 1)  # 23:50–
    assert before[("2026-03-04T22:00", "A2", "login_time")] == (1800.0, 1800.0, None, 1)
    assert ("2026-03-04T21:30", "A2", "login_time") not in before
    # the two days' seconds add up to the whole login (22:00 → 00:45) and pause (23:50 → 00:10)
    both = kpis("2026-03-04..2026-03-05")
    day_login = sum(v[0] for k, v in both.items() if k[1:] == ("A2", "login_time"))
    assert day_login == 2 * 3600 + 45 * 60
    assert sum(v[0] for k, v in both.items() if k[1:] == ("A2", "pause_time")) == 20 * 60


def test_a_static_members_pause_counts_without_a_login():
    got = kpis("2026-03-05")
    assert got[("2026-03-05T08:00", "A3", "pause_time")] == (300.0, 300.0, None, 1)
    assert got[("2026-03-05T08:00", "A3", "login_time")] == (0.0, 0.0, None, 0)


def test_contacts_count_in_the_interval_they_arrived_in():
    got = kpis("2026-03-05")
    # i1 arrived 08:29:50: its whole handle time (300 + 0 + 60) is the 08:00 interval's
    assert got[("2026-03-05T08:00", "A1", "aht")] == (360.0, 360.0, 1.0, 1)
    # i2 arrived at 08:30:00 exactly: the 08:30 interval's (an interval's end is not in it)
    assert got[("2026-03-05T08:30", "A1", "aht")] == (120.0, 120.0, 1.0, 1)
    # occupancy: busy seconds of the calls that arrived ÷ logged in minus paused
    assert got[("2026-03-05T08:00", "A1", "occupancy")] == (360 / 900, 360.0, 900.0, 1)
    assert got[("2026-03-05T08:30", "A1", "occupancy")] == (120 / 1200, 120.0, 1200.0, 1)
    # i4 (23:59:59 the day before) is not today's; i5 at midnight is the first interval's
    assert got[("2026-03-05T00:00", "A2", "asa")] == (30.0, 30.0, 1.0, 1)


def test_queue_and_center_intervals():
    q = kpis("2026-03-05", by="queue")
    assert q[("2026-03-05T08:00", "Q1", "answer_rate")] == (1.0, 1.0, 1.0, 1)
    assert q[("2026-03-05T08:00", "Q1", "service_level")] == (1.0, 1.0, 1.0, 1)  # 20 s ≤ 20 s
    assert q[("2026-03-05T08:30", "Q1", "answer_rate")] == (0.5, 1.0, 2.0, 2)  # i2 of i2, i3
    assert q[("2026-03-05T08:30", "Q1", "abandon_rate")] == (0.5, 1.0, 2.0, 2)
    assert ("2026-03-05T08:30", "Q1", "login_time") not in q  # state time has no queue level
    c = kpis("2026-03-05", by="center")
    assert c[("2026-03-05T08:00", "all", "login_time")] == (1200.0, 1200.0, None, 1)
    assert c[("2026-03-05T08:00", "all", "pause_time")] == (600.0, 600.0, None, 2)  # A1 + A3
    team = kpis("2026-03-05", by="team")
    assert team[("2026-03-05T00:00", "T1", "login_time")] == (1800.0, 1800.0, None, 1)
    assert team[("2026-03-05T08:30", "T1", "login_time")] == (1800.0, 1800.0, None, 1)


def test_a_range_of_times_cut_to_its_own_edges():
    got = kpis("2026-03-05T08:15..2026-03-05T09:00")
    assert got[("2026-03-05T08:15..2026-03-05T08:30", "A1", "login_time")][0] == 900.0
    assert got[("2026-03-05T08:15..2026-03-05T08:30", "A1", "pause_time")][0] == 300.0
    assert got[("2026-03-05T08:30", "A1", "login_time")][0] == 1800.0
    assert {k[0] for k in got} == {"2026-03-05T08:15..2026-03-05T08:30", "2026-03-05T08:30"}
    whole = kpis("2026-03-05T08:15..2026-03-05T09:00", grain=None)
    assert whole[("2026-03-05T08:15..2026-03-05T09:00", "A1", "login_time")][0] == 2700.0


def test_hour_and_quarter_grains_add_up_to_the_same_seconds():
    for grain in ("15min", "60min"):
        got = kpis("2026-03-05", grain=grain)
        assert sum(v[0] for k, v in got.items() if k[1:] == ("A1", "login_time")) == 4200.0
        assert sum(v[0] for k, v in got.items() if k[1:] == ("A1", "pause_time")) == 900.0
    quarter = kpis("2026-03-05", grain="15min")
    assert quarter[("2026-03-05T08:15", "A1", "pause_time")][0] == 300.0  # 08:25–08:30
    assert quarter[("2026-03-05T08:30", "A1", "pause_time")][0] == 600.0  # 08:30–08:40
    assert quarter[("2026-03-05T08:00", "A1", "login_time")][0] == 300.0  # 08:10–08:15


def test_a_readers_scope_keeps_only_their_agents():
    got = kpis("2026-03-05", t=for_agents(tables(), ["A2"]))
    assert {k[1] for k in got} == {"A2"}
    nobody = kpis("2026-03-05", t=for_agents(tables(), []))
    assert nobody == {}
    team = kpis("2026-03-05", by="team", t=for_agents(tables(), ["A1"]))
    # A2's midnight login is out of A1's scope, so T1 has nothing at 00:00
    assert ("2026-03-05T00:00", "T1", "login_time") not in team
    assert team[("2026-03-05T08:00", "T1", "login_time")][0] == 1200.0


def test_wide_rows_keep_the_evidence_per_kpi():
    periods = parse_period("2026-03-05T08:00..2026-03-05T09:00", tz=TZ, grain="30min")
    rows = wide_rows(interval_kpis(tables(), periods=periods, by="agent"))
    first = rows[0]
    assert (first["period"], first["entity_id"]) == ("2026-03-05T08:00", "A1")
    assert first["occupancy"] == {
        "value": 0.4,
        "numerator": 360.0,
        "denominator": 900.0,
        "sample_size": 1,
        "unit": "ratio",
    }
    assert [r["period"] for r in rows] == sorted(r["period"] for r in rows)
    assert "abandon_rate" not in first  # a queue KPI, not an agent's
    assert set(INTRADAY_KPIS) >= {k for k in first if isinstance(first[k], dict)}


@pytest.mark.parametrize(
    ("spec", "grain", "message"),
    [
        ("2026-03-05T08:00", None, "date and time at both ends"),
        ("2026-03-05T08:00..2026-03-05", None, "date and time at both ends"),
        ("2026-03-05..2026-03-05T12:00", None, "date and time at both ends"),
        ("2026-03-05T12:00..2026-03-05T08:00", None, "ends before it starts"),
        ("2026-03-05T08:00..2026-03-05T08:00", None, "is empty"),
        ("2026-03-05T24:30..2026-03-06T01:00", None, "not a real date and time"),
        ("2026-02-30T08:00..2026-03-01T01:00", None, "not a real date and time"),
        ("2026-03-05T8:00..2026-03-05T9:00", None, "not understood"),
        ("2026-03-05T08:00..2026-03-05T12:00", "day", "splits calendar periods"),
        ("2026-03-05", "5min", "not one of"),
        ("2026", "15min", "more than 3,000"),
    ],
)
def test_bad_ranges_say_what_is_wrong(spec, grain, message):
    with pytest.raises(ValueError, match=message) as e:
        parse_period(spec, tz=TZ, grain=grain)
    if grain != "5min":
        assert repr(spec) in str(e.value)  # the message names what was given


def test_intervals_follow_the_local_clock_through_summer_time():
    back = parse_period("2026-10-25", tz="Europe/Berlin", grain="60min")
    assert len(back) == 25  # the hour from 02:00 is lived twice
    assert [p.label for p in back[2:4]] == ["2026-10-25T02:00+02:00", "2026-10-25T02:00+01:00"]
    forward = parse_period("2026-03-29", tz="Europe/Berlin", grain="30min")
    assert len(forward) == 46 and "2026-03-29T02:00" not in {p.label for p in forward}
    # +05:45: the hours start at :15 UTC, on the local clock's hour
    (first, *_rest) = parse_period("2026-03-05", tz="Asia/Kathmandu", grain="60min")
    assert first.label == "2026-03-05T00:00" and first.start.minute == 15
    with pytest.raises(ValueError, match="does not exist in Europe/Berlin"):
        parse_period("2026-03-29T02:30..2026-03-29T04:00", tz="Europe/Berlin")
