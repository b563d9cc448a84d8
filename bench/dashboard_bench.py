"""The program dashboard (/program/) at scale: a 10,000-employee center with 24 monthly cycles'
snapshots on PostgreSQL, every page and filter timed.

    .venv/bin/python bench/dashboard_bench.py [--employees 10000] [--months 24] [--requests 40]
                                              [--reuse-db] [--pages center,team,...]

Steps (each printed with its time):

1. a fresh PostgreSQL database ``callgrade_dash_bench`` (dropped and created; ``--reuse-db`` keeps
   one built from the same stamp, recorded in ``bench/data/dash-<n>/db.json``), migrated;
2. the roster of the demo center (``engine.demo.center.build_center``: four positions, each its
   own department, teams of 12-13 with a lead) stored as departments, teams and employees; the
   shipped ``four_positions`` standard published;
3. ``--months`` monthly cycles, each marked computed and given its program snapshot by
   ``cycles.services.program.program_store`` — the function a computed cycle's results go
   through — from **synthesized** results: every employee's rating, level move, KPI means and pay
   drawn from the demo's persistent skill with month-to-month noise, about 1.5% leaving each month
   and replaced by new hires in the same team; 4% a month complete one of three courses in the
   middle months and do a little better after it, and the latest cycle's training effect is
   computed by the engine (``cycles.services.training.training_figures``). No cycle is
   computed by the engine: the dashboard reads only the snapshots, their scopes and the
   organization, so what it costs depends on their size and shape (cells per cycle, KPIs,
   ratings, levels, pay kinds), which these have at full size;
4. one process, the Django test client (no network, DEBUG off), as HR, a team lead and the
   head of the customer-service department: every page ``--requests`` times after two warm-up
   requests; p50/p95/max of the wall-clock time, the median CPU time of the Django process
   (``time.process_time``: the request's own work, whatever else the machine runs) and of the
   SQL round trips, queries per request and the response size.

The summary is printed and saved to ``bench/out/dashboard-<n>-<time>.{json,md}``. Method and
figures: docs/benchmarks.md, section "Program dashboard at scale".
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
DATA_ROOT = BENCH_DIR / "data"
OUT_DIR = BENCH_DIR / "out"
PG = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "callgrade_dash_bench"
TARGET_MS = 300.0


@dataclass(frozen=True)
class Stamp:
    employees: int
    months: int
    seed: int = 42
    first: str = "2024-01"
    version: int = 2  # raise when the synthesized data changes


def log(msg: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {msg}", flush=True)


def pg_admin(sql: str) -> None:
    subprocess.run(
        ["psql", f"{PG}/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        capture_output=True,
    )


def child(code: str, *args: str) -> dict[str, Any]:
    """Run ``code`` in a fresh interpreter on the bench database; its ``RESULT`` line."""
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB_NAME}",
        "DJANGO_SETTINGS_MODULE": "callgrade.web.settings",
        "CALLGRADE_JOBS": "inline",
        "CALLGRADE_DEBUG": "",
    }
    env.pop("CALLGRADE_PRODUCTION", None)
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, cwd=REPO
    )
    if proc.returncode != 0:
        raise SystemExit(f"child failed:\n{proc.stderr[-5000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return dict(json.loads(line.removeprefix("RESULT ")))


# --- 1-3. the database ---------------------------------------------------------------------------

BUILD = r"""
import json, sys, time
from datetime import date, timedelta
import numpy as np
import django
django.setup()
from django.core.management import call_command
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from callgrade.engine.analysis.program import Graded, leaver_cells
from callgrade.engine.demo.center import LEVELS, POSITIONS, build_center
from callgrade.cycles.models import Cycle
from callgrade.cycles.services.program import program_store
from callgrade.cycles.services.training import MONTHLY, training_figures
from callgrade.engine.analysis.training_effect import Completion
import pyarrow as pa
from callgrade.engine.kpis import REGISTRY
from callgrade.people.access import HR_GROUP
from callgrade.people.models import Department, Employee, Team
from callgrade.web.seed import _published_standard

stamp = json.loads(sys.argv[1])
n, months, seed = stamp["employees"], stamp["months"], stamp["seed"]
timings = {}
t0 = time.perf_counter()
call_command("migrate", verbosity=0)
timings["migrate"] = time.perf_counter() - t0

t0 = time.perf_counter()
rng = np.random.default_rng(seed)
y, m = map(int, stamp["first"].split("-"))
first = date(y, m, 1)
center = build_center(rng, n, first, first + timedelta(days=31 * months))
depts = {p[2]: Department.objects.create(name=p[2]) for p in POSITIONS}
pos_of = [POSITIONS[int(p)] for p in center.position]
team_dept = {}
for i in range(center.n):
    team_dept.setdefault(center.team[i], depts[pos_of[i][2]])
