"""Pulling Asterisk's realtime queue_log table from the PostgreSQL on this machine: incremental
pulls end where one pull of everything ends, and a pull killed at random moments resumes
without losing or repeating a row."""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from callgrade.engine.connectors.base import ConnectorError
from callgrade.engine.pull import PullSource, pull, redact
from callgrade.engine.warehouse import Warehouse

psycopg = pytest.importorskip("psycopg")
SERVER = os.environ.get("CALLGRADE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/root")
START = 1769900000  # 2026-01-31 23:33 UTC: the calls run across a month's end


def _connect() -> Any:
    try:
        return psycopg.connect(SERVER, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip(f"no PostgreSQL at {SERVER}")


@pytest.fixture
def schema() -> Iterator[str]:
    """A schema of its own holding an empty queue_log table as Asterisk's realtime creates it."""
    name = f"cg_pull_{uuid.uuid4().hex[:8]}"
    with _connect() as conn:
        conn.execute(f"CREATE SCHEMA {name}")
        conn.execute(
            f"""CREATE TABLE {name}.queue_log (
                id SERIAL PRIMARY KEY, time TIMESTAMP WITHOUT TIME ZONE,
                callid VARCHAR(80), queuename VARCHAR(256), agent VARCHAR(80),
                event VARCHAR(32), data1 VARCHAR(100), data2 VARCHAR(100),
                data3 VARCHAR(100), data4 VARCHAR(100), data5 VARCHAR(100))"""
        )
    yield name
    with _connect() as conn:
        conn.execute(f"DROP SCHEMA {name} CASCADE")


def events(calls: int, seed: int = 7) -> list[tuple[Any, ...]]:
    """Logins, a pause and calls: (unix time, callid, queue, agent, event, data1..3)."""
    rng = random.Random(seed)
    rows: list[tuple[Any, ...]] = []
    t = START
    for a in range(1, 5):
        rows.append((t, "NONE", "support", f"Agent/{a}", "AGENTLOGIN", "", "", ""))
    rows.append((t + 30, "NONE", "NONE", "Agent/2", "PAUSEALL", "lunch", "", ""))
    for i in range(calls):
        t += rng.randint(5, 40)
        cid, wait, talk = f"c{i}", rng.randint(1, 30), rng.randint(20, 400)
        agent = f"Agent/{rng.choice([1, 3, 4])}"
        rows.append((t, cid, "support", "NONE", "ENTERQUEUE", "", f"1380{i:05d}", "1"))
        rows.append((t + wait, cid, "support", agent, "CONNECT", str(wait), f"{cid}-b", "2"))
        rows.append((t + wait + talk, cid, "support", agent, "COMPLETECALLER", str(wait),
                     str(talk), "1"))  # fmt: skip
    rows.append((t + 500, "NONE", "NONE", "Agent/2", "UNPAUSEALL", "", "", ""))
    for a in range(1, 5):
        rows.append((t + 600, "NONE", "support", f"Agent/{a}", "AGENTLOGOFF", "", "", ""))
    return sorted(rows, key=lambda r: r[0])  # Asterisk writes lines in time order


def insert(schema: str, rows: list[tuple[Any, ...]]) -> None:
    with _connect() as conn, conn.cursor() as cur:
        cur.executemany(
            f"INSERT INTO {schema}.queue_log (time, callid, queuename, agent, event, data1,"
            " data2, data3) VALUES (to_timestamp(%s) AT TIME ZONE 'UTC', %s, %s, %s, %s, %s,"
            " %s, %s)",
            rows,
        )


def tables(data: Path) -> dict[str, pa.Table]:
    wh = Warehouse(data)
    out = {}
    for name in ("interactions", "agent_states"):
        t = wh.read(name)
        key = t.column_names[0]
        out[name] = t.sort_by(key)
    return out


def source(schema: str, **kw: Any) -> PullSource:
    return PullSource(name="asterisk", url=SERVER, table=f"{schema}.queue_log", **kw)


def test_incremental_pulls_end_as_one_pull_of_everything(schema: str, tmp_path: Path) -> None:
    rows = events(300)
    insert(schema, rows)
    once = pull(Warehouse(tmp_path / "once"), source(schema))
    assert once.fetched == len(rows) and once.months == ["2026-01", "2026-02"]
    assert once.ingest is not None and once.ingest.rejected == 0

    with _connect() as conn:
        conn.execute(f"TRUNCATE {schema}.queue_log RESTART IDENTITY")
    steps = tmp_path / "steps"
    cut = [0, 100, 101, 450, len(rows)]  # cuts inside calls and sessions
    fetched = 0
    for a, b in itertools.pairwise(cut):
        insert(schema, rows[a:b])
        fetched += pull(Warehouse(steps), source(schema, chunk=37)).fetched
    assert fetched == len(rows)
    again = pull(Warehouse(steps), source(schema))
    assert (again.fetched, again.months, again.batch) == (0, [], "")
    assert tables(steps) == tables(tmp_path / "once")
    # the open pause became a closed one, keyed as the one pull keys it
    states = tables(steps)["agent_states"]
    assert not any(states.column("open_ended").to_pylist())


def test_by_time_reads_all_but_the_newest_second(schema: str, tmp_path: Path) -> None:
    rows = events(50)
    insert(schema, rows)
    report = pull(Warehouse(tmp_path), source(schema, by="time"))
    newest = max(r[0] for r in rows)
    assert report.fetched == len(rows) - sum(r[0] == newest for r in rows)
    insert(schema, [(newest + 5, "NONE", "support", "Agent/9", "AGENTLOGIN", "", "", "")])
    assert pull(Warehouse(tmp_path), source(schema, by="time")).fetched == sum(
        r[0] == newest for r in rows
    )


def test_a_pull_killed_at_random_moments_resumes_without_loss_or_repeats(
    schema: str, tmp_path: Path
) -> None:
    rows = events(3000, seed=11)
    insert(schema, rows)
    clean = tmp_path / "clean"
    pull(Warehouse(clean), source(schema))
    data = tmp_path / "killed"
    args = [sys.executable, "-m", "callgrade.cli", "pull", "queue_log", "--url", SERVER,
            "--name", "asterisk", "--table", f"{schema}.queue_log", "--chunk", "300",
            "--data-dir", str(data)]  # fmt: skip
    started = time.monotonic()
    subprocess.run([*args[:-1], str(tmp_path / "timing")], check=True, capture_output=True)
    took = time.monotonic() - started
    rng = random.Random(3)
    kills = 0
    for _ in range(5):
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.3, 0.9) * took)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=60)
    assert kills, "no pull was killed at work"
    done = subprocess.run(args, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert tables(data) == tables(clean)
    kept = sum(
        pq.read_metadata(p).num_rows
        for p in (data / "pull" / "asterisk" / "raw").rglob("chunk-*.parquet")
    )
    assert kept == len(rows)  # every row kept once


def test_bad_sources_are_refused_with_a_sentence(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path)
    with pytest.raises(ConnectorError, match="MySQL/MariaDB is not supported"):
        pull(wh, PullSource(name="a", url="mysql://u:p@h/asterisk"))
    with pytest.raises(ConnectorError, match="table 'x;drop'"):
        pull(wh, PullSource(name="a", url=SERVER, table="x;drop"))
    with pytest.raises(ConnectorError, match="cannot read table nowhere_at_all"):
        pull(wh, PullSource(name="a", url=SERVER, table="nowhere_at_all"))
    assert redact("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
