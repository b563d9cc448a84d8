"""Benchmark 2: queue_log ingestion into the warehouse, against DuckDB's bare CSV read.

Contenders, each in its own process per run:

(a) ``callgrade``: ``ingest_files(Warehouse(<fresh dir>), "queue_log", [file], tz="UTC")`` — parse,
    validate, derive interactions and agent states, write Parquet, commit the manifest.
(b) ``duckdb_read_csv``: DuckDB's own ``read_csv`` of the same file (``delim='|'``,
    ``header=false``, ``all_varchar=true``, ``null_padding=true``) aggregated as
    ``count(*)`` and ``count(columnN)`` of every column per event, so every field of every line is
    parsed and materialised — the floor for any reader of this file.

    python bench/queue_log_bench.py run --file bench/data/queue_log-10m.log --runs 3
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

from common import DATA_DIR, RunResult, child_report, duckdb_settings, interleave, run_child, timed
from common import summary as summarise

SCRIPT = Path(__file__).resolve()
CONTENDERS = ("callgrade_ingest", "duckdb_read_csv")

BASELINE_SQL = """
SELECT column4 AS event, count(*) AS n,
       count(column0) AS c0, count(column1) AS c1, count(column2) AS c2, count(column3) AS c3,
       count(column5) AS c5, count(column6) AS c6, count(column7) AS c7, count(column8) AS c8,
       count(column9) AS c9
FROM read_csv(?, delim='|', header=false, all_varchar=true, null_padding=true)
GROUP BY ALL
"""


def child_callgrade(file: Path, result: str) -> None:
    from callgrade.engine.ingest import ingest_files
    from callgrade.engine.warehouse import Warehouse

    target = DATA_DIR / f"wh-ingest-{uuid.uuid4().hex}"
    try:
        seconds, report = timed(
            lambda: ingest_files(Warehouse(target), "queue_log", [file], tz="UTC")
        )
        child_report(
            result,
            seconds,
            lines=report.read,
            accepted=report.accepted,
            rejected=report.rejected,
            rows=report.files[0].rows,
        )
    finally:
        shutil.rmtree(target, ignore_errors=True)


def child_duckdb(file: Path, result: str) -> None:
    import duckdb

    con = duckdb.connect()
    duckdb_settings(con)
    seconds, rows = timed(lambda: con.execute(BASELINE_SQL, [str(file)]).fetchall())
    child_report(result, seconds, lines=sum(r[1] for r in rows), events=len(rows))


def bench(file: Path, runs: int | dict[str, int], log: Any = print) -> dict[str, Any]:
    description = json.loads(file.with_suffix(".json").read_text("utf-8"))
    lines = description["lines"]

    def contender(name: str) -> Any:
        return lambda: run_child(SCRIPT, ["child", name, "--file", str(file)], contender=name)

    log(f"queue_log ingestion: {lines:,} lines, {file.stat().st_size / 1e6:,.0f} MB, runs {runs}")
    results: dict[str, list[RunResult]] = interleave(
        {name: contender(name) for name in CONTENDERS}, runs, log
    )
    out: dict[str, Any] = {"input": {**description, "file": str(file)}, "contenders": {}}
    for name, rs in results.items():
        s = summarise(rs)
        if s["info"].get("lines") != lines:
            raise RuntimeError(f"{name} saw {s['info'].get('lines')} lines, expected {lines}")
        s["lines_per_s"] = lines / s["median_s"]
        out["contenders"][name] = s
    a, b = (out["contenders"][n] for n in CONTENDERS)
    ratio = a["lines_per_s"] / b["lines_per_s"]
    out["targets"] = {
        "a_lines_per_s": {
            "value": a["lines_per_s"],
            "target": 1_000_000,
            "met": a["lines_per_s"] >= 1_000_000,
        },
        "a_share_of_b_rate": {"value": ratio, "target": 0.70, "met": ratio >= 0.70},
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("child")
    c.add_argument("name", choices=CONTENDERS)
    c.add_argument("--file", type=Path, required=True)
    c.add_argument("--result", required=True)
    r = sub.add_parser("run")
    r.add_argument("--file", type=Path, required=True)
    r.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    if args.cmd == "child":
        if args.name == "callgrade_ingest":
            child_callgrade(args.file, args.result)
        else:
            child_duckdb(args.file, args.result)
    else:
        json.dump(bench(args.file, args.runs), sys.stdout, indent=1, default=str)


if __name__ == "__main__":
    main()
