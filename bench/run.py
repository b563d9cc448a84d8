"""Run both benchmarks, print a table of medians and write a JSON (and Markdown) result file.

    .venv/bin/python bench/run.py            # full size: 50M interactions, 10M queue_log lines
    .venv/bin/python bench/run.py --quick    # 1M interactions, 1M lines: a sanity check

Data is generated on first use under bench/data/ (git-ignored; remove it when done); results go to
bench/out/results-<size>-<UTC time>.json and .md (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import common
import kpi_bench
import queue_log_bench
from common import BENCH_DIR, DATA_DIR, OUT_DIR, machine

# pandas needs ~20 GB for 50M rows (measured: 20.7 GB peak on this 23 GB machine, shared with
# other work), so at full size it runs on a 5M-row warehouse generated the same way and its time
# is scaled linearly; the DuckDB baseline runs on that slice too, to show how linear that is.
PANDAS_SLICE = {"quick": None, "full": 5_000_000}
SIZES = {
    # name: (interactions, queue_log lines, KPI runs per contender, ingest runs per contender)
    "quick": (
        1_000_000,
        1_000_000,
        {"callgrade": 3, "callgrade_all": 3, "duckdb_sql": 3, "pandas": 3},
        {"callgrade_ingest": 3, "duckdb_read_csv": 3},
    ),
    # At full size every KPI (FCR's window over 50M contacts) takes minutes a run on this shared
    # machine: callgrade_all runs only with --runs or in --quick.
    "full": (
        50_000_000,
        10_000_000,
        {"callgrade": 3, "callgrade_all": 0, "duckdb_sql": 3, "pandas": 3},
        {"callgrade_ingest": 3, "duckdb_read_csv": 5},
    ),
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _label(n: int) -> str:
    return f"{n // 1_000_000}m" if n % 1_000_000 == 0 else str(n)


def ensure_kpi_data(rows: int) -> Path:
    out = DATA_DIR / f"kpi-{_label(rows)}"
    if not (out / "description.json").exists():
        log(f"generating {rows:,} interactions into {out} …")
        cmd = [sys.executable, str(BENCH_DIR / "gen_interactions.py"), "--rows", str(rows)]
        subprocess.run([*cmd, "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


def ensure_queue_log(lines: int) -> Path:
    out = DATA_DIR / f"queue_log-{_label(lines)}.log"
    if not out.with_suffix(".json").exists():
        log(f"generating {lines:,} queue_log lines into {out} …")
        cmd = [sys.executable, str(BENCH_DIR / "gen_queue_log.py"), "--lines", str(lines)]
        subprocess.run([*cmd, "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


LABELS = {
    "callgrade": "(a) callgrade (contact KPIs)",
    "callgrade_all": "(a′) callgrade_all (every KPI)",
    "duckdb_sql": "(b) duckdb_sql",
    "pandas": "(c) pandas",
    "duckdb_sql_slice": "(b) duckdb_sql",
    "callgrade_ingest": "(a) callgrade_ingest",
    "duckdb_read_csv": "(b) duckdb_read_csv",
}


def _met(t: dict[str, Any]) -> str:
    return "met" if t["met"] else "NOT met"


def _load(contenders: dict[str, Any]) -> str:
    loads = [x for s in contenders.values() for x in s["load1_before_runs"] if x is not None]
    return f"load average {min(loads):.1f}–{max(loads):.1f} before runs" if loads else ""


def markdown(result: dict[str, Any]) -> str:
    lines = []
    if "kpi" in result:
        k = result["kpi"]
        lines += [
            f"KPIs per agent, {k['input']['interactions']:,} interactions"
            f" ({k['input']['bytes'] / 1e9:.2f} GB Parquet), {_load(k['contenders'])}:",
            "",
            "| contender | median s | min–max s | runs | peak RSS MiB |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, s in k["contenders"].items():
            label = LABELS.get(name, name)
            if "scale" in s:
                label = (
                    f"{label} on {s['slice_rows']:,} rows"
                    f" (×{s['scale']:.0f} = {s['median_s_scaled']:.1f} s)"
                )
            lines.append(
                f"| {label} | {s['median_s']:.2f} | {s['min_s']:.2f}–{s['max_s']:.2f} |"
                f" {s['runs']} | {s['peak_rss_mb_max']:,.0f} |"
            )
        lines.append("")
        if "baseline_linearity" in k:
            lines.append(
                f"- DuckDB baseline time per row, full / slice: {k['baseline_linearity']:.2f}"
                " (1.00 = perfectly linear)"
            )
        for key, t in k["targets"].items():
            if isinstance(t, dict):
                scaled = " (pandas scaled from slice)" if t.get("pandas_scaled_from_slice") else ""
                lines.append(
                    f"- {key} = {t['value']:.2f} (target {t['target']}): {_met(t)}{scaled}"
                )
            else:
                lines.append(f"- {t}")
        lines.append(f"- all contenders agree on checksums: {k['checksums_agree']}")
        lines.append("")
    if "queue_log" in result:
        q = result["queue_log"]
        lines += [
            f"queue_log ingestion, {q['input']['lines']:,} lines"
            f" ({q['input']['bytes'] / 1e6:,.0f} MB), {_load(q['contenders'])}:",
            "",
            "| contender | median s | min–max s | runs | lines/s | peak RSS MiB |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, s in q["contenders"].items():
            lines.append(
                f"| {LABELS.get(name, name)} | {s['median_s']:.2f} |"
                f" {s['min_s']:.2f}–{s['max_s']:.2f} | {s['runs']} | {s['lines_per_s']:,.0f} |"
                f" {s['peak_rss_mb_max']:,.0f} |"
            )
        lines.append("")
        for key, t in q["targets"].items():
            target = f"{t['target']:,}" if isinstance(t["target"], int) else t["target"]
            lines.append(f"- {key} = {t['value']:,.2f} (target ≥ {target}): {_met(t)}")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1M interactions and 1M lines")
    ap.add_argument("--only", choices=["kpi", "queue_log"], help="run one benchmark only")
    ap.add_argument("--runs", type=int, help="runs per contender (overrides the defaults)")
    ap.add_argument(
        "--rev", help="benchmark this commit's src/ (git archive) instead of the working tree"
    )
    args = ap.parse_args()
    if args.rev:
        common.export_commit(args.rev)
    size = "quick" if args.quick else "full"
    rows, lines, kpi_runs, ingest_runs = SIZES[size]
    if args.runs:
        kpi_runs = dict.fromkeys(kpi_runs, args.runs)
        ingest_runs = dict.fromkeys(ingest_runs, args.runs)
    started = datetime.now(UTC)
    result: dict[str, Any] = {
        "size": size,
        "started": started.isoformat(),
        "code": common.code_version(),
        "machine": machine(),
    }
    if args.only in (None, "kpi"):
        slice_rows = PANDAS_SLICE[size]
        pandas_data = ensure_kpi_data(slice_rows) if slice_rows else None
        result["kpi"] = kpi_bench.bench(ensure_kpi_data(rows), kpi_runs, log, pandas_data)
    if args.only in (None, "queue_log"):
        result["queue_log"] = queue_log_bench.bench(ensure_queue_log(lines), ingest_runs, log)
    result["finished"] = datetime.now(UTC).isoformat()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stem = OUT_DIR / f"results-{size}-{started:%Y%m%dT%H%M%SZ}"
    Path(f"{stem}.json").write_text(json.dumps(result, indent=1, default=str), "utf-8")
    table = f"Code: {result['code']}\n\n" + markdown(result)
    Path(f"{stem}.md").write_text(table, "utf-8")
    print(table)
    log(f"wrote {stem}.json and {stem}.md")


if __name__ == "__main__":
    main()
