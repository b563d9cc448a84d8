"""Snapshot reads: a reader computing KPIs while ingests commit sees one whole committed
generation, never a missing file nor a mix of two generations; replaced and orphaned files are
collected only once no reader can still need them."""

from __future__ import annotations

import datetime as dt
import threading
import time

import ibis
import pyarrow as pa

from callgrade.engine.kpis import compute_kpis, open_tables
from callgrade.engine.periods import parse_period
from callgrade.engine.warehouse import Warehouse

UTC = dt.UTC
CALLS, STATES = 3, 2  # rows each generation adds, spread over two months
PERIODS = parse_period("2026-Q1", tz="UTC")


def generation(g: int) -> dict[str, pa.Table]:
    """Generation ``g``'s rows: every table gains rows in January and in February, so a commit
    replaces a partition file of each month of each table."""
    days = [dt.datetime(2026, 1 + j % 2, 10, 9, tzinfo=UTC) for j in range(CALLS)]
    interactions = pa.table(
        {
            "interaction_id": [f"i{g}-{j}" for j in range(CALLS)],
            "channel": ["voice"] * CALLS,
            "direction": ["inbound"] * CALLS,
            "queue": ["sales"] * CALLS,
            "agent_id": ["A1"] * CALLS,
            "offered_at": days,
            "answered_at": days,
            "ended_at": [d + dt.timedelta(minutes=2) for d in days],
            "talk_s": [120.0] * CALLS,
            "outcome": ["answered"] * CALLS,
            "answered": [True] * CALLS,
            "transferred": [False] * CALLS,
            "source": ["test"] * CALLS,
            "source_ref": [f"g{g}:{j}" for j in range(CALLS)],
        }
    )
    starts = [
        dt.datetime(2026, 1 + j % 2, 11, tzinfo=UTC) + dt.timedelta(hours=g) for j in range(STATES)
    ]
    states = pa.table(
        {
            "state_id": [f"s{g}-{j}" for j in range(STATES)],
            "agent_id": ["A1"] * STATES,
            "state": ["logged_in"] * STATES,
            "start": starts,
            "end": [s + dt.timedelta(minutes=30) for s in starts],
            "open_ended": [False] * STATES,
            "source": ["test"] * STATES,
            "source_ref": [f"g{g}:s{j}" for j in range(STATES)],
        }
    )
    return {"interactions": interactions, "agent_states": states}


def read_generation(wh: Warehouse) -> tuple[int, int, float, float]:
    """What one reader sees: both tables' row counts and the KPIs computed over them."""
    tables = open_tables(ibis.duckdb.connect(), wh)
    calls = tables["interactions"].count().to_pyarrow().as_py()
    states = tables["agent_states"].count().to_pyarrow().as_py()
    kpis = compute_kpis(tables, periods=PERIODS, by="center", kpis=["answer_rate", "login_time"])
    by_kpi = {r["kpi"]: r for r in kpis.to_pylist()}
    return calls, states, by_kpi["answer_rate"]["denominator"], by_kpi["login_time"]["value"]


def test_readers_see_whole_generations_while_ingests_commit(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit(generation(1))
    last = 10
    done = threading.Event()
    errors: list[BaseException] = []

    def ingest() -> None:
        try:
            for g in range(2, last + 1):
                wh.commit(generation(g))
        except BaseException as exc:
            errors.append(exc)
        finally:
            done.set()

    seen: list[tuple[int, int, float, float]] = []

    def read() -> None:
        try:
            while not done.is_set():
                seen.append(read_generation(wh))
        except BaseException as exc:
            errors.append(exc)
            done.set()

    started = time.monotonic()
    threads = [threading.Thread(target=ingest), threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors[0]
    assert len(seen) >= 5, f"only {len(seen)} reads in {time.monotonic() - started:.1f}s"
    for calls, states, offered, login in seen:
        g = calls // CALLS
        # every count and KPI of one read is that of the same committed generation
        assert (calls, states, offered, login) == (
            CALLS * g,
            STATES * g,
            CALLS * g,
            1800.0 * STATES * g,
        )
    assert read_generation(wh)[:2] == (CALLS * last, STATES * last)