teams = {name: Team(name=name, department=d) for name, d in team_dept.items()}
Team.objects.bulk_create(teams.values())
teams = {t.name: t for t in Team.objects.all()}
emps = [
    Employee(employee_id=center.ids[i], name=center.names[i], team=teams[center.team[i]],
             position=pos_of[i][0], level=LEVELS[int(center.level[i])], status="active")
    for i in range(center.n)
]
Employee.objects.bulk_create(emps, batch_size=2000)
by_id = dict(Employee.objects.values_list("employee_id", "pk"))
leads = {center.team[i]: center.team_lead[i] for i in range(center.n) if center.team_lead[i]}
for name, lead in leads.items():
    Team.objects.filter(pk=teams[name].pk).update(lead_id=by_id[lead])
version = _published_standard(None)
policy = version.policy()
kpis = list(policy.kpi_codes())
ladders_by_code = {la.code: [lv.code for lv in la.ordered()] for la in policy.ladders}
ladders = {p.code: ladders_by_code.get(p.ladder, []) for p in policy.positions}
ratings = [g.code for g in policy.ratings.grades]
timings["roster and standard"] = time.perf_counter() - t0

# the people as the months go: position, team, department, skill and level index on the ladder
people = {
    center.ids[i]: {"position": pos_of[i][0], "team": center.team[i],
                    "department": pos_of[i][2], "skill": float(center.skill[i]),
                    "level": int(center.level[i])}
    for i in range(center.n)
}
leads_set = set(leads.values())
hired = 0
previous = []
left_all = set()
kpi_base = {k: (float(rng.uniform(0.4, 0.9)) if k not in ("aht", "sales_revenue") else
                (300.0 if k == "aht" else 20000.0)) for k in kpis}
