"""Pulling Asterisk's realtime queue_log table from the PostgreSQL and the MariaDB on this
machine: incremental pulls end where one pull of everything ends, bad rows are rejected with
their reason, and a pull killed at random moments resumes without losing or repeating a row.

Each test gets a schema (PostgreSQL) or a database (MariaDB) of its own, so parallel workers do
not meet. Unreachable servers skip the tests here and fail them in CI (CI=true), where both run.
"""

from __future__ import annotations

import datetime as dt
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

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pymysql
import pytest

from callgrade.engine.connectors.base import ConnectorError
from callgrade.engine.pull import PullSource, pull, redact
from callgrade.engine.warehouse import Warehouse

PG = os.environ.get("CALLGRADE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/root")
MYSQL = os.environ.get("CALLGRADE_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")
START = 1769900000  # 2026-01-31 23:33 UTC: the calls run across a month's end


def _unreachable(what: str, exc: Exception) -> None:
    message = f"no {what}: {exc}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI runs these tests against it)")
    pytest.skip(message)


class Postgres:
    """A schema of its own holding queue_log as Asterisk's realtime creates it."""

    def __init__(self) -> None:
        self.space = f"cg_pull_{uuid.uuid4().hex[:8]}"
        self.url = PG
        self.table = f"{self.space}.queue_log"

    def connect(self) -> Any:
        try:
            return psycopg.connect(PG, autocommit=True, connect_timeout=3)
        except psycopg.OperationalError as exc:
            _unreachable(f"PostgreSQL at {PG}", exc)

    def create(self) -> None:
        with self.connect() as conn:
            conn.execute(f"CREATE SCHEMA {self.space}")
            conn.execute(
                f"""CREATE TABLE {self.table} (
                    id SERIAL PRIMARY KEY, time TIMESTAMP WITHOUT TIME ZONE,
                    callid VARCHAR(80), queuename VARCHAR(256), agent VARCHAR(80),
                    event VARCHAR(32), data1 VARCHAR(100), data2 VARCHAR(100),
                    data3 VARCHAR(100), data4 VARCHAR(100), data5 VARCHAR(100))"""
            )

    def drop(self) -> None:
        with self.connect() as conn:
            conn.execute(f"DROP SCHEMA {self.space} CASCADE")

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        with self.connect() as conn, conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {self.table} (time, callid, queuename, agent, event, data1, data2,"
                " data3) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [(_utc(r[0]), *r[1:]) for r in rows],
            )

    def truncate(self) -> None:
        with self.connect() as conn:
            conn.execute(f"TRUNCATE {self.table} RESTART IDENTITY")


class MariaDB:
    """A database of its own holding queue_log as Asterisk's contrib/ast-db-manage creates it
    on MySQL (BIGINT AUTO_INCREMENT id, DATETIME(6) time, VARCHAR columns)."""

    def __init__(self) -> None:
        self.space = f"cg_pull_{uuid.uuid4().hex[:8]}"
        self.url = MYSQL.rsplit("/", 1)[0] + f"/{self.space}"
        self.table = "queue_log"

    def connect(self, database: str | None = None) -> Any:
        from callgrade.engine.pull import _mysql_args

        args = _mysql_args(MYSQL) | {"connect_timeout": 3, "autocommit": True}
        if database:
            args["database"] = database
        try:
            return pymysql.connect(**args)
        except pymysql.OperationalError as exc:
            _unreachable(f"MariaDB at {MYSQL}", exc)

    def run(self, *statements: str, args: list[tuple[Any, ...]] | None = None) -> None:
        conn = self.connect(None if statements[0].startswith("CREATE DATABASE") else self.space)
        try:
            with conn.cursor() as cur:
                for statement in statements:
                    if args is None:
                        cur.execute(statement)
                    else:
                        cur.executemany(statement, args)
        finally:
            conn.close()

    def create(self) -> None:
        self.run(f"CREATE DATABASE {self.space} CHARACTER SET utf8mb4")
        self.run(
            """CREATE TABLE queue_log (
                id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, time DATETIME(6),
                callid VARCHAR(80), queuename VARCHAR(256), agent VARCHAR(80),
                event VARCHAR(32), data1 VARCHAR(100), data2 VARCHAR(100),
                data3 VARCHAR(100), data4 VARCHAR(100), data5 VARCHAR(100))"""
        )

    def drop(self) -> None:
        self.run(f"DROP DATABASE {self.space}")

    def insert(self, rows: list[tuple[Any, ...]]) -> None:
        self.run(
            "INSERT INTO queue_log (time, callid, queuename, agent, event, data1, data2, data3)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            args=[(_utc(r[0]), *r[1:]) for r in rows],
        )

    def truncate(self) -> None:
        self.run("TRUNCATE TABLE queue_log")  # restarts AUTO_INCREMENT too


Db = Postgres | MariaDB


def _utc(unix: int | None) -> dt.datetime | None:
    """The table's local time (UTC here) of a Unix second, as Asterisk stores it."""
    if unix is None:
        return None
    return dt.datetime.fromtimestamp(unix, dt.UTC).replace(tzinfo=None)


