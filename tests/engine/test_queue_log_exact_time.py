"""Exact agent-state time on real queue_log files, line by line (seconds worked out by hand).

Each log is parsed, then its KPIs are computed for UTC days. The rules are in docs/kpis.md
("How values are computed") and docs/connectors/queue_log.md ("Agent states").
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis
import pytest

from callgrade.engine.connectors import ConnectorError, parse
from callgrade.engine.ingest import ingest_files
from callgrade.engine.kpis import compute_kpis, kpi_records
from callgrade.engine.kpis.tables import open_tables
from callgrade.engine.periods import parse_period
from callgrade.engine.schemas import TABLES
from callgrade.engine.warehouse import Warehouse

UTC = dt.UTC
KPIS = ["login_time", "pause_time", "occupancy", "aht", "acw_time"]


def u(iso: str) -> str:
    """Unix seconds of a UTC time in March 2026, as queue_log writes them."""
    return str(int(dt.datetime.fromisoformat("2026-03-" + iso).replace(tzinfo=UTC).timestamp()))


def ts(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat("2026-" + iso).replace(tzinfo=UTC)


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "queue_log"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def kpis(result: Any, days: str) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    tables = {
        name: ibis.memtable(result.tables.get(name, spec.schema.empty_table()))
        for name, spec in TABLES.items()
    }
    return _values(tables, days)


def _values(tables: Any, days: str) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    out = compute_kpis(
        tables, periods=parse_period(days, tz="UTC", grain="day"), by="agent", kpis=KPIS
    )
    return {
        (r["period"], r["entity_id"], r["kpi"]): (
            r["value"],
            r["numerator"],
            r["denominator"],
            r["sample_size"],
        )
        for r in out.to_pylist()
    }


def states(result: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (
            (
                r["agent_id"],
                r["state"],
                r["reason"],
                r["queue"],
                r["start"],
                r["end"],
                r["open_ended"],
            )
            for r in result.tables["agent_states"].to_pylist()
        ),
        key=lambda row: tuple("" if v is None else v for v in row),
    )


# ---- static queue members (queues.conf): pauses, never a login ------------------------------

STATIC = [
    f"{u('02T08:00')}|NONE|NONE|NONE|QUEUESTART|",  # 1
    f"{u('02T09:00')}|c1|sales|NONE|ENTERQUEUE||13800000001|1",  # 2
    f"{u('02T09:00:05')}|c1|sales|SIP/201|CONNECT|5|c1-b|3",  # 3
    f"{u('02T09:05:05')}|c1|sales|SIP/201|COMPLETECALLER|5|300|1",  # 4 talk 300
    f"{u('02T10:00')}|NONE|sales|SIP/201|PAUSE|lunch",  # 5
    f"{u('02T10:45')}|NONE|sales|SIP/201|UNPAUSE|",  # 6 lunch 2700
    f"{u('02T15:00')}|NONE|NONE|SIP/201|PAUSEALL|meeting",  # 7
    f"{u('02T15:00')}|NONE|sales|SIP/201|PAUSE|meeting",  # 8 same time as 7: counts once
    f"{u('02T15:20')}|NONE|NONE|SIP/201|UNPAUSEALL|",  # 9 meeting 1200
    f"{u('02T15:20')}|NONE|sales|SIP/201|UNPAUSE|",  # 10
]


def test_static_member_pauses_count_without_a_login(tmp_path: Path) -> None:
    result = parse("queue_log", write(tmp_path, STATIC))
    assert states(result) == [
        ("SIP/201", "paused", "lunch", "sales", ts("03-02T10:00"), ts("03-02T10:45"), False),
        ("SIP/201", "paused", "meeting", None, ts("03-02T15:00"), ts("03-02T15:20"), False),
        ("SIP/201", "paused", "meeting", "sales", ts("03-02T15:00"), ts("03-02T15:20"), False),
    ]
    got = kpis(result, "2026-03-02")
    # 2700 + 1200; the per-queue PAUSE under the PAUSEALL adds nothing and is not in the sample
    assert got[("2026-03-02", "SIP/201", "pause_time")] == (3900.0, 3900.0, None, 2)
    # No logged-in time is known: login_time is 0 from no interval (sample 0), occupancy has
    # no denominator, so no value (not 300 ÷ −3900, and not 300 ÷ a made-up shift).
    assert got[("2026-03-02", "SIP/201", "login_time")] == (0.0, 0.0, None, 0)
    assert got[("2026-03-02", "SIP/201", "occupancy")] == (None, 300.0, 0.0, 1)
    assert got[("2026-03-02", "SIP/201", "aht")] == (300.0, 300.0, 1.0, 1)
    # Drill-down: the lunch and PAUSEALL rows add up to the value; the per-queue PAUSE adds 0.
    tables = {
        name: ibis.memtable(result.tables.get(name, spec.schema.empty_table()))
        for name, spec in TABLES.items()
    }
    (day,) = parse_period("2026-03-02", tz="UTC", grain="day")
    rows = kpi_records(
        tables, kpi="pause_time", entity_type="agent", entity_id="SIP/201", period=day,
        every_row=True,
    ).to_pyarrow().to_pylist()  # fmt: skip
    assert sorted((r["source_ref"], r["numerator"], r["in_sample"]) for r in rows) == [
        ("queue_log:5", 2700.0, True),
        ("queue_log:7", 1200.0, True),
        ("queue_log:8", 0.0, False),
    ]


# ---- a log that starts mid-session ----------------------------------------------------------

MID = [
    f"{u('03T09:00')}|NONE|NONE|NONE|QUEUESTART|",  # 1 start of the data
    f"{u('03T09:00')}|NONE|sales|SIP/303|REMOVEMEMBER|",  # 2 at the very start: nothing
    f"{u('03T09:10')}|c2|sales|NONE|ENTERQUEUE||13800000002|1",  # 3
    f"{u('03T09:10:04')}|c2|sales|SIP/301|CONNECT|4|c2-b|2",  # 4 SIP/301's first line
    f"{u('03T09:14:04')}|c2|sales|SIP/301|COMPLETEAGENT|4|240|1",  # 5 talk 240
    f"{u('03T09:20')}|NONE|sales|SIP/302|UNPAUSE|",  # 6 paused since 09:00: 1200
    f"{u('03T10:00')}|NONE|sales|SIP/303|ADDMEMBER|",  # 7
    f"{u('03T10:30')}|NONE|sales|SIP/303|REMOVEMEMBER|",  # 8 1800
    f"{u('03T11:00')}|NONE|sales|SIP/302|REMOVEMEMBER|",  # 9 in since 09:00: 7200
    f"{u('03T12:00')}|NONE|sales|SIP/301|REMOVEMEMBER|",  # 10 in since 09:00: 10800
]


def test_log_starting_mid_session_counts_from_the_start_of_the_data(tmp_path: Path) -> None:
    result = parse("queue_log", write(tmp_path, MID))
    assert states(result) == [
        ("SIP/301", "logged_in", None, "sales", ts("03-03T09:00"), ts("03-03T12:00"), False),
        ("SIP/302", "logged_in", None, "sales", ts("03-03T09:00"), ts("03-03T11:00"), False),
        ("SIP/302", "paused", None, "sales", ts("03-03T09:00"), ts("03-03T09:20"), False),
        ("SIP/303", "logged_in", None, "sales", ts("03-03T10:00"), ts("03-03T10:30"), False),
    ]
    refs = {
        (r["agent_id"], r["state"]): r["source_ref"]
        for r in result.tables["agent_states"].to_pylist()
    }
    # The interval known only from its end points at the line that closes it.
    assert refs[("SIP/301", "logged_in")] == "queue_log:10"
    assert refs[("SIP/302", "paused")] == "queue_log:6"
    got = kpis(result, "2026-03-03")
    assert got[("2026-03-03", "SIP/301", "login_time")] == (10800.0, 10800.0, None, 1)
    assert got[("2026-03-03", "SIP/301", "occupancy")] == (240 / 10800, 240.0, 10800.0, 1)
    assert got[("2026-03-03", "SIP/302", "login_time")] == (7200.0, 7200.0, None, 1)
    assert got[("2026-03-03", "SIP/302", "pause_time")] == (1200.0, 1200.0, None, 1)
    assert got[("2026-03-03", "SIP/303", "login_time")] == (1800.0, 1800.0, None, 1)


# ---- a pause never unpaused ends when the agent leaves the last queue ----------------------

LEFT_PAUSED = [
    f"{u('05T08:00')}|NONE|sales|SIP/601|ADDMEMBER|",  # 1
    f"{u('05T12:00')}|NONE|NONE|SIP/601|PAUSEALL|break",  # 2
    f"{u('05T12:00')}|NONE|sales|SIP/601|PAUSE|break",  # 3
    f"{u('05T12:30')}|NONE|sales|SIP/601|REMOVEMEMBER|",  # 4 out of every queue: pause ends
    f"{u('05T09:00')}|NONE|NONE|Agent/602|AGENTLOGIN|SIP/602",  # 5
    f"{u('05T10:00')}|NONE|sales|Agent/602|PAUSE|tea",  # 6
    f"{u('05T11:00')}|NONE|NONE|Agent/602|AGENTLOGOFF|SIP/602|7200",  # 7 ends the sales pause
    f"{u('06T08:00')}|NONE|sales|SIP/601|ADDMEMBER|",  # 8 a new session, not paused
    f"{u('06T16:00')}|NONE|sales|SIP/601|REMOVEMEMBER|",  # 9
]


def test_pause_left_running_at_logoff_ends_there(tmp_path: Path) -> None:
    result = parse("queue_log", write(tmp_path, LEFT_PAUSED))
    paused = [(r[0], r[3], r[4], r[5]) for r in states(result) if r[1] == "paused"]
    assert paused == [
        ("Agent/602", "sales", ts("03-05T10:00"), ts("03-05T11:00")),
        ("SIP/601", None, ts("03-05T12:00"), ts("03-05T12:30")),
        ("SIP/601", "sales", ts("03-05T12:00"), ts("03-05T12:30")),
    ]
    got = kpis(result, "2026-03-05..2026-03-06")
    assert got[("2026-03-05", "SIP/601", "login_time")] == (16200.0, 16200.0, None, 1)
    assert got[("2026-03-05", "SIP/601", "pause_time")] == (1800.0, 1800.0, None, 1)
    assert got[("2026-03-06", "SIP/601", "login_time")] == (28800.0, 28800.0, None, 1)
    assert got[("2026-03-06", "SIP/601", "pause_time")] == (0.0, 0.0, None, 0)
    assert got[("2026-03-05", "Agent/602", "pause_time")] == (3600.0, 3600.0, None, 1)


# ---- open at the end: to the horizon ---------------------------------------------------------

OPEN = [
    f"{u('30T08:00')}|NONE|sales|SIP/401|ADDMEMBER|",  # 1
    f"{u('30T16:00')}|NONE|sales|SIP/401|PAUSE|break",  # 2 never unpaused
    f"{u('30T18:00')}|NONE|NONE|NONE|QUEUESTART|",  # 3 the last line
]


def test_open_at_the_end_without_a_horizon_stops_at_the_last_line(tmp_path: Path) -> None:
    result = parse("queue_log", write(tmp_path, OPEN))
    assert states(result) == [
        ("SIP/401", "logged_in", None, "sales", ts("03-30T08:00"), ts("03-30T18:00"), True),
        ("SIP/401", "paused", "break", "sales", ts("03-30T16:00"), ts("03-30T18:00"), True),
    ]
    got = kpis(result, "2026-03-30..2026-03-31")
    assert got[("2026-03-30", "SIP/401", "login_time")] == (36000.0, 36000.0, None, 1)
    assert got[("2026-03-30", "SIP/401", "pause_time")] == (7200.0, 7200.0, None, 1)
    assert ("2026-03-31", "SIP/401", "login_time") not in got  # after the data: unknown


def test_open_at_the_end_runs_to_the_stated_horizon(tmp_path: Path) -> None:
    result = parse("queue_log", write(tmp_path, OPEN), horizon="2026-03-31T23:59:59")
    end = ts("03-31T23:59:59")
    assert states(result) == [
        ("SIP/401", "logged_in", None, "sales", ts("03-30T08:00"), end, True),
        ("SIP/401", "paused", "break", "sales", ts("03-30T16:00"), end, True),
    ]
    got = kpis(result, "2026-03-30..2026-04-01")
    assert got[("2026-03-30", "SIP/401", "login_time")] == (57600.0, 57600.0, None, 1)  # 08–24
    assert got[("2026-03-30", "SIP/401", "pause_time")] == (28800.0, 28800.0, None, 1)  # 16–24
    assert got[("2026-03-31", "SIP/401", "login_time")] == (86399.0, 86399.0, None, 1)
    assert got[("2026-03-31", "SIP/401", "pause_time")] == (86399.0, 86399.0, None, 1)
    assert ("2026-04-01", "SIP/401", "login_time") not in got  # past the horizon


def test_horizon_without_a_zone_is_in_the_source_time_zone(tmp_path: Path) -> None:
    # 1 April 08:00 in Shanghai is 1 April 00:00 UTC: the month's last piece ends there.
    result = parse(
        "queue_log", write(tmp_path, OPEN), tz="Asia/Shanghai", horizon="2026-04-01T08:00"
    )
    assert [r[5] for r in states(result)] == [ts("04-01T00:00")] * 2
    aware = dt.datetime(2026, 4, 1, tzinfo=UTC)
    assert states(parse("queue_log", write(tmp_path, OPEN), horizon=aware)) == states(result)


def test_horizon_before_the_last_line_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConnectorError, match=r"horizon 2026-03-30T17:00:00 UTC is before"):
        parse("queue_log", write(tmp_path, OPEN), horizon="2026-03-30T17:00")


def test_past_interval_report_from_the_warehouse_uses_the_stored_horizon(tmp_path: Path) -> None:
    """Ingested once with its horizon, a later report on 31 March (after the file's last line,
    before the horizon) shows the agent's time: the horizon lives in the stored rows' ends."""
    wh = Warehouse(tmp_path / "data")
    ingest_files(wh, "queue_log", [write(tmp_path, OPEN)], horizon="2026-03-31T23:59:59")
    got = _values(open_tables(ibis.duckdb.connect(), wh), "2026-03-31")
    assert got[("2026-03-31", "SIP/401", "login_time")] == (86399.0, 86399.0, None, 1)
    assert got[("2026-03-31", "SIP/401", "pause_time")] == (86399.0, 86399.0, None, 1)
    assert got[("2026-03-31", "SIP/401", "occupancy")] == (None, 0.0, 0.0, 0)


# ---- WRAPUPSTART: after-call work ----------------------------------------------------------

WRAP = [
    f"{u('04T09:00')}|NONE|sales|SIP/501|ADDMEMBER|",  # 1 logged in 09:00–10:00 = 3600
    f"{u('04T09:10')}|c5|sales|NONE|ENTERQUEUE||13800000005|1",  # 2
    f"{u('04T09:10:06')}|c5|sales|SIP/501|CONNECT|6|c5-b|2",  # 3
    f"{u('04T09:13:06')}|c5|sales|SIP/501|COMPLETECALLER|6|180|1",  # 4 talk 180
    f"{u('04T09:13:06')}|NONE|sales|SIP/501|WRAPUPSTART|30",  # 5 c5's ACW 30
    f"{u('04T09:14')}|NONE|sales|SIP/501|WRAPUPSTART|20",  # 6 also after c5: the first counts
    f"{u('04T09:20')}|c6|sales|NONE|ENTERQUEUE||13800000006|1",  # 7
    f"{u('04T09:20:03')}|c6|sales|SIP/501|CONNECT|3|c6-b|1",  # 8
    f"{u('04T09:22:03')}|c6|sales|SIP/501|COMPLETEAGENT|3|120|1",  # 9 talk 120
    f"{u('04T09:22:04')}|NONE|sales|SIP/501|WRAPUPSTART|45",  # 10 c6's ACW 45
    f"{u('04T09:30')}|c7|sales|NONE|ENTERQUEUE||13800000007|1",  # 11
    f"{u('04T09:30:02')}|c7|sales|SIP/501|CONNECT|2|c7-b|1",  # 12
    f"{u('04T09:31:02')}|c7|sales|SIP/501|COMPLETECALLER|2|60|1",  # 13 talk 60
    f"{u('04T09:31:02')}|NONE|sales|SIP/501|WRAPUPSTART|",  # 14 no seconds: c7's ACW unknown
    f"{u('04T10:00')}|NONE|sales|SIP/501|REMOVEMEMBER|",  # 15
    f"{u('04T10:00')}|NONE|sales|SIP/501|WRAPUPSTART|x",  # 16 rejected
]


def test_wrapupstart_seconds_are_the_after_call_work_of_the_call_before(tmp_path: Path) -> None:
    result = parse("queue_log", write(tmp_path, WRAP))
    assert (result.read, result.accepted, result.rejected) == (16, 15, 1)
    assert result.rejects.column("reason").to_pylist() == [
        "line 16: field data1 (wrap-up seconds) of WRAPUPSTART is 'x'; expected whole seconds"
    ]
    calls = {
        r["interaction_id"].split(":")[0]: (r["acw_s"], r["updated_at"])
        for r in result.tables["interactions"].to_pylist()
    }
    assert calls == {
        "c5": (30.0, ts("03-04T09:13:06")),
        "c6": (45.0, ts("03-04T09:22:04")),  # updated_at moves up to the wrap-up line
        "c7": (None, ts("03-04T09:31:02")),
    }
    wraps = [(r[4], r[5]) for r in states(result) if r[1] == "wrapup"]
    assert wraps == [
        (ts("03-04T09:13:06"), ts("03-04T09:13:36")),  # data1 seconds
        (ts("03-04T09:14"), ts("03-04T09:14:20")),
        (ts("03-04T09:22:04"), ts("03-04T09:22:49")),
        (ts("03-04T09:31:02"), ts("03-04T10:00")),  # no seconds: until the agent's next line
    ]
    got = kpis(result, "2026-03-04")
    assert got[("2026-03-04", "SIP/501", "acw_time")] == (37.5, 75.0, 2.0, 2)  # (30 + 45) / 2
    # AHT = (180 + 30 + 120 + 45 + 60) / 3 = 435 / 3
    assert got[("2026-03-04", "SIP/501", "aht")] == (145.0, 435.0, 3.0, 3)
    assert got[("2026-03-04", "SIP/501", "occupancy")] == (435 / 3600, 435.0, 3600.0, 3)


def test_database_export_takes_the_same_horizon(tmp_path: Path) -> None:
    # OPEN as a realtime-table export in Shanghai time (UTC+8), horizon 1 April 07:59:59 there.
    csv = tmp_path / "queue_log.csv"
    csv.write_text(
        "time,callid,queuename,agent,event,data1,data2,data3,data4,data5\n"
        "2026-03-30 16:00:00,NONE,sales,SIP/401,ADDMEMBER,,,,,\n"
        "2026-03-31 00:00:00,NONE,sales,SIP/401,PAUSE,break,,,,\n"
        "2026-03-31 02:00:00,NONE,NONE,NONE,QUEUESTART,,,,,\n",
        "utf-8",
    )
    db = parse("queue_log_db", csv, tz="Asia/Shanghai", horizon="2026-04-01T07:59:59")
    flat = parse("queue_log", write(tmp_path, OPEN), horizon="2026-03-31T23:59:59")
    assert states(db) == states(flat)
