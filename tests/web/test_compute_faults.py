"""One computation per cycle at a time, and faults during a computation, on an app database of
their own (SQLite beside a copy of the demo center, or a fresh PostgreSQL database when the
suite runs with DATABASE_URL): requests race from threads of another process, the computation
runs in a worker process (``manage run_job``) that is killed, or whose PostgreSQL connection is
terminated, while it is storing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# One worker runs these: the app they share (the module's fixture) is set up once, not per worker.
pytestmark = pytest.mark.xdist_group("compute-faults")

PERIOD = "2026-01-01..2026-02-28"

# Operations on the app database, each in a fresh process as the web app would do them.
OPS = f"""
import hashlib, json, sys, threading
from pathlib import Path
from callgrade.web.launch import setup
setup(Path(sys.argv[1]))
from django.conf import settings
from django.core.management import call_command
from django.db import connection
settings.CALLGRADE_JOBS = "inline"
from django.utils import translation
translation.activate("en")
from callgrade.core.models import Job
from callgrade.cycles.models import Cycle
from callgrade.cycles.services.cycles import WorkflowError, cycle_compute, cycle_create, job_running
from callgrade.cycles.services.results import RESULT_MODELS
op, args = sys.argv[2], sys.argv[3:]
def cycle():
    return Cycle.objects.get(name="guard")
if op == "setup":
    call_command("migrate", verbosity=0)
    from callgrade.web.seed import _published_standard
    c = cycle_create(actor=None, name="guard", period={PERIOD!r},
                     policy_version=_published_standard(None))
    job = cycle_compute(cycle=c, actor=None)
    job.refresh_from_db()
    assert job.state == Job.DONE, job.error
    out = c.pk
elif op == "race":
    n = int(args[0]); barrier = threading.Barrier(n); out = {{"started": [], "refused": []}}
    def request():
        translation.activate("en")  # the language is a thread's own
        try:
            barrier.wait()
            job = cycle_compute(cycle=cycle(), actor=None)
            job.refresh_from_db()
            out["started"].append(job.state)
        except WorkflowError as e:
            out["refused"].append(str(e))
        finally:
            connection.close()
    threads = [threading.Thread(target=request) for _ in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
elif op == "queue":
    from callgrade.core.jobs import job_create
    out = job_create(kind="cycle_compute", actor=None, cycle=cycle(), only=None).pk
elif op == "look":
    running = job_running(cycle())
    jobs = [[j.pk, j.state, j.error] for j in Job.objects.order_by("id")]
    out = {{"running": running, "jobs": jobs}}
elif op == "compute":
    job = cycle_compute(cycle=cycle(), actor=None)
    job.refresh_from_db()
    out = [job.state, job.error]
elif op == "digest":
    out = {{}}
    for model in RESULT_MODELS:
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        # DuckDB sums in parallel, so a float may differ in its last bits between two runs
        def norm(v):
            if isinstance(v, float):
                return float(f"{{v:.9g}}")
            if isinstance(v, dict):
                return {{k: norm(x) for k, x in v.items()}}
            if isinstance(v, list):
                return [norm(x) for x in v]
            return v
        rows = sorted(json.dumps(norm(r), sort_keys=True, default=str)
                      for r in model.objects.filter(cycle=cycle()).values(*fields))
        out[model.__name__] = [len(rows), hashlib.sha256("".join(rows).encode()).hexdigest()]
print("OUT " + json.dumps(out))
"""


def _on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture(scope="module")
def app(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data = tmp_path_factory.mktemp("guard-app")
    shutil.copytree(demo_dir / "warehouse", data / "warehouse")
    url = f"sqlite:///{data / 'app.sqlite3'}"
    name = f"callgrade_guard_{os.getpid()}"
    if _on_postgres():
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'CREATE DATABASE "{name}"')
        url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
    env = {
        **os.environ,
        "CALLGRADE_DATA_DIR": str(data),
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "callgrade.web.settings",
    }
    app = {"data": data, "url": url, "env": env}
    _op(app, "setup")
    yield app
    if _on_postgres():
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _op(app: dict[str, Any], op: str, *args: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", OPS, str(app["data"]), op, *args],
        env=app["env"], capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    line = [x for x in done.stdout.splitlines() if x.startswith("OUT ")][-1]
    return json.loads(line[4:])


def _worker(app: dict[str, Any], job_id: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "callgrade.web.manage", "run_job", str(job_id)],
        env=app["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _wait(what: Any, seconds: float = 120, every: float = 0.005) -> Any:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        got = what()
        if got:
            return got
        time.sleep(every)
    raise AssertionError("timed out")


def _sqlite_file(app: dict[str, Any]) -> str:
    return str(app["data"] / "app.sqlite3")


def _job_step(app: dict[str, Any], job_id: int) -> str:
    if _on_postgres():
        import psycopg

        with psycopg.connect(app["url"], autocommit=True) as con:
            row = con.execute("SELECT step FROM core_job WHERE id = %s", [job_id]).fetchone()
    else:
        con = sqlite3.connect(_sqlite_file(app), timeout=20)
        row = con.execute("SELECT step FROM core_job WHERE id = ?", [job_id]).fetchone()
        con.close()
    return str(row[0]) if row else ""


def test_simultaneous_compute_requests_start_one_computation(app: dict[str, Any]) -> None:
    before = _op(app, "digest")
    jobs_before = len(_op(app, "look")["jobs"])
    raced = _op(app, "race", "8")
    assert raced["started"] == ["done"], raced
    assert raced["refused"] == ["This cycle is already being computed."] * 7
    look = _op(app, "look")
    assert len(look["jobs"]) == jobs_before + 1 and not look["running"]
    assert _op(app, "digest") == before  # as many rows, the same rows, as one computation


class _StoreBlocked:
    """Holds the worker inside its storing transaction: on PostgreSQL a lock on the last table it
    replaces (taken before it starts); on SQLite a read lock taken once it reports storing, which
    lets it write into its transaction but not commit it."""

    def __init__(self, app: dict[str, Any]) -> None:
        self.app = app
        self.con: Any = None

    def before_start(self) -> None:
        if _on_postgres():
            import psycopg

            self.con = psycopg.connect(self.app["url"])
            self.con.execute("LOCK TABLE cycles_payline IN EXCLUSIVE MODE")

    def wait_storing(self, job_id: int, worker: subprocess.Popen[str]) -> int | None:
        """Returns, on PostgreSQL, the worker's backend pid once it waits on the lock."""
        if _on_postgres():
            import psycopg

            # pg_stat_activity is read once per transaction: watch from a connection of its own
            with psycopg.connect(self.app["url"], autocommit=True) as watch:

                def waiting() -> Any:
                    assert worker.poll() is None, worker.communicate()[1][-3000:]
                    row = watch.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND query ILIKE '%cycles_payline%'"
                    ).fetchone()
                    return row[0] if row else None

                return int(_wait(waiting, every=0.05))
        _wait(lambda: worker.poll() is not None or _job_step(self.app, job_id) == "store results")
        assert worker.poll() is None, "the computation finished before it could be stopped"
        self.con = sqlite3.connect(_sqlite_file(self.app), isolation_level=None, timeout=20)
        self.con.execute("BEGIN")
        self.con.execute("SELECT count(*) FROM cycles_kpivalue").fetchone()
        # its rollback journal shows it has written into its transaction
        _wait(lambda: Path(_sqlite_file(self.app) + "-journal").exists(), seconds=30)
        time.sleep(0.5)
        return None

    def release(self) -> None:
        self.con.rollback()
        self.con.close()


