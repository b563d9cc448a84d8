"""An agent's own answer rate: answered ÷ presented, where presented = inbound calls the agent
answered + rings the agent left unanswered (ring_no_answer, by rang_at) + outbound calls dialed.
Queues and the center keep answered ÷ offered. Period: 2026-03-10 (UTC day). Times are UTC.

X1: c1, c2 inbound answered (Q1, waits 10 s and 30 s); c3 outbound connected, c4 outbound not
    connected; rings n1, n2 (March 10) unanswered; n3 rang at exactly the period end (next day).
    → (2 + 1) ÷ (2 + 2 + 2) = 0.5, sample 6
X2: only a ring n4 (c5 rang at X2, then the caller abandoned) → 0 ÷ 1, sample 1
Q1 offered: c1, c2 answered, c5 abandoned after 40 s → 2 ÷ 3 whatever rang at whom.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
import pytest

from callgrade.engine.kpis import KpiOptions, compute_kpis, kpi_records, open_tables
from callgrade.engine.periods import parse_period
from callgrade.engine.schemas import TABLES, conform
from callgrade.engine.warehouse import Warehouse

(DAY,) = parse_period("2026-03-10", tz="UTC")


def ts(s: str) -> dt.datetime:
    return dt.datetime.fromisoformat("2026-" + s).replace(tzinfo=dt.UTC)


def lineage(name: str, n: int) -> dict[str, list[str]]:
    return {"source": [f"test:{name}"] * n, "source_ref": [f"{name}:{i + 1}" for i in range(n)]}


def arrow() -> dict[str, pa.Table]:
    ix = [  # id, direction, queue, agent, offered_at, outcome, wait
        ("c1", "inbound", "Q1", "X1", "03-10T09:00", "answered", 10.0),
        ("c2", "inbound", "Q1", "X1", "03-10T10:00", "answered", 30.0),
        ("c3", "outbound", None, "X1", "03-10T11:00", "answered", None),
        ("c4", "outbound", None, "X1", "03-10T12:00", "no_answer", None),
        ("c5", "inbound", "Q1", None, "03-10T13:00", "abandoned", 40.0),
    ]
    c = list(zip(*ix, strict=True))
    interactions = pa.table(
        {
            "interaction_id": c[0],
            "direction": c[1],
            "channel": ["voice"] * 5,
            "queue": c[2],
            "agent_id": c[3],
            "offered_at": [ts(x) for x in c[4]],
            "outcome": c[5],
            "answered": [x == "answered" for x in c[5]],
            "queue_wait_s": c[6],
            "talk_s": [60.0, 60.0, 60.0, None, None],
            "transferred": [False] * 5,
            **lineage("interactions", 5),
        }
    )
    rings = [  # id, agent, queue, call, rang_at
        ("n1", "X1", "Q1", "c1", "03-10T08:59:40"),
        ("n2", "X1", "Q1", None, "03-10T14:00"),
        ("n3", "X1", "Q1", None, "03-11T00:00"),
        ("n4", "X2", "Q1", "c5", "03-10T13:00:20"),
    ]
    r = list(zip(*rings, strict=True))
    rna = pa.table(
        {
            "attempt_id": r[0],
            "agent_id": r[1],
            "queue": r[2],
            "interaction_id": r[3],
            "rang_at": [ts(x) for x in r[4]],
            "ring_s": [15.0] * 4,
            **lineage("ring_no_answer", 4),
        }
    )
    roster = pa.table({"employee_id": ["X1", "X2"], "team": ["TX", "TX"], **lineage("roster", 2)})
    return {
        "interactions": conform("interactions", interactions),
        "ring_no_answer": conform("ring_no_answer", rna),
        "roster": conform("roster", roster),
    }


def tables() -> dict[str, ibis.Table]:
    return {k: ibis.memtable(v) for k, v in arrow().items()}


def values(by: str, kpis=("answer_rate",), options=KpiOptions(), source=None):  # noqa: B008
    out = compute_kpis(source or tables(), periods=[DAY], by=by, kpis=list(kpis), options=options)
    return {
        (r["entity_id"], r["kpi"]): (r["value"], r["numerator"], r["denominator"], r["sample_size"])
        for r in out.to_pylist()
    }


def test_agent_answer_rate_counts_rings_and_dialed_calls():
    got = values("agent")
    assert got[("X1", "answer_rate")] == (0.5, 3.0, 6.0, 6)
    assert got[("X2", "answer_rate")] == (0.0, 0.0, 1.0, 1)  # appears through its ring alone


def test_team_adds_what_its_agents_were_presented():
    assert values("team")[("TX", "answer_rate")] == (3 / 7, 3.0, 7.0, 7)


def test_queue_and_center_keep_answered_over_offered():
    assert values("queue")[("Q1", "answer_rate")] == (2 / 3, 2.0, 3.0, 3)
    # c1–c5: c1, c2, c3 answered/connected; rings are not offered contacts
    assert values("center")[("all", "answer_rate")] == (0.6, 3.0, 5.0, 5)


@pytest.mark.parametrize("variant", ["exclude_closed", "wazo"])
def test_offered_variants_do_not_change_the_agent_rate(variant):
    got = values("agent", options=KpiOptions(answer_rate_variant=variant))
    assert got[("X1", "answer_rate")] == (0.5, 3.0, 6.0, 6)


def test_without_the_ring_table_only_calls_count():
    only = {"interactions": tables()["interactions"]}
    assert values("agent", source=only)[("X1", "answer_rate")] == (0.75, 3.0, 4.0, 4)


def test_abandon_rate_has_no_agent_or_team_value():
    assert values("agent", kpis=["abandon_rate"]) == {}
    assert values("team", kpis=["abandon_rate"]) == {}
    # c5 waited 40 s (≥ 5 s): 1 of 3 inbound
    assert values("queue", kpis=["abandon_rate"])[("Q1", "abandon_rate")] == (1 / 3, 1.0, 3.0, 3)


def test_service_level_and_asa_per_agent_cover_the_calls_it_answered():
    for variant in ("answered", "sl2", "offered"):
        got = values(
            "agent",
            kpis=["service_level", "asa"],
            options=KpiOptions(service_level_variant=variant),
        )
        assert got[("X1", "service_level")] == (0.5, 1.0, 2.0, 2), variant  # 10 s within 20 s
        assert got[("X1", "asa")] == (20.0, 40.0, 2.0, 2)


def test_drill_down_returns_the_rows_counted():
    t = kpi_records(tables(), kpi="answer_rate", entity_type="agent", entity_id="X1", period=DAY)
    rows = [
        (r["source_table"], r["record_id"], r["source_ref"], r["numerator"], r["denominator"])
        for r in t.to_pyarrow().to_pylist()
    ]
    assert rows == [
        ("interactions", "c1", "interactions:1", 1.0, 1.0),
        ("interactions", "c2", "interactions:2", 1.0, 1.0),
        ("interactions", "c3", "interactions:3", 1.0, 1.0),
        ("interactions", "c4", "interactions:4", 0.0, 1.0),
        ("ring_no_answer", "n1", "ring_no_answer:1", 0.0, 1.0),
        ("ring_no_answer", "n2", "ring_no_answer:2", 0.0, 1.0),
    ]


def test_open_tables_gives_an_empty_ring_table_when_none_was_ingested(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit({"interactions": arrow()["interactions"]})
    opened = open_tables(ibis.duckdb.connect(), wh)
    assert opened["ring_no_answer"].schema() == ibis.Schema.from_pyarrow(
        TABLES["ring_no_answer"].schema
    )
    assert opened["ring_no_answer"].count().to_pyarrow().as_py() == 0
    assert values("agent", source=opened)[("X1", "answer_rate")] == (0.75, 3.0, 4.0, 4)


def test_open_tables_reads_ingested_rings(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit(arrow())
    opened = open_tables(ibis.duckdb.connect(), wh)
    assert opened["ring_no_answer"].count().to_pyarrow().as_py() == 4
    assert values("agent", source=opened) == values("agent")
