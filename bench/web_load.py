"""Load test of the web app as served in production: gunicorn on PostgreSQL over a demo center of
10,000 employees, driven by Locust (headless).

    .venv/bin/python bench/web_load.py [--employees 10000] [--users 50] [--seconds 60] [--runs 3]

Steps (each printed with its time):

1. the demo center (``callgrade.engine.demo.generate``, one month, few calls: the pages read stored
   results, not raw calls) ingested into ``bench/data/web-<n>/warehouse``; reused when its stamp
   matches;
2. a fresh PostgreSQL database ``callgrade_bench`` (dropped and created), seeded by
   ``callgrade.web.launch.seed_app`` in a child process (roster, standard, one cycle computed by
   the engine, results stored, published); ``--reuse-db`` keeps a database seeded from the same
   data;
3. 50 agents from 50 different teams and the leads of those teams get a user each and a
   logged-in session made directly in the session store (no login round trip);
4. ``collectstatic``, then gunicorn (gthread) with the production settings;
5. Locust, headless: 50 users GET their own scorecard (/me/) as agents, and separately the team
   page (/team/) as leads, each with think time (``--wait``, default 1-3 s) and as a closed loop
   without it (``0``: saturation). Every run is repeated ``--runs`` times, interleaved, and the
   median of the p95s is reported;
6. queries per page and the page's time in one process (Django test client), for the record.

The summary is printed and saved to ``bench/out/web-load-<time>.{json,md}``. Method and figures:
docs/benchmarks.md, section "Web app under load".
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DATA_ROOT = BENCH_DIR / "data"
OUT_DIR = BENCH_DIR / "out"
PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "callgrade_bench"
PERIOD = "2026-01"
CYCLE = "bench"
TARGETS_MS = {"me": 100.0, "team": 200.0}
PATHS = {"me": "/me/", "team": "/team/"}
DRAIN_S = 10


@dataclass(frozen=True)
class DataStamp:
    agents: int
    months: int = 1
    calls_per_agent_hour: float = 0.5
    seed: int = 42
    start: str = "2026-01-01"


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


# --- 1. the demo center -------------------------------------------------------------------------


def build_data(stamp: DataStamp) -> tuple[Path, dict[str, float]]:
    """The warehouse of a demo center of ``stamp.agents`` employees (reused when up to date)."""
    import dataclasses
    from datetime import date

    data_dir = DATA_ROOT / f"web-{stamp.agents}"
    stamp_file = data_dir / "stamp.json"
    if stamp_file.exists() and json.loads(stamp_file.read_text()) == asdict(stamp):
        log(f"demo center reused: {data_dir}")
        return data_dir, json.loads((data_dir / "timings.json").read_text())
    from callgrade.engine.demo import DemoConfig, generate, ingest_demo
    from callgrade.engine.warehouse import Warehouse

    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    config = dataclasses.replace(
        DemoConfig(),
        agents=stamp.agents,
        months=stamp.months,
        calls_per_agent_hour=stamp.calls_per_agent_hour,
        seed=stamp.seed,
        start=date.fromisoformat(stamp.start),
    )
    log(f"generating a demo center of {stamp.agents} employees ...")
    t0 = time.perf_counter()
    files = generate(data_dir / "input", config)
    t_gen = time.perf_counter() - t0
    log(f"  generated {len(files)} files in {t_gen:.1f} s; ingesting ...")
    t0 = time.perf_counter()
    ingest_demo(Warehouse(data_dir), files, config.tz)
    t_ingest = time.perf_counter() - t0
    log(f"  ingested in {t_ingest:.1f} s")
    timings = {"generate_s": round(t_gen, 1), "ingest_s": round(t_ingest, 1)}
    (data_dir / "timings.json").write_text(json.dumps(timings))
    stamp_file.write_text(json.dumps(asdict(stamp)))
    return data_dir, timings


# --- 2. the database, seeded --------------------------------------------------------------------

SEED = """
import json, sys, time
from pathlib import Path
from callgrade.web import launch
launch.setup(Path(sys.argv[1]))
from django.core.management import call_command
from callgrade.web import i18n_build
from callgrade.cycles.services import cycles
timings = {}
def timed(name, func):
    def wrapper(*a, **k):
        t0 = time.perf_counter()
        try:
            return func(*a, **k)
        finally:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - t0
    return wrapper
