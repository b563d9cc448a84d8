"""queue_log → agent_states, checked interval by interval (times worked out by hand)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from callgrade.engine.connectors import parse
from callgrade.engine.schemas import conform

UTC = dt.UTC


def u(iso: str) -> str:
    """Unix seconds of a UTC time, as queue_log writes them."""
    return str(int(dt.datetime.fromisoformat(iso).replace(tzinfo=UTC).timestamp()))


def ts(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso).replace(tzinfo=UTC)


STATES = "\n".join(
    [
        f"{u('2026-01-31T20:00')}|NONE|NONE|Agent/1001|AGENTLOGIN|SIP/1001",  # 1
        f"{u('2026-01-31T21:00')}|NONE|sales|Agent/1001|PAUSE|lunch",  # 2
        f"{u('2026-01-31T21:10')}|NONE|sales|Agent/1001|PAUSE|lunch",  # 3 repeat: no new interval
        f"{u('2026-01-31T21:20')}|NONE|sales|Agent/1001|PAUSE|meeting",  # 4 new reason
        f"{u('2026-01-31T21:30')}|NONE|sales|Agent/1001|UNPAUSE|",  # 5
        f"{u('2026-01-31T22:00')}|NONE|NONE|Agent/1001|PAUSEALL|break",  # 6
        f"{u('2026-01-31T22:15')}|NONE|NONE|Agent/1001|UNPAUSEALL|",  # 7
        f"{u('2026-01-31T23:00')}|NONE|sales|Agent/1001|WRAPUPSTART|",  # 8
        f"{u('2026-01-31T23:00')}|NONE|NONE|Agent/5005|AGENTCALLBACKLOGIN|8005@default",  # 9
        f"{u('2026-01-31T23:00:45')}|w1|sales|Agent/1001|RINGNOANSWER|3000",  # 10 ends wrap-up
        f"{u('2026-02-01T04:00')}|NONE|NONE|Agent/1001|AGENTLOGOFF|SIP/1001|28800",  # 11
        f"{u('2026-02-01T08:00')}|NONE|support|SIP/2002|ADDMEMBER|PAUSED",  # 12
        f"{u('2026-02-01T08:05')}|NONE|support|SIP/2002|UNPAUSE|",  # 13
        f"{u('2026-02-01T09:00')}|NONE|support|SIP/2002|REMOVEMEMBER|",  # 14
        f"{u('2026-02-01T09:30')}|NONE|NONE|Agent/4004|AGENTLOGOFF|SIP/4004|100",  # 15 in since 1
        f"{u('2026-02-01T10:00')}|NONE|sales|SIP/3003|ADDMEMBER|",  # 16 never removed
        f"{u('2026-02-01T11:00')}|NONE|sales|SIP/3003|PAUSE|tea",  # 17 never unpaused
        f"{u('2026-02-01T12:00')}|NONE|NONE|NONE|QUEUESTART|",  # 18 last line = end of data
        "",
    ]
)

# agent, state, reason, queue, start, end, open_ended, opening line
EXPECTED = [
    ("Agent/1001", "logged_in", None, None, "2026-01-31T20:00", "2026-02-01T00:00", False, 1),
    ("Agent/1001", "logged_in", None, None, "2026-02-01T00:00", "2026-02-01T04:00", False, 1),
    ("Agent/1001", "paused", "lunch", "sales", "2026-01-31T21:00", "2026-01-31T21:20", False, 2),
    ("Agent/1001", "paused", "meeting", "sales", "2026-01-31T21:20", "2026-01-31T21:30", False, 4),
    ("Agent/1001", "paused", "break", None, "2026-01-31T22:00", "2026-01-31T22:15", False, 6),
    ("Agent/1001", "wrapup", None, "sales", "2026-01-31T23:00", "2026-01-31T23:00:45", False, 8),
    # Agent/4004's first line is a logoff: logged in since the start of the data (line 1's time)
    ("Agent/4004", "logged_in", None, None, "2026-01-31T20:00", "2026-02-01T00:00", False, 15),
    ("Agent/4004", "logged_in", None, None, "2026-02-01T00:00", "2026-02-01T09:30", False, 15),
    ("Agent/5005", "logged_in", None, None, "2026-01-31T23:00", "2026-02-01T00:00", False, 9),
    ("Agent/5005", "logged_in", None, None, "2026-02-01T00:00", "2026-02-01T12:00", True, 9),
    ("SIP/2002", "logged_in", None, "support", "2026-02-01T08:00", "2026-02-01T09:00", False, 12),
    ("SIP/2002", "paused", None, "support", "2026-02-01T08:00", "2026-02-01T08:05", False, 12),
    ("SIP/3003", "logged_in", None, "sales", "2026-02-01T10:00", "2026-02-01T12:00", True, 16),
    ("SIP/3003", "paused", "tea", "sales", "2026-02-01T11:00", "2026-02-01T12:00", True, 17),
]


def rows(result: Any) -> list[tuple[Any, ...]]:
    table = result.tables["agent_states"]
    assert conform("agent_states", table).equals(table)
    return sorted(
        (
            r["agent_id"],
            r["state"],
            r["reason"],
            r["queue"],
            r["start"],
            r["end"],
            r["open_ended"],
            int(r["source_ref"].rsplit(":", 1)[1]),
        )
        for r in table.to_pylist()
    )


def expected(changes: dict[int, tuple[str, bool]] | None = None) -> list[tuple[Any, ...]]:
    out = []
    for i, (agent, state, reason, queue, start, end, open_ended, line) in enumerate(EXPECTED):
        if changes and i in changes:
            end, open_ended = changes[i]
        out.append((agent, state, reason, queue, ts(start), ts(end), open_ended, line))
    return sorted(out)


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "queue_log"
    path.write_text(STATES, "utf-8")
    return path


def test_intervals(log: Path) -> None:
    result = parse("queue_log", log)
    assert (result.read, result.accepted, result.rejected) == (18, 18, 0)
    assert rows(result) == expected()


def test_state_ids_are_stable_and_month_pieces_have_their_own(log: Path) -> None:
    table = parse("queue_log", log).tables["agent_states"]
    ids = table.column("state_id").to_pylist()
    assert len(set(ids)) == len(ids) == 14
    assert "Agent/1001:logged_in:*:2026-01-31T20:00:00.000000Z" in ids
    assert "Agent/1001:logged_in:*:2026-02-01T00:00:00.000000Z" in ids
    assert "SIP/3003:paused:sales:2026-02-01T11:00:00.000000Z" in ids
    assert parse("queue_log", log).tables["agent_states"].equals(table)


def test_end_of_data_option_closes_open_intervals(log: Path) -> None:
    eod = dt.datetime(2026, 2, 1, 13, 0, tzinfo=UTC)
    result = parse("queue_log", log, end_of_data=eod)
    later = ("2026-02-01T13:00", True)
    assert rows(result) == expected({9: later, 12: later, 13: later})


def test_naive_end_of_data_is_in_tz_which_defaults_to_utc(log: Path) -> None:
    result = parse("queue_log", log, end_of_data=dt.datetime(2026, 2, 1, 13, 0))
    later = ("2026-02-01T13:00", True)
    assert rows(result) == expected({9: later, 12: later, 13: later})


def test_open_session_crossing_two_month_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "q"
    path.write_text(f"{u('2026-01-31T23:00')}|NONE|sales|SIP/7|ADDMEMBER|\n", "utf-8")
    eod = dt.datetime(2026, 3, 1, 0, 30, tzinfo=UTC)
    got = [
        (r["start"], r["end"], r["open_ended"])
        for r in parse("queue_log", path, end_of_data=eod).tables["agent_states"].to_pylist()
    ]
    assert got == [
        (ts("2026-01-31T23:00"), ts("2026-02-01T00:00"), False),
        (ts("2026-02-01T00:00"), ts("2026-03-01T00:00"), False),
        (ts("2026-03-01T00:00"), ts("2026-03-01T00:30"), True),
    ]


def test_logoff_then_login_again_gives_two_sessions(tmp_path: Path) -> None:
    path = tmp_path / "q"
    path.write_text(
        f"{u('2026-01-05T08:00')}|NONE|q1|SIP/8|ADDMEMBER|\n"
        f"{u('2026-01-05T08:30')}|NONE|q1|SIP/8|ADDMEMBER|\n"  # already in: no second session
        f"{u('2026-01-05T09:00')}|NONE|q1|SIP/8|REMOVEMEMBER|\n"
        f"{u('2026-01-05T09:00')}|NONE|q1|SIP/8|REMOVEMEMBER|\n"
        f"{u('2026-01-05T10:00')}|NONE|q1|SIP/8|ADDMEMBER|\n"
        f"{u('2026-01-05T11:00')}|NONE|q1|SIP/8|REMOVEMEMBER|\n",
        "utf-8",
    )
    got = [
        (r["start"], r["end"]) for r in parse("queue_log", path).tables["agent_states"].to_pylist()
    ]
    assert got == [
        (ts("2026-01-05T08:00"), ts("2026-01-05T09:00")),
        (ts("2026-01-05T10:00"), ts("2026-01-05T11:00")),
    ]


def test_same_instant_changes_keep_one_interval_per_start(tmp_path: Path) -> None:
    path = tmp_path / "q"
    path.write_text(
        f"{u('2026-01-05T08:00')}|NONE|q1|SIP/8|PAUSE|a\n"
        f"{u('2026-01-05T08:00')}|NONE|q1|SIP/8|UNPAUSE|\n"  # [08:00, 08:00): dropped
        f"{u('2026-01-05T08:00')}|NONE|q1|SIP/8|PAUSE|b\n"
        f"{u('2026-01-05T08:10')}|NONE|q1|SIP/8|UNPAUSE|\n",
        "utf-8",
    )
    got = [
        (r["state_id"], r["reason"], r["end"])
        for r in parse("queue_log", path).tables["agent_states"].to_pylist()
    ]
    assert got == [("SIP/8:paused:q1:2026-01-05T08:00:00.000000Z", "b", ts("2026-01-05T08:10"))]