def test_killed_computation_is_failed_and_keeps_the_previous_results(app: dict[str, Any]) -> None:
    before = _op(app, "digest")
    job_id = _op(app, "queue")
    assert _op(app, "look")["running"]  # queued: the cycle is busy
    block = _StoreBlocked(app)
    block.before_start()
    worker = _worker(app, job_id)
    try:
        block.wait_storing(job_id, worker)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        block.release()
    look = _op(app, "look")  # the app looks: the worker is gone
    assert not look["running"]
    job = next(j for j in look["jobs"] if j[0] == job_id)
    assert job[1] == "failed" and "stopped before it finished" in job[2], job
    assert _op(app, "digest") == before  # nothing half-written
    assert _op(app, "compute") == ["done", ""]
    assert _op(app, "digest") == before  # a new computation gives the same results


def test_dropped_database_connection_fails_the_job_cleanly(app: dict[str, Any]) -> None:
    if not _on_postgres():
        pytest.skip("terminating a computation's connection is a PostgreSQL server action")
    before = _op(app, "digest")
    job_id = _op(app, "queue")
    block = _StoreBlocked(app)
    block.before_start()
    worker = _worker(app, job_id)
    try:
        backend = block.wait_storing(job_id, worker)
        import psycopg

        with psycopg.connect(app["url"], autocommit=True) as con:
            assert con.execute("SELECT pg_terminate_backend(%s)", [backend]).fetchone() == (True,)
    finally:
        block.release()
    _out, err = worker.communicate(timeout=60)
    assert worker.returncode != 0, err
    look = _op(app, "look")
    assert not look["running"]
    job = next(j for j in look["jobs"] if j[0] == job_id)
    assert job[1] == "failed" and "terminating connection" in job[2], job
    assert _op(app, "digest") == before  # nothing half-written
    assert _op(app, "compute") == ["done", ""]
    assert _op(app, "digest") == before