i18n_build.build()
t0 = time.perf_counter()
call_command("migrate", verbosity=0)
timings["migrate"] = time.perf_counter() - t0
cycles.run_cycle = timed("engine run_cycle", cycles.run_cycle)
cycles.store_results = timed("store_results", cycles.store_results)
cycles.people_import_warehouse = timed("people import", cycles.people_import_warehouse)
t0 = time.perf_counter()
out = launch.seed_app(Path(sys.argv[1]), period=sys.argv[2], cycle_name=sys.argv[3])
timings["seed_app"] = time.perf_counter() - t0
from django.apps import apps
def home(name):
    return "people" if name in ("Employee", "Team") else "cycles"
rows = {name: apps.get_model(home(name), name).objects.count() for name in (
    "Employee", "Team", "KpiValue", "ScoreItem", "ScoreTotal", "Decision", "ChecklistItem",
    "PayLine")}
print("RESULT " + json.dumps({"timings": {k: round(v, 1) for k, v in timings.items()},
                              "rows": rows}))
"""


def pg_admin(sql: str) -> None:
    subprocess.run(
        ["psql", f"{PG}/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        capture_output=True,
    )


def seed_db(data_dir: Path, stamp: DataStamp, *, reuse: bool) -> dict[str, Any]:
    db_stamp = data_dir / "db.json"
    if reuse and db_stamp.exists():
        seeded = json.loads(db_stamp.read_text())
        if seeded.get("stamp") == asdict(stamp):
            log(f"database {DB_NAME} reused (seeded {seeded['at']})")
            return dict(seeded)
    log(f"dropping and creating database {DB_NAME}")
    pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {DB_NAME}")
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB_NAME}", "CALLGRADE_JOBS": "inline"}
    env.pop("CALLGRADE_PRODUCTION", None)
    log("seeding (migrate, roster, standard, engine run of the cycle, results stored) ...")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", SEED, str(data_dir), PERIOD, CYCLE],
        env=env, capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"seeding failed:\n{proc.stderr[-4000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["wall_s"] = round(wall, 1)
    result["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["stamp"] = asdict(stamp)
    db_stamp.write_text(json.dumps(result, indent=1))
    log(f"  seeded in {wall:.1f} s: {result['timings']}; rows {result['rows']}")
    return result


# --- 3. sessions --------------------------------------------------------------------------------

SESSIONS = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from callgrade.cycles.models import ScoreTotal
from callgrade.people.models import Employee, Team
n = int(sys.argv[2])
User = get_user_model()
Session.objects.all().delete()
from django.db.models import Q
free = Q(user__isnull=True) | Q(user__username__startswith="bench-")  # not a seeded login
teams = (Team.objects.filter(lead__isnull=False)
         .filter(Q(lead__user__isnull=True) | Q(lead__user__username__startswith="bench-"))
         .select_related("lead").order_by("name"))
pairs = []
def login(emp):
    user, _ = User.objects.get_or_create(username=f"bench-{emp.employee_id}")
    if emp.user_id != user.pk:
        user.set_unusable_password(); user.save()
        emp.user = user; emp.save(update_fields=["user"])
    s = SessionStore()
    s["_auth_user_id"] = str(user.pk)
    s["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = user.get_session_auth_hash()
    s.create()
    return {"employee_id": emp.employee_id, "session": s.session_key}
for team in teams:
    scored = ScoreTotal.objects.values("employee_id")  # a scorecard with a total to show
    agent = (team.members.exclude(pk=team.lead_id).filter(free, pk__in=scored)
             .order_by("employee_id").first())
    if agent is None:
        continue
    members = team.members.count()
    pairs.append({"team": team.name, "members": members, "agent": login(agent),
                  "lead": login(team.lead)})
    if len(pairs) == n:
        break
json.dump({"pairs": pairs}, open(sys.argv[1], "w"), indent=1)
print(len(pairs))
"""


