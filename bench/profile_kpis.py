"""Where the KPI engine spends its time, next to the hand-written baseline: DuckDB's own profile.

    python bench/profile_kpis.py --data bench/data/kpi-1m [--every-kpi]

Runs ``compute_kpis`` (contact KPIs, or every KPI) and the baseline query once each with DuckDB
profiling on, and prints for each query the wall time, the columns the scan reads, and the time
and row count of every operator, so the two plans can be compared line by line. Python-side time
(Ibis compilation, the pandas pivot to long form) is the difference between the engine's wall
time and the sum of its queries.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import kpi_bench
from common import duckdb_settings


def _operators(node: dict[str, Any], depth: int = 0) -> list[tuple[int, str, float, int, Any]]:
    name = node.get("operator_name") or node.get("operator_type") or "?"
    rows = [
        (
            depth,
            str(name).strip(),
            float(node.get("operator_timing", 0.0)),
            int(node.get("operator_cardinality", 0)),
            node.get("extra_info", {}),
        )
    ]
    for child in node.get("children", []):
        rows += _operators(child, depth + 1)
    return rows


def _report(label: str, profile: dict[str, Any]) -> dict[str, Any]:
    ops = [op for child in profile.get("children", []) for op in _operators(child)]
    latency = float(profile.get("latency", 0.0))
    print(f"\n{label}: query latency {latency:.2f} s")
    for depth, name, secs, rows, extra in ops:
        print(f"  {'  ' * depth}{name:<22} {secs:7.2f} s  {rows:>12,} rows")
        if isinstance(extra, dict) and "Projections" in extra:
            cols = extra.get("Projections", "")
            cols = cols if isinstance(cols, str) else ", ".join(cols)
            print(f"  {'  ' * depth}  reads: {cols.replace(chr(10), ', ')}")
    return {"latency_s": latency, "operators": [(n, s, r) for _, n, s, r, _ in ops]}


def _profiled(con: Any, path: Path) -> None:
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"SET profiling_output = '{path}'")


def profile(data: Path, every_kpi: bool) -> dict[str, Any]:
    import duckdb
    import ibis

    from callgrade.engine.kpis import compute_kpis, open_tables
    from callgrade.engine.periods import parse_period
    from callgrade.engine.warehouse import Warehouse

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        prof = Path(tmp) / "profile.json"
        con = ibis.duckdb.connect()
        duckdb_settings(con.con)
        _profiled(con.con, prof)
        # DuckDB rewrites the profile file after every query: keep a copy after each execution.
        profiles: list[dict[str, Any]] = []
        backend = type(con)
        original = backend.to_pyarrow

        def keeping(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            if prof.exists():
                latest = json.loads(prof.read_text("utf-8"))
                # a result built without a DuckDB query (an empty table) leaves the file as it was
                if not profiles or latest != profiles[-1]:
                    profiles.append(latest)
            return result

        backend.to_pyarrow = keeping  # type: ignore[method-assign]
        start = time.perf_counter()
        tables = open_tables(con, Warehouse(data))
        kpis = None if every_kpi else kpi_bench.CONTACT_KPIS
        periods = parse_period(kpi_bench.PERIOD, tz=kpi_bench.TZ)
        compute_kpis(tables, periods=periods, by="agent", kpis=kpis)
        wall = time.perf_counter() - start
        backend.to_pyarrow = original  # type: ignore[method-assign]
        print(f"engine compute_kpis wall {wall:.2f} s (every_kpi={every_kpi})")
        out["engine_wall_s"] = wall
        for i, p in enumerate(profiles):
            out[f"engine_query_{i}"] = _report(f"engine query {i}", p)

        raw = duckdb.connect()
        duckdb_settings(raw)
        _profiled(raw, prof)
        start_b, end_b = kpi_bench.period_bounds()
        params = {
            "files": kpi_bench.interaction_files(data),
            "start": start_b,
            "end": end_b,
            "sl": kpi_bench.SL_THRESHOLD_S,
            "short": kpi_bench.SHORT_ABANDON_S,
        }
        start = time.perf_counter()
        raw.execute(kpi_bench.BASELINE_SQL, params).to_arrow_table()
        out["baseline_wall_s"] = time.perf_counter() - start
        print(f"\nbaseline wall {out['baseline_wall_s']:.2f} s")
        out["baseline"] = _report("baseline query", json.loads(prof.read_text("utf-8")))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--every-kpi", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    result = profile(args.data, args.every_kpi)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str), "utf-8")


if __name__ == "__main__":
    main()
