"""Benchmark: one month's whole cycle (``run_cycle``, KPIs to pay) with the KPIs on local-mode
Spark against the same cycle on DuckDB, on the same generated warehouse, as a ratio.

Contenders, each in its own process per run, interleaved (``common.interleave``):

(a) ``cycle:duckdb``: ``run_cycle(..., engine=KpiEngine("duckdb"))`` with the benchmark's DuckDB
    settings (``common.duckdb_settings``: 2 threads).
(b) ``cycle:spark``: the same with ``KpiEngine("spark", spark_url="local[2]")`` (both cores) and
    ``spark.driver.memory`` (``--driver-memory``). The JVM's start-up is timed apart
    (``spark_start_s``) and not in the cycle time: a cluster pays it once per session.

Both read the roster in the policy's codes (``pipeline_bench._MappedRoster``) and report a hash of
their scorecards, decisions and pay lines (Arrow IPC bytes); the run fails if they differ.

    python bench/gen_interactions.py --rows 2000000 --out bench/data/kpi-2m
    python bench/spark_bench.py run --data bench/data/kpi-2m --runs 2
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

from common import child_report, duckdb_settings, interleave, machine, run_child
from kpi_bench import PERIOD
from pipeline_bench import POLICY, POSITIONS, _MappedRoster

SCRIPT = Path(__file__).resolve()
CONTENDERS = ("cycle:duckdb", "cycle:spark")


def _digest(result: Any) -> str:
    import pyarrow as pa

    h = hashlib.sha256()
    tables = [t for c in result.scorecards for t in (c.items, c.dimensions, c.totals)]
    tables += [p.lines for p in result.pay]
    if result.decisions is not None:
        d = result.decisions
        tables += [d.decisions, d.criteria, d.checklist]
    for t in tables:
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, t.schema) as w:
            w.write_table(t.combine_chunks())
        h.update(sink.getvalue().to_pybytes())
    return h.hexdigest()


def child_cycle(data: Path, result: str, engine_name: str, policy_name: str, memory: str) -> None:
    import ibis

    from callgrade.engine import cycle
    from callgrade.engine.kpis import KpiEngine
    from callgrade.engine.kpis.engines import spark_session
    from callgrade.engine.people import CycleInputs
    from callgrade.engine.policy import load_policy
    from callgrade.engine.warehouse import Warehouse

    policy = load_policy(POLICY / f"{policy_name}.yaml")
    wh = _MappedRoster(Warehouse(data), POSITIONS[policy_name])
    start_s = 0.0
    if engine_name == "spark":
        t = time.perf_counter()
        conf = (("spark.driver.memory", memory), ("spark.ui.enabled", "false"))
        session = spark_session(KpiEngine("spark", spark_url="local[2]", spark_conf=conf))
        session.range(1).count()  # the JVM and the executor threads are up
        start_s = time.perf_counter() - t
        engine = KpiEngine("spark", spark_session=session)
    else:
        connect = ibis.duckdb.connect

        def configured(*args: Any, **kwargs: Any) -> Any:
            con = connect(*args, **kwargs)
            duckdb_settings(con.con)  # the same DuckDB settings as the other benchmarks
            return con

        ibis.duckdb.connect = configured  # KpiEngine("duckdb") connects through it
        engine = KpiEngine("duckdb")
    marks: list[tuple[str, float]] = []
    t0 = time.perf_counter()
    inputs = CycleInputs.from_warehouse(wh)  # type: ignore[arg-type]
    out = cycle.run_cycle(
        inputs,
        policy,
        period=PERIOD,
        engine=engine,
        on_step=lambda name: marks.append((name, time.perf_counter())),
    )
    t1 = time.perf_counter()
    marks.append(("end", t1))
    child_report(
        result,
        t1 - t0,
        spark_start_s=start_s,
        kpis_s=marks[1][1] - marks[0][1],
        after_kpis_s=t1 - marks[1][1],
        digest=_digest(out),
        kpi_rows=out.kpis.num_rows,
        scored=sum(c.totals.num_rows for c in out.scorecards),
    )


def bench(data: Path, runs: int, policy: str, memory: str) -> dict[str, Any]:
    description = json.loads((data / "description.json").read_text("utf-8"))
    args = ["--data", str(data), "--policy", policy, "--driver-memory", memory]
    contenders = {
        name: (lambda n=name: run_child(SCRIPT, ["child", n, *args], contender=n))
        for name in CONTENDERS
    }
    results = interleave(contenders, runs, print)
    out: dict[str, Any] = {"input": description, "policy": policy, "machine": machine()}
    out["contenders"] = {
        name: {
            "median_s": statistics.median(r.seconds for r in rs),
            "all_s": [r.seconds for r in rs],
            "load1_before_runs": [r.info.get("load1_before") for r in rs],
            "info": [{k: v for k, v in r.info.items() if k != "load1_before"} for r in rs],
        }
        for name, rs in results.items()
    }
    digests = {i["digest"] for c in out["contenders"].values() for i in c["info"]}
    if len(digests) != 1:
        raise SystemExit(f"the engines disagree: {len(digests)} different outputs")
    c = out["contenders"]
    out["ratio_spark_to_duckdb"] = c["cycle:spark"]["median_s"] / c["cycle:duckdb"]["median_s"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("run", "child"):
        p = sub.add_parser(name)
        if name == "child":
            p.add_argument("name", choices=CONTENDERS)
            p.add_argument("--result", required=True)
        else:
            p.add_argument("--runs", type=int, default=2)
        p.add_argument("--data", type=Path, required=True)
        p.add_argument("--policy", choices=sorted(POSITIONS), default="four_positions")
        p.add_argument("--driver-memory", default="6g")
    args = ap.parse_args()
    args.data = args.data.resolve()  # the children run from the repository root
    if args.cmd == "child":
        engine = args.name.split(":", 1)[1]
        child_cycle(args.data, args.result, engine, args.policy, args.driver_memory)
        return
    out = bench(args.data, args.runs, args.policy, args.driver_memory)
    print(json.dumps(out, indent=1, default=str))
    print(f"cycle on local Spark / cycle on DuckDB = {out['ratio_spark_to_duckdb']:.2f}×")


if __name__ == "__main__":
    main()