@pytest.fixture(params=["postgresql", "mariadb"])
def db(request: pytest.FixtureRequest) -> Iterator[Db]:
    made: Db = Postgres() if request.param == "postgresql" else MariaDB()
    made.create()
    yield made
    made.drop()


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


def tables(data: Path) -> dict[str, pa.Table]:
    wh = Warehouse(data)
    out = {}
    for name in ("interactions", "agent_states"):
        t = wh.read(name)
        key = t.column_names[0]
        out[name] = t.sort_by(key)
    return out


def source(db: Db, **kw: Any) -> PullSource:
    return PullSource(name="asterisk", url=db.url, table=db.table, **kw)


def test_incremental_pulls_end_as_one_pull_of_everything(db: Db, tmp_path: Path) -> None:
    rows = events(300)
    db.insert(rows)
    once = pull(Warehouse(tmp_path / "once"), source(db))
    assert once.fetched == len(rows) and once.months == ["2026-01", "2026-02"]
    assert once.ingest is not None and once.ingest.rejected == 0

    db.truncate()
    steps = tmp_path / "steps"
    cut = [0, 100, 101, 450, len(rows)]  # cuts inside calls and sessions
    fetched = 0
    for a, b in itertools.pairwise(cut):
        db.insert(rows[a:b])
        fetched += pull(Warehouse(steps), source(db, chunk=37)).fetched
    assert fetched == len(rows)
    again = pull(Warehouse(steps), source(db))
    assert (again.fetched, again.months, again.batch) == (0, [], "")
    assert tables(steps) == tables(tmp_path / "once")
    # the open pause became a closed one, keyed as the one pull keys it
    states = tables(steps)["agent_states"]
    assert not any(states.column("open_ended").to_pylist())


def test_by_time_reads_all_but_the_newest_second(db: Db, tmp_path: Path) -> None:
    rows = events(50)
    db.insert(rows)
    report = pull(Warehouse(tmp_path), source(db, by="time"))
    newest = max(r[0] for r in rows)
    assert report.fetched == len(rows) - sum(r[0] == newest for r in rows)
    db.insert([(newest + 5, "NONE", "support", "Agent/9", "AGENTLOGIN", "", "", "")])
    assert pull(Warehouse(tmp_path), source(db, by="time")).fetched == sum(
        r[0] == newest for r in rows
    )


def test_a_pull_killed_at_random_moments_resumes_without_loss_or_repeats(
    db: Db, tmp_path: Path
) -> None:
    rows = events(3000, seed=11)
    db.insert(rows)
    clean = tmp_path / "clean"
    pull(Warehouse(clean), source(db))
    data = tmp_path / "killed"
    args = [sys.executable, "-m", "callgrade.cli", "pull", "queue_log", "--url", db.url,
            "--name", "asterisk", "--table", db.table, "--chunk", "300",
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


def test_bad_rows_are_rejected_with_their_reason_and_counted(db: Db, tmp_path: Path) -> None:
    rows = events(20)
    db.insert(rows[:10])
    db.insert([(None, "c0", "support", "Agent/1", "CONNECT", "3", "x", "1")])  # no time
    db.insert([(START + 60, "c0", "support", "Agent/1", "TELEPORT", "", "", "")])
    db.insert(rows[10:])
    report = pull(Warehouse(tmp_path), source(db))
    assert report.ingest is not None
    f = report.ingest.files[0]
    assert report.fetched == f.read == len(rows) + 2
    assert (f.accepted, f.rejected) == (len(rows), 2)
    assert f.rejects_file is not None
    reasons = f.rejects_file.read_text("utf-8")
    assert "field time is ''" in reasons and "unknown event 'TELEPORT'" in reasons


def test_bad_sources_are_refused_with_a_sentence(db: Db, tmp_path: Path) -> None:
    wh = Warehouse(tmp_path)
    with pytest.raises(ConnectorError, match="table 'x;drop'"):
        pull(wh, PullSource(name="a", url=db.url, table="x;drop"))
    with pytest.raises(ConnectorError, match="cannot read table nowhere_at_all"):
        pull(wh, PullSource(name="a", url=db.url, table="nowhere_at_all"))
    db.truncate()
    assert pull(wh, source(db)).fetched == 0  # an empty table: nothing, and no error


def test_connection_urls_are_checked_before_connecting(tmp_path: Path) -> None:
    wh = Warehouse(tmp_path)
    for url, message in [
        ("ftp://x/y", "expected postgresql://user:password@host:port/database or mysql://"),
        ("mysql://u:secret@h", "connection URL mysql://u:\\*\\*\\*@h: expected mysql://"),
        ("mysql://u@h/db?sslmode=on", "option 'sslmode': expected only charset"),
        ("mariadb://u@h:x/db", "connection URL mariadb://u@h:x/db"),
    ]:
        with pytest.raises(ConnectorError, match=message):
            pull(wh, PullSource(name="a", url=url))
    with pytest.raises(ConnectorError, match=r"cannot connect to mysql://u:\*\*\*@127.0.0.1:9/x"):
        pull(wh, PullSource(name="a", url="mysql://u:secret@127.0.0.1:9/x"))
    assert redact("postgresql://u:secret@h/db") == "postgresql://u:***@h/db"
    assert redact("mysql://u:secret@h/db") == "mysql://u:***@h/db"
