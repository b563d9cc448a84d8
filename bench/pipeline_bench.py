"""Benchmark: the whole pipeline from warehouse to pay for one month, as a ratio to the bare DuckDB
aggregate of the KPI benchmark (``kpi_bench.BASELINE_SQL``) over the same files.

Contenders, each in its own process per run, interleaved (``common.interleave``):

(a) ``pipeline:<policy>``: ``run_cycle(inputs, <policy>, period="2026-03")`` for each shipped
    policy asked for (``--policy``, default both): the KPIs the policy names (four_positions
    includes first-contact resolution, a window over every customer's contacts), then scoring
    with sentences, grading at the period end and pay lines. The generator's roster uses its own
    codes (positions ``front_desk``/``telesales``/``technical``, levels ``L1``–``L6``); the child
    reads it mapped onto the policy's codes (``POSITIONS``; ``L1``–``L6`` → ``junior`` …
    ``expert``) so that all 10,000 employees are scored, graded and paid. The warehouse on disk
    is not modified.
(b) ``duckdb_sql``: the bare per-agent aggregate (``kpi_bench.child_duckdb``).

    python bench/gen_interactions.py --rows 50000000 --out bench/data/kpi-50m
    python bench/pipeline_bench.py run --data bench/data/kpi-50m --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from common import child_report, duckdb_settings, interleave, machine, run_child
from kpi_bench import PERIOD, child_duckdb

SCRIPT = Path(__file__).resolve()
POLICY = SCRIPT.parents[1] / "src" / "callgrade" / "engine" / "policy" / "examples"
POLICIES = ("four_positions", "customer_specialist_4_levels")
POSITIONS = {
    "four_positions": {"technical": "technical_support"},
    # the four-level standard grades customer service and technical support only
    "customer_specialist_4_levels": {
        "front_desk": "customer_service",
        "telesales": "customer_service",
        "technical": "technical_support",
    },
}
LEVELS = {"L1": "junior", "L2": "junior", "L3": "intermediate", "L4": "senior", "L5": "expert",
          "L6": "expert"}  # fmt: skip


class _MappedRoster:
    """The warehouse, with its roster read in the policy's codes."""

    def __init__(self, warehouse: Any, positions: dict[str, str]) -> None:
        self._wh, self._positions = warehouse, positions

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wh, name)

    def read(self, table: str) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        t = self._wh.read(table)
        if table != "roster":
            return t
        for col, mapping in (("position", self._positions), ("level", LEVELS)):
            values = t.column(col)
            keys = pa.array(list(mapping), pa.string())
            hit = pc.index_in(values, value_set=keys)
            mapped = pa.array(list(mapping.values()), pa.string()).take(hit)
            t = t.set_column(
                t.schema.get_field_index(col), col, pc.coalesce(mapped, values.cast(pa.string()))
            )
        return t


def child_pipeline(data: Path, result: str, policy_name: str) -> None:
    import ibis

    from callgrade.engine import cycle
    from callgrade.engine.people import CycleInputs
    from callgrade.engine.policy import load_policy
    from callgrade.engine.warehouse import Warehouse

    policy = load_policy(POLICY / f"{policy_name}.yaml")
    wh = _MappedRoster(Warehouse(data), POSITIONS[policy_name])
    connect = ibis.duckdb.connect

    def configured(*args: Any, **kwargs: Any) -> Any:
        con = connect(*args, **kwargs)
        duckdb_settings(con.con)  # the same DuckDB settings as the baseline
        return con

    ibis.duckdb.connect = configured  # the cycle's KpiEngine connects through it
    marks: list[tuple[str, float, float]] = []

    def on_step(name: str) -> None:
        marks.append((name, time.perf_counter(), time.process_time()))

    t0, c0 = time.perf_counter(), time.process_time()
    inputs = CycleInputs.from_warehouse(wh)  # type: ignore[arg-type]
    out = cycle.run_cycle(inputs, policy, period=PERIOD, on_step=on_step)
    t1, c1 = time.perf_counter(), time.process_time()
    marks.append(("end", t1, c1))
    kpi_s = marks[1][1] - marks[0][1]
    child_report(
        result,
        t1 - t0,
        cpu_s=c1 - c0,
        kpis_s=kpi_s,
        after_kpis_s=t1 - marks[1][1],
        after_kpis_cpu_s=c1 - marks[1][2],
        checksum={
            "kpi_rows": out.kpis.num_rows,
            "scored": sum(c.totals.num_rows for c in out.scorecards),
            "items": sum(c.items.num_rows for c in out.scorecards),
            "decisions": out.decisions.decisions.num_rows if out.decisions else 0,
            "pay_lines": sum(p.lines.num_rows for p in out.pay),
        },
    )


def bench(data: Path, runs: int, policies: list[str]) -> dict[str, Any]:
    description = json.loads((data / "description.json").read_text("utf-8"))
    names = [*(f"pipeline:{p}" for p in policies), "duckdb_sql"]
    contenders = {
        name: (lambda n=name: run_child(SCRIPT, ["child", n, "--data", str(data)], contender=n))
        for name in names
    }
    results = interleave(contenders, runs, print)
    out: dict[str, Any] = {"input": description, "machine": machine(), "contenders": {}}
    for name, rs in results.items():
        out["contenders"][name] = {
            "median_s": statistics.median(r.seconds for r in rs),
            "all_s": [r.seconds for r in rs],
            "peak_rss_mb_max": max(r.peak_rss_mb for r in rs),
            "load1_before_runs": [r.info.get("load1_before") for r in rs],
            "info": [{k: v for k, v in r.info.items() if k != "load1_before"} for r in rs],
        }
    c = out["contenders"]
    out["ratio"] = {
        p: c[f"pipeline:{p}"]["median_s"] / c["duckdb_sql"]["median_s"] for p in policies
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--data", type=Path, required=True)
    r.add_argument("--runs", type=int, default=3)
    r.add_argument("--policy", choices=POLICIES, action="append")
    c = sub.add_parser("child")
    c.add_argument("name", choices=[*(f"pipeline:{p}" for p in POLICIES), "duckdb_sql"])
    c.add_argument("--data", type=Path, required=True)
    c.add_argument("--result", required=True)
    args = ap.parse_args()
    if args.cmd == "child":
        if args.name == "duckdb_sql":
            child_duckdb(args.data, args.result)
        else:
            child_pipeline(args.data, args.result, args.name.split(":", 1)[1])
        return
    out = bench(args.data, args.runs, args.policy or list(POLICIES))
    print(json.dumps(out, indent=1, default=str))
    for policy, ratio in out["ratio"].items():
        print(f"pipeline ({policy}) / bare DuckDB aggregate = {ratio:.2f}×")


if __name__ == "__main__":
    main()