def make_sessions(env: dict[str, str], path: Path, users: int) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", SESSIONS, str(path), str(users)],
        env=env, capture_output=True, text=True, cwd=REPO,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"sessions failed:\n{proc.stderr[-4000:]}")
    data = json.loads(path.read_text())
    if len(data["pairs"]) < users:
        raise SystemExit(f"only {len(data['pairs'])} teams with a lead and an agent")
    sizes = [p["members"] for p in data["pairs"]]
    log(f"{len(sizes)} agents and their leads logged in (team sizes {min(sizes)}-{max(sizes)})")
    return dict(data)


# --- 4. serving ---------------------------------------------------------------------------------


def server_env(data_dir: Path, static_root: Path, secret: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "callgrade.web.settings",
        "CALLGRADE_DATA_DIR": str(data_dir),
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "CALLGRADE_PRODUCTION": "1",
        "CALLGRADE_SECRET_KEY": secret,
        "CALLGRADE_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CALLGRADE_SSL_REDIRECT": "0",
        "CALLGRADE_STATIC_ROOT": str(static_root),
    }


def start_server(env: dict[str, str], port: int, workers: int, threads: int, log_path: Path) -> Any:
    subprocess.run(
        [sys.executable, "-m", "callgrade.web.manage", "collectstatic", "--noinput", "-v", "0"],
        env=env, check=True, cwd=REPO,
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "callgrade.web.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
         "--timeout", "120"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL,
        stderr=open(log_path, "w"),  # noqa: SIM115
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/accounts/login/"
    for _ in range(300):
        try:
            req = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            urllib.request.urlopen(req, timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer; see {log_path}")


# --- 5. load ------------------------------------------------------------------------------------


def locust_run(
    *, port: int, page: str, wait: str, users: int, seconds: int, sessions: Path, prefix: Path
) -> dict[str, Any]:
    env = {
        **os.environ,
        "WEB_LOAD_SESSIONS": str(sessions),
        "WEB_LOAD_PAGE": page,
        "WEB_LOAD_WAIT": wait,
    }
    cmd = [
        sys.executable, "-m", "locust", "-f", str(BENCH_DIR / "locustfile.py"), "--headless",
        "--host", f"http://127.0.0.1:{port}", "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{seconds}s", "--csv", str(prefix), "--only-summary",
        "--loglevel", "WARNING", "--stop-timeout", "10",
    ]  # fmt: skip
    load_before = os.getloadavg()[0]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _pid, _status, usage = os.wait4(proc.pid, 0)
    except BaseException:
        proc.terminate()
        proc.wait()
        raise
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    stats = prefix.with_name(prefix.name + "_stats.csv")
    if not stats.exists():
        raise SystemExit(f"locust wrote no stats:\n{stderr[-3000:]}")
    with open(stats, newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["Name"] == "Aggregated")
    failures_file = prefix.with_name(prefix.name + "_failures.csv")
    failures: list[str] = []
    if failures_file.exists():
        with open(failures_file, newline="") as fh:
            failures = [f"{r['Occurrences']}× {r['Error']}" for r in csv.DictReader(fh)]
    return {
        "page": page,
        "wait": wait,
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "failure_kinds": failures,
        "rps": round(float(row["Requests/s"]), 1),
        "p50": float(row["50%"]),
        "p95": float(row["95%"]),
        "p99": float(row["99%"]),
        "max": float(row["Max Response Time"]),
        "avg": round(float(row["Average Response Time"]), 1),
        "locust_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "load_avg_before": round(load_before, 2),
        "load_avg_after": round(os.getloadavg()[0], 2),
    }


def busy_processes(exclude: set[int]) -> list[str]:
    """The processes using CPU right now, other than ours (what else was running)."""
    out = subprocess.run(
        ["ps", "-eo", "pid,ppid,pcpu,etime,args", "--sort=-pcpu", "--no-headers"],
        capture_output=True, text=True,
    ).stdout  # fmt: skip
    rows = []
    for line in out.splitlines():
        parts = line.split(None, 4)
        if len(parts) < 5 or int(parts[0]) in exclude or int(parts[1]) in exclude:
            continue
        if float(parts[2]) < 5.0:
            break
        rows.append(f"{parts[2]}% {parts[4][:110]}")
    return rows[:8]


# --- 6. queries per page ------------------------------------------------------------------------

PROFILE = """
import json, sys, time, statistics
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.contrib.auth import get_user_model
pairs = json.load(open(sys.argv[1]))["pairs"][:5]
User = get_user_model()
out = {}
for page, path in (("me", "/me/"), ("team", "/team/")):
    counts, times, sql = [], [], []
    for p in pairs:
        who = p["agent"] if page == "me" else p["lead"]
        c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="127.0.0.1")
        c.force_login(User.objects.get(username="bench-" + who["employee_id"]))
        c.get(path)
        for _ in range(4):
            with CaptureQueriesContext(connection) as q:
                t0 = time.perf_counter(); r = c.get(path); times.append(time.perf_counter() - t0)
            assert r.status_code == 200, r.status_code
            counts.append(len(q.captured_queries))
            sql.append(sum(float(x["time"]) for x in q.captured_queries))
    out[page] = {"queries": max(counts), "ms_median": round(statistics.median(times) * 1000, 1),
                 "sql_ms_median": round(statistics.median(sql) * 1000, 1), "bytes": len(r.content)}
print("RESULT " + json.dumps(out))
"""


def profile_pages(env: dict[str, str], sessions: Path) -> dict[str, Any]:
    env = {**env, "CALLGRADE_PRODUCTION": "", "CALLGRADE_DEBUG": ""}
    proc = subprocess.run(
        [sys.executable, "-c", PROFILE, str(sessions)], env=env, capture_output=True, text=True,
        cwd=REPO,
    )  # fmt: skip
    if proc.returncode != 0:
        log(f"profile failed: {proc.stderr[-2000:]}")
        return {}
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return dict(json.loads(line.removeprefix("RESULT ")))


# --- main ---------------------------------------------------------------------------------------


def summarize(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    keys = sorted({(r["page"], r["wait"]) for r in runs}, key=lambda k: (k[0], k[1] == "0"))
    for page, wait in keys:
        rs = [r for r in runs if r["page"] == page and r["wait"] == wait]
        med = {k: statistics.median(r[k] for r in rs) for k in ("p50", "p95", "p99", "rps")}
        rows.append(
            {
                "page": PATHS[page],
                "wait": "none (closed loop)" if wait == "0" else f"{wait} s",
                "runs": len(rs),
                **med,
                "p95_runs": [r["p95"] for r in rs],
                "failures": sum(r["failures"] for r in rs),
                "requests": sum(r["requests"] for r in rs),
                "target_ms": TARGETS_MS[page],
                "ratio": round(med["p95"] / TARGETS_MS[page], 2),
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| page | think time | runs | p50 ms | p95 ms | p99 ms | req/s | failures / requests "
        "| p95 of each run | p95 / target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['page']} | {r['wait']} | {r['runs']} | {r['p50']:.0f} | {r['p95']:.0f} "
            f"| {r['p99']:.0f} | {r['rps']:.1f} | {r['failures']} / {r['requests']} "
            f"| {', '.join(f'{x:.0f}' for x in r['p95_runs'])} "
            f"| {r['ratio']:.2f} ({r['p95']:.0f} / {r['target_ms']:.0f} ms) |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--employees", type=int, default=10_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pages", default="me,team", help="comma-separated: me, team")
    ap.add_argument(
        "--wait", default="1-3,0", help="think times to run, comma-separated: '1-3' or 0 (none)"
    )
    ap.add_argument("--calls-per-agent-hour", type=float, default=0.5)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--port", type=int, default=0, help="default: a free port")
    ap.add_argument(
        "--src",
        type=Path,
        help="serve callgrade from this copy of src/ (to measure a proposed change side by side)",
    )
    ap.add_argument("--reuse-db", action="store_true", help="keep a database seeded from this data")
    args = ap.parse_args()
    # A plain kill stops the run cleanly: gunicorn and Locust are terminated in the finally blocks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    pages = [p for p in args.pages.split(",") if p]
    waits = [w for w in args.wait.split(",") if w]

    started = datetime.now(UTC)
    if args.src:  # every child (seeding, sessions, gunicorn) imports callgrade from there
        os.environ["PYTHONPATH"] = str(args.src.resolve())
    head = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    stamp = DataStamp(agents=args.employees, calls_per_agent_hour=args.calls_per_agent_hour)
    data_dir, data_timings = build_data(stamp)
    seeded = seed_db(data_dir, stamp, reuse=args.reuse_db)

    work = Path(tempfile.mkdtemp(prefix="web-load-", dir=DATA_ROOT))
    env = server_env(data_dir, work / "static", secrets.token_urlsafe(40))
    sessions_path = work / "sessions.json"
    sessions = make_sessions(env, sessions_path, args.users)
    profile = profile_pages(env, sessions_path)
    log(f"queries per page (one process, no load): {profile}")

    if not args.port:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            args.port = int(sock.getsockname()[1])
    server = start_server(env, args.port, args.workers, args.threads, work / "gunicorn.log")
    runs: list[dict[str, Any]] = []
    others: list[str] = []
    try:
        log(f"gunicorn up: {args.workers} workers x {args.threads} threads (gthread)")
        others = busy_processes({os.getpid(), server.pid})
        for page in pages:  # warm every worker's caches and connections once, not measured
            locust_run(
                port=args.port, page=page, wait="0", users=args.users, seconds=10,
                sessions=sessions_path, prefix=work / f"warm-{page}",
            )  # fmt: skip
            time.sleep(DRAIN_S)
        for n in range(args.runs):  # interleaved, so noise spreads over every combination
            for page in pages:
                for wait in waits:
                    r = locust_run(
                        port=args.port, page=page, wait=wait, users=args.users,
                        seconds=args.seconds, sessions=sessions_path,
                        prefix=work / f"run{n}-{page}-{wait}",
                    )  # fmt: skip
                    time.sleep(DRAIN_S)  # let gunicorn finish what Locust left in flight
                    r["run"] = n + 1
                    runs.append(r)
                    log(
                        f"run {n + 1} {PATHS[page]} wait {wait}: p50 {r['p50']:.0f} p95 "
                        f"{r['p95']:.0f} p99 {r['p99']:.0f} ms, {r['rps']} req/s, "
                        f"{r['failures']}/{r['requests']} failed, "
                        f"locust {r['locust_cpu_s']} CPU s, "
                        f"load {r['load_avg_before']}->{r['load_avg_after']}"
                        + (f" {r['failure_kinds'][:2]}" if r["failure_kinds"] else "")
                    )
        others += [f"(after) {x}" for x in busy_processes({os.getpid(), server.pid})]
    finally:
        server.terminate()
        server.wait(timeout=30)

    rows = summarize(runs)
    report = {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": f"{args.src} (copy)" if args.src else f"working tree at HEAD {head}",
        "machine": {
            "nproc": os.cpu_count(),
            "load_avg_at_end": os.getloadavg(),
            "cpu": next(
                (
                    ln.split(":", 1)[1].strip()
                    for ln in open("/proc/cpuinfo")  # noqa: SIM115
                    if ln.startswith("model name")
                ),
                "",
            ),
        },
        "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "data": {"stamp": asdict(stamp), **data_timings},
        "seed": seeded,
        "team_sizes": sorted(p["members"] for p in sessions["pairs"]),
        "gunicorn": f"{args.workers} workers x {args.threads} threads, gthread",
        "profile": profile,
        "other_processes": others,
        "runs": runs,
        "summary": rows,
    }
    OUT_DIR.mkdir(exist_ok=True)
    name = f"web-load-{args.employees}-{started:%Y%m%dT%H%M%S}"
    (OUT_DIR / f"{name}.json").write_text(json.dumps(report, indent=1))
    md = table(rows)
    (OUT_DIR / f"{name}.md").write_text(md + "\n")
    print()
    print(md)
    print(f"\nseeding: {seeded.get('timings')} rows {seeded.get('rows')}")
    print(f"queries per page: {profile}")
    print("other processes using CPU:", *others, sep="\n  ")
    print(f"saved {OUT_DIR / name}.json")
    shutil.rmtree(work / "static", ignore_errors=True)


if __name__ == "__main__":
    main()
