"""The small hand-made dataset the KPI tests share (worked values are in test_kpis.py).

Period under test: March 2026 in Asia/Shanghai (UTC+8) = [2026-02-28T16:00Z, 2026-03-31T16:00Z).
Roster: A1, A2 in team T1; A3 in T2; A9 is not on the roster. All times below are UTC.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from callgrade.engine.schemas import conform

TZ = "Asia/Shanghai"


def ts(s: str | None) -> dt.datetime | None:
    return None if s is None else dt.datetime.fromisoformat(s).replace(tzinfo=dt.UTC)


def _table(name: str, cols: list[str], rows: list[tuple], **extra: list) -> pa.Table:
    data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    data.update(extra)
    n = len(rows)
    data["source"] = [f"test:{name}"] * n
    data["source_ref"] = [f"{name}:{i + 1}" for i in range(n)]
    return conform(name, pa.table(data))


def interactions() -> pa.Table:
    cols = [
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
    ]
    IN, OUT = "inbound", "outbound"  # times: 2026-MM-DDTHH:MM UTC
    rows = [
        ("i01", IN, "Q1", "A1", "C1", "03-02T01:00", "answered", 10.0, 100.0, 20.0, 30.0, False),
        ("i02", IN, "Q1", "A1", "C2", "03-03T01:00", "answered", 30.0, 200.0, None, 40.0, True),
        ("i03", IN, "Q1", "A1", "C1", "03-05T01:00", "answered", 5.0, 50.0, 0.0, 10.0, False),
        ("i04", IN, "Q1", None, "C3", "03-04T01:00", "abandoned", 3.0, None, None, None, False),
        ("i05", IN, "Q1", None, "C4", "03-04T02:00", "abandoned", 40.0, None, None, None, False),
        ("i06", IN, "Q2", "A2", "C1", "03-20T01:00", "answered", 25.0, 300.0, 60.0, 60.0, False),
        ("i07", IN, "Q2", "A2", "C5", "03-30T01:00", "answered", 15.0, 120.0, None, None, False),
        ("i08", OUT, None, "A3", "C6", "03-10T01:00", "answered", None, 60.0, None, 20.0, False),
        ("i09", OUT, None, "A3", "C7", "03-11T01:00", "no_answer", None, None, None, None, False),
        ("i10", IN, "Q2", "A2", "C5", "04-02T01:00", "answered", 5.0, 10.0, None, None, False),
        ("i11", IN, "Q2", None, "C8", "03-12T01:00", "closed", None, None, None, None, False),
        ("i12", IN, "Q1", "A9", None, "03-15T01:00", "answered", 20.0, 80.0, 10.0, 10.0, False),
        ("i13", IN, "Q1", "A1", "C2", "02-28T15:00", "answered", 1.0, 10.0, None, None, False),
        ("i14", IN, "Q2", None, "C9", "03-25T01:00", "abandoned", 60.0, None, None, None, False),
    ]  # fmt: skip
    rows = [(*r[:5], ts("2026-" + r[5]), *r[6:]) for r in rows]
    return _table(
        "interactions",
        cols,
        rows,
        channel=["voice"] * len(rows),
        answered=[r[6] == "answered" for r in rows],
    )


def agent_states() -> pa.Table:
    cols = ["state_id", "agent_id", "state", "reason", "start", "end", "open_ended", "queue"]
    rows = [  # queue None = all queues; s7–s9 overlap s5 (per-queue rows next to all-queue rows)
        ("s1", "A1", "logged_in", None, "02-28T14:00", "02-28T18:00", False, None),
        ("s2", "A1", "paused", "lunch", "02-28T17:00", "02-28T17:30", False, None),
        ("s3", "A1", "logged_in", None, "03-10T00:00", "03-10T08:00", False, None),
        ("s4", "A1", "paused", "training", "03-10T03:00", "03-10T03:15", False, None),
        ("s5", "A2", "logged_in", None, "03-31T12:00", "03-31T20:00", True, None),
        ("s6", "A2", "logged_in", None, "04-05T00:00", "04-05T01:00", False, None),
        ("s7", "A2", "logged_in", None, "03-31T13:00", "03-31T15:00", False, "Q2"),
        ("s8", "A2", "paused", "lunch", "03-31T14:00", "03-31T14:30", False, None),
        ("s9", "A2", "paused", "lunch", "03-31T14:00", "03-31T14:30", False, "Q2"),
    ]  # fmt: skip
    rows = [(*r[:4], ts("2026-" + r[4]), ts("2026-" + r[5]), *r[6:]) for r in rows]
    return _table("agent_states", cols, rows)


def ring_no_answer() -> pa.Table:
    cols = ["attempt_id", "agent_id", "queue", "interaction_id", "rang_at", "ring_s"]
    rows = [  # r1: i05 rang at A1 before the caller gave up; r3 is in April
        ("r1", "A1", "Q1", "i05", ts("2026-03-04T02:00:20"), 15.0),
        ("r2", "A2", "Q2", "i14", ts("2026-03-25T01:00:30"), 20.0),
        ("r3", "A1", "Q1", None, ts("2026-04-01T00:30"), 15.0),
    ]
    return _table("ring_no_answer", cols, rows)


def surveys() -> pa.Table:
    cols = ["survey_id", "agent_id", "responded_at", "csat", "nps", "resolved"]
    rows = [
        ("v1", "A1", ts("2026-03-03T02:00"), 5.0, 10.0, True),
        ("v2", "A1", ts("2026-03-04T02:00"), 4.0, 8.0, False),
        ("v3", "A1", ts("2026-03-06T02:00"), 2.0, 3.0, None),
        ("v4", "A2", ts("2026-03-21T02:00"), None, 9.0, True),
        ("v5", "A2", ts("2026-03-22T02:00"), 3.0, None, True),
        ("v6", "A1", ts("2026-04-01T00:00"), 1.0, 0.0, False),
    ]
    return _table("surveys", cols, rows)


def qa_evaluations() -> pa.Table:
    cols = ["evaluation_id", "agent_id", "evaluated_at", "score", "critical_fail"]
    rows = [
        ("q1", "A1", ts("2026-03-05T03:00"), 90.0, False),
        ("q2", "A1", ts("2026-03-06T03:00"), 70.0, True),
        ("q3", "A2", ts("2026-03-07T03:00"), 85.0, False),
    ]
    return _table("qa_evaluations", cols, rows)


def sales() -> pa.Table:
    cols = ["sale_id", "agent_id", "sold_at", "amount", "valid"]
    rows = [
        ("sa1", "A3", ts("2026-03-10T02:00"), 100.0, True),
        ("sa2", "A3", ts("2026-03-11T02:00"), 50.0, False),
        ("sa3", "A1", ts("2026-03-12T02:00"), 200.0, True),
    ]
    return _table("sales", cols, rows)


def attendance() -> pa.Table:
    cols = ["record_id", "agent_id", "day", "kind", "minutes", "scheduled_s", "adherent_s"]
    rows = [  # day = local midnight (UTC+8) stored in UTC
        ("at1", "A1", ts("2026-03-01T16:00"), "present", None, 28800.0, 27000.0),
        ("at2", "A1", ts("2026-03-02T16:00"), "late", 10.0, 28800.0, 25000.0),
        ("at3", "A1", ts("2026-03-03T16:00"), "leave", 480.0, None, None),
        ("at4", "A2", ts("2026-03-01T16:00"), "early_leave", 30.0, 28800.0, 28800.0),
        ("at5", "A2", ts("2026-03-02T16:00"), "leave", 480.0, None, None),
    ]
    return _table("attendance", cols, rows)


def complaints() -> pa.Table:
    cols = ["complaint_id", "agent_id", "received_at", "valid", "severity"]
    rows = [
        ("c1", "A1", ts("2026-03-08T02:00"), True, "minor"),
        ("c2", "A1", ts("2026-03-09T02:00"), True, "major"),
        ("c3", "A1", ts("2026-03-09T03:00"), False, "major"),
        ("c4", "A2", ts("2026-03-25T02:00"), True, "minor"),
    ]
    return _table("complaints", cols, rows)


def roster() -> pa.Table:
    cols = ["employee_id", "team"]
    return _table("roster", cols, [("A1", "T1"), ("A2", "T1"), ("A3", "T2")])


def arrow_tables() -> dict[str, pa.Table]:
    from callgrade.engine.schemas import empty

    return {
        "interactions": interactions(),
        "agent_states": agent_states(),
        "ring_no_answer": ring_no_answer(),
        "surveys": surveys(),
        "qa_evaluations": qa_evaluations(),
        "sales": sales(),
        "attendance": attendance(),
        "complaints": complaints(),
        "roster": roster(),
        "competency_assessments": empty("competency_assessments"),
    }


def memtables() -> dict[str, ir.Table]:
    return {k: ibis.memtable(v) for k, v in arrow_tables().items()}