t_syn = t_store = 0.0
cycles = []
courses = [t.code for t in policy.trainings][:3]
all_positions = {}
completed, monthly = [], {k: [] for k in ("period", "entity_id", "kpi", "value")}
for month in range(months):
    t0 = time.perf_counter()
    yy, mm = divmod(m - 1 + month, 12)
    label = f"{y + yy:04d}-{mm + 1:02d}"
    ids = list(people)
    skill = np.array([people[e]["skill"] for e in ids])
    noise = rng.normal(0, 0.6, len(ids))
    # a course in the middle months: 4% of the people a month take one, and do a little better
    if 5 <= month < months - 3:
        for e in rng.choice(ids, size=len(ids) // 25, replace=False):
            course = courses[int(rng.integers(len(courses)))]
            completed.append(Completion(e, course, date(y + yy, mm + 1, 15)))
            people[e]["skill"] += 0.3
        skill = np.array([people[e]["skill"] for e in ids])
    score = skill + noise + 0.01 * month  # the standard slowly lifts everyone
    order = np.argsort(-score)
    rank = np.empty(len(ids), int)
    rank[order] = np.arange(len(ids))
    cuts = np.cumsum([0.1, 0.2, 0.5, 0.15, 0.05][: len(ratings)]) * len(ids)
    graded = []
    for j, e in enumerate(ids):
        p = people[e]
        ladder = ladders.get(p["position"], [])
        r = int(np.searchsorted(cuts, rank[j], side="right"))
        rating = ratings[min(r, len(ratings) - 1)]
        lv = min(p["level"], len(ladder) - 1) if ladder else 0
        to = lv
        if ladder and r == 0 and lv + 1 < len(ladder) and rng.random() < 0.25:
            to = lv + 1
        elif ladder and r >= len(ratings) - 1 and lv > 0 and rng.random() < 0.3:
            to = lv - 1
        values = {}
        for k in kpis:
            if k.startswith("sales") and p["position"] != "telesales":
                continue
            base = kpi_base[k]
            spread = 0.05 * base * (score[j] if k != "aht" else -score[j])
            values[k] = round(base + spread + float(rng.normal(0, 0.02 * base)), 4)
        pay = {"allowance": 200.0 * lv, "bonus": round(max(0.0, 800.0 - 200.0 * r), 2)}
        if p["position"] == "telesales":
            pay["commission"] = round(0.02 * values.get("sales_revenue", 0.0), 2)
        graded.append(Graded(
            employee_id=e, position=p["position"], team=p["team"], department=p["department"],
            rating=rating, level_from=ladder[lv] if ladder else "",
            level_to=ladder[to] if ladder else "", level_rank=lv if ladder else None,
            kpis=values, pay=pay))
        p["level"] = to
        all_positions[e] = p["position"]
        for k, v in values.items():
            monthly["period"].append(label); monthly["entity_id"].append(e)
            monthly["kpi"].append(k); monthly["value"].append(v)
    # about 1.5% leave after this month (never a lead) and are replaced in the same team
    now_ids = {g.employee_id for g in graded}
    leavers = leaver_cells(previous, now_ids, left_all) if previous else []
    gone = [e for e in rng.choice(ids, size=max(1, len(ids) * 3 // 200), replace=False)
            if e not in leads_set]
    for e in gone:
        hired += 1
        new = f"H{hired:05d}"
        people[new] = {**people.pop(e), "skill": float(rng.normal(-0.3, 0.8)), "level": 0}
        left_all.add(e)
    previous = graded
    t_syn += time.perf_counter() - t0
    training = None
    if month == months - 1:  # the dashboard shows the latest cycle's training effect
        t0 = time.perf_counter()
        positions = all_positions
        directions = {k: d.direction for k, d in REGISTRY.items() if k in kpis}
        training = training_figures(graded, completed, pa.table(monthly, schema=MONTHLY),
                                    positions, directions)
        timings["training effect (engine)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic():
        cycle = Cycle.objects.create(
            name=label, period=label, policy_version=version, state=Cycle.CLOSED,
            computed_at=timezone.now(), published_at=timezone.now())
        program_store(cycle, graded, kpis=kpis, ladders=ladders, ratings=ratings,
                      leavers=leavers, training=training)
    t_store += time.perf_counter() - t0
    cycles.append(label)
timings["synthesize results"] = t_syn
timings["program_store"] = t_store

# the readers: HR, the lead of the first team with the most members, a department head
User = get_user_model()
hr = User.objects.create(username="bench-hr")
hr.groups.add(Group.objects.get_or_create(name=HR_GROUP)[0])
lead_team = Team.objects.filter(lead__isnull=False).order_by("name").first()
lead = User.objects.create(username="bench-lead")
Employee.objects.filter(pk=lead_team.lead_id).update(user=lead)
Employee.objects.filter(employee_id__in=left_all).update(status="left")
# the head of the biggest department: an employee who leads no team
big = Department.objects.get(name=max(POSITIONS, key=lambda p: p[4])[2])
head_emp = (Employee.objects.filter(team__department=big, status="active")
            .exclude(pk__in=Team.objects.filter(lead__isnull=False).values("lead_id"))
            .order_by("employee_id").first())
head = User.objects.create(username="bench-head")
Employee.objects.filter(pk=head_emp.pk).update(user=head)
Department.objects.filter(pk=big.pk).update(head=head_emp)
from callgrade.cycles.models import ProgramSnapshot
from django.db import connection
with connection.cursor() as cur:
    cur.execute("select pg_total_relation_size('cycles_programsnapshot')")
    size = cur.fetchone()[0]
print("RESULT " + json.dumps({
    "timings": {k: round(v, 1) for k, v in timings.items()},
    "cycles": cycles, "employees": Employee.objects.count(), "teams": Team.objects.count(),
    "cells_per_cycle": len(ProgramSnapshot.objects.order_by("-id").first().cells),
    "snapshot_bytes": size,
}))
"""


def build_db(stamp: Stamp, *, reuse: bool) -> dict[str, Any]:
    db_stamp = DATA_ROOT / f"dash-{stamp.employees}" / "db.json"
    if reuse and db_stamp.exists():
        built = json.loads(db_stamp.read_text())
        if built.get("stamp") == asdict(stamp):
            log(f"database {DB_NAME} reused (built {built['at']})")
            return dict(built)
    log(f"dropping and creating database {DB_NAME}")
    pg_admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {DB_NAME}")
    log(f"building {stamp.employees} employees x {stamp.months} monthly snapshots ...")
    t0 = time.perf_counter()
    result = child(BUILD, json.dumps(asdict(stamp)))
    result["wall_s"] = round(time.perf_counter() - t0, 1)
    result["at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result["stamp"] = asdict(stamp)
    db_stamp.parent.mkdir(parents=True, exist_ok=True)
    db_stamp.write_text(json.dumps(result, indent=1))
    log(f"  built in {result['wall_s']} s: {result['timings']}")
    return result


# --- 4. timing ------------------------------------------------------------------------------------

TIME = r"""
import json, statistics, sys, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from callgrade.cycles.models import ProgramSnapshot
from callgrade.people.models import Department, Employee, Team

requests, wanted = int(sys.argv[1]), set(sys.argv[2].split(",")) if sys.argv[2] else None
User = get_user_model()
lead = User.objects.get(username="bench-lead")
mine = Team.objects.filter(lead__user=lead).order_by("name").first()
dept = Department.objects.order_by("name").first()
team = Team.objects.exclude(pk=mine.pk).order_by("-name").first()
position = "customer_service"
head = User.objects.filter(username="bench-head").first()
pages = [
    ("center", "bench-hr", "/program/", {}),
    ("department", "bench-hr", "/program/", {"department": dept.name}),
    ("position", "bench-hr", "/program/", {"position": position}),
    ("team", "bench-hr", "/program/", {"team": team.name}),
    ("department+position", "bench-hr", "/program/",
     {"department": dept.name, "position": position}),
    ("lead", "bench-lead", "/program/", {}),
    ("lead+position", "bench-lead", "/program/", {"position": mine.members.first().position}),
    ("xlsx center", "bench-hr", "/program/export.xlsx", {}),
    ("xlsx position", "bench-hr", "/program/export.xlsx", {"position": position}),
    ("xlsx lead", "bench-lead", "/program/export.xlsx", {}),
]
if head is not None and (not wanted or {"department head", "department head+team"} & wanted):
    pages += [("department head", "bench-head", "/program/", {}),
              ("department head+team", "bench-head", "/program/",
               {"team": Team.objects.filter(department__head__user=head).order_by("name")
                .first().name})]
out = []
for name, who, path, query in pages:
    if wanted and name not in wanted:
        continue
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_HOST="127.0.0.1")
    c.force_login(User.objects.get(username=who))
    for _ in range(2):
        assert c.get(path, query).status_code == 200
    times, cpu, sql, counts = [], [], [], []
    for _ in range(requests):
        with CaptureQueriesContext(connection) as q:
            t0, c0 = time.perf_counter(), time.process_time()
            r = c.get(path, query)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
        assert r.status_code == 200, (name, r.status_code)
        counts.append(len(q.captured_queries))
        sql.append(sum(float(x["time"]) for x in q.captured_queries) * 1000)
    times.sort()
    out.append({"page": name, "path": path, "query": query, "requests": requests,
                "p50": round(statistics.median(times), 1),
                "p95": round(times[max(0, int(round(0.95 * len(times))) - 1)], 1),
                "max": round(times[-1], 1), "queries": max(counts), "bytes": len(r.content),
                "cpu_p50": round(statistics.median(cpu), 1),
                "sql_p50": round(statistics.median(sql), 1)})
    print(json.dumps(out[-1]), file=sys.stderr, flush=True)
print("RESULT " + json.dumps({"pages": out}))
"""


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| page | query | p50 ms | p95 ms | max ms | CPU ms (p50) | SQL ms (p50) | queries | bytes "
        "| p95 / 300 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        q = "&".join(f"{k}={v}" for k, v in r["query"].items()) or "—"
        lines.append(
            f"| {r['page']} ({r['path']}) | {q} | {r['p50']:.0f} | **{r['p95']:.0f}** "
            f"| {r['max']:.0f} | {r.get('cpu_p50', 0):.0f} | {r.get('sql_p50', 0):.0f} "
            f"| {r['queries']} | {r['bytes']:,} | {r['p95'] / TARGET_MS:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--employees", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=24)
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--pages", default="", help="comma-separated page names (default: all)")
    ap.add_argument("--reuse-db", action="store_true", help="keep a database built from this stamp")
    args = ap.parse_args()
    started = datetime.now(UTC)
    head = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    stamp = Stamp(employees=args.employees, months=args.months)
    built = build_db(stamp, reuse=args.reuse_db)
    load_before = os.getloadavg()
    log(f"timing every page, {args.requests} requests each (load {load_before[0]:.2f}) ...")
    t0 = time.perf_counter()
    result = child(TIME, str(args.requests), args.pages)
    load_after = os.getloadavg()
    rows = result["pages"]
    report = {
        "started": started.isoformat(timespec="seconds"),
        "code": f"working tree at HEAD {head}",
        "machine": {"nproc": os.cpu_count(), "load_before": load_before, "load_after": load_after},
        "timing_s": round(time.perf_counter() - t0, 1),
        "data": built,
        "pages": rows,
    }
    OUT_DIR.mkdir(exist_ok=True)
    name = f"dashboard-{args.employees}-{started:%Y%m%dT%H%M%S}"
    (OUT_DIR / f"{name}.json").write_text(json.dumps(report, indent=1))
    md = table(rows)
    (OUT_DIR / f"{name}.md").write_text(md + "\n")
    print()
    print(md)
    print(f"\nload average before {load_before}, after {load_after}")
    print(f"saved {OUT_DIR / name}.json")


if __name__ == "__main__":
    main()
