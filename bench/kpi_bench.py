"""Benchmark 1: per-agent KPIs for one month, callgrade's engine against two baselines.

Contenders, each in its own process per run, all over the same warehouse Parquet files:

(a) ``callgrade``: ``compute_kpis(open_tables(ibis.duckdb.connect(), wh), periods=parse_period(
    "2026-03", tz="Asia/Shanghai"), by="agent", kpis=CONTACT_KPIS)`` materialised to Arrow — the
    contact KPIs whose sums the baselines compute, so (a) and (b) do the same work.
(a') ``callgrade_all``: the same call with the default ``kpis=None`` — every registered KPI,
    including FCR (a window over each customer's contacts) and occupancy (agent-state intervals
    clipped to the period). Reported for information; no baseline computes those.
(b) ``duckdb_sql``: one hand-written aggregate query over the interactions files computing the same
    per-agent sums and counts — the floor any engine on DuckDB pays.
(c) ``pandas``: read the needed columns with pandas, filter the period, groupby agent, compute the
    same sums and counts — the naive comparator.

The DuckDB contenders run with the same explicit settings (``common.duckdb_settings``). Every
contender reports a checksum (agents, contacts, handled, talk seconds) so a run that computes
something different does not pass as a fast one.

    python bench/kpi_bench.py run --data bench/data/kpi-50m --runs 3
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from common import RunResult, child_report, duckdb_settings, interleave, run_child, timed
from common import summary as summarise

SCRIPT = Path(__file__).resolve()
CONTENDERS = ("callgrade", "callgrade_all", "duckdb_sql", "pandas")
TZ = "Asia/Shanghai"
PERIOD = "2026-03"
SL_THRESHOLD_S = 20.0  # KpiOptions defaults
SHORT_ABANDON_S = 5.0
CONTACT_KPIS = [
    "answer_rate",
    "service_level",
    "asa",
    "aht",
    "talk_time",
    "hold_time",
    "acw_time",
    "abandon_rate",
    "transfer_rate",
]

# Per agent, with the engine's definitions (docs/kpis.md): the numerators and denominators behind
# answer rate, service level, ASA, AHT (talk + hold + ACW), abandon rate without short abandons,
# and transfer rate. Rows without an agent belong to no agent and are left out.
BASELINE_SQL = """
SELECT agent_id,
       count(*)                                                           AS offered,
       count(*) FILTER (WHERE answered)                                   AS handled,
       count(*) FILTER (WHERE direction = 'inbound' AND answered)         AS answered_in,
       count(*) FILTER (WHERE direction = 'inbound' AND answered
                          AND queue_wait_s <= $sl)                        AS answered_within_sl,
       count(*) FILTER (WHERE direction = 'inbound' AND outcome = 'abandoned'
                          AND NOT coalesce(queue_wait_s < $short, false)) AS abandoned,
       count(*) FILTER (WHERE direction = 'inbound' AND outcome = 'abandoned'
                          AND queue_wait_s < $short)                      AS short_abandons,
       count(*) FILTER (WHERE direction = 'inbound')                      AS inbound,
       sum(talk_s) FILTER (WHERE answered)                                AS talk_s,
       sum(hold_s) FILTER (WHERE answered)                                AS hold_s,
       sum(acw_s) FILTER (WHERE answered)                                 AS acw_s,
       sum(coalesce(talk_s, 0) + coalesce(hold_s, 0) + coalesce(acw_s, 0))
           FILTER (WHERE answered)                                        AS handle_s,
       count(*) FILTER (WHERE answered AND transferred)                   AS transfers,
       sum(queue_wait_s) FILTER (WHERE direction = 'inbound' AND answered) AS wait_answered_s
FROM read_parquet($files)
WHERE offered_at >= $start AND offered_at < $end AND agent_id IS NOT NULL
GROUP BY agent_id
"""

PANDAS_COLUMNS = [
    "agent_id",
    "direction",
    "offered_at",
    "answered",
    "queue_wait_s",
    "outcome",
    "talk_s",
    "hold_s",
    "acw_s",
    "transferred",
]


def period_bounds() -> tuple[datetime, datetime]:
    year, month = (int(x) for x in PERIOD.split("-"))
    zone = ZoneInfo(TZ)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def interaction_files(data: Path) -> list[str]:
    from callgrade.engine.warehouse import Warehouse

    return [str(f) for f in Warehouse(data).files("interactions")]


def checksum(agents: int, offered: float, handled: float, talk: float) -> dict[str, Any]:
    return {
        "agents": int(agents),
        "offered": int(offered),
        "handled": int(handled),
        "talk_s": round(float(talk), 1),
    }


def same_checksum(x: dict[str, Any] | None, y: dict[str, Any] | None) -> bool:
    """Counts must match exactly; float sums only up to summation order (relative 1e-9)."""
    if x is None or y is None:
        return False
    exact = all(x[k] == y[k] for k in ("agents", "offered", "handled"))
    return exact and abs(x["talk_s"] - y["talk_s"]) <= 1e-9 * max(abs(x["talk_s"]), 1.0)


def child_callgrade(data: Path, result: str, *, every_kpi: bool) -> None:
    import ibis
    import pyarrow.compute as pc

    from callgrade.engine.kpis import compute_kpis, open_tables
    from callgrade.engine.periods import parse_period
    from callgrade.engine.warehouse import Warehouse

    wh = Warehouse(data)

    def work() -> Any:
        con = ibis.duckdb.connect()
        duckdb_settings(con.con)
        tables = open_tables(con, wh)
        periods = parse_period(PERIOD, tz=TZ)
        kpis = None if every_kpi else CONTACT_KPIS
        return compute_kpis(tables, periods=periods, by="agent", kpis=kpis)

    seconds, table = timed(work)

    def part(kpi: str, column: str) -> float:
        rows = table.filter(pc.equal(table.column("kpi"), kpi))
        return float(pc.sum(rows.column(column).fill_null(0)).as_py() or 0)

    child_report(
        result,
        seconds,
        rows=table.num_rows,
        kpis=sorted(pc.unique(table.column("kpi")).to_pylist()),
        checksum=checksum(
            len(pc.unique(table.column("entity_id"))),
            part("answer_rate", "denominator"),
            part("aht", "denominator"),
            part("talk_time", "numerator"),
        ),
    )


def child_duckdb(data: Path, result: str) -> None:
    import duckdb

    files = interaction_files(data)
    start, end = period_bounds()
    con = duckdb.connect()
    duckdb_settings(con)
    params = {
        "files": files,
        "start": start,
        "end": end,
        "sl": SL_THRESHOLD_S,
        "short": SHORT_ABANDON_S,
    }
    seconds, table = timed(lambda: con.execute(BASELINE_SQL, params).to_arrow_table())
    col = table.column
    child_report(
        result,
        seconds,
        checksum=checksum(
            table.num_rows,
            col("offered").to_numpy().sum(),
            col("handled").to_numpy().sum(),
            col("talk_s").fill_null(0).to_numpy().sum(),
        ),
    )


def child_pandas(data: Path, result: str) -> None:
    import pandas as pd

    files = interaction_files(data)
    start, end = (pd.Timestamp(t) for t in period_bounds())

    def work() -> Any:
        df = pd.concat(
            [pd.read_parquet(f, columns=PANDAS_COLUMNS) for f in files], ignore_index=True
        )
        df = df[(df["offered_at"] >= start) & (df["offered_at"] < end) & df["agent_id"].notna()]
        ans = df["answered"]
        inbound = df["direction"] == "inbound"
        ans_in = inbound & ans
        abandoned = inbound & (df["outcome"] == "abandoned")
        short = abandoned & (df["queue_wait_s"] < SHORT_ABANDON_S)
        df = df.assign(
            offered=1,
            handled=ans.astype("int64"),
            answered_in=ans_in.astype("int64"),
            answered_within_sl=(ans_in & (df["queue_wait_s"] <= SL_THRESHOLD_S)).astype("int64"),
            abandoned=(abandoned & ~short).astype("int64"),
            short_abandons=short.astype("int64"),
            inbound=inbound.astype("int64"),
            talk=df["talk_s"].where(ans),
            hold=df["hold_s"].where(ans),
            acw=df["acw_s"].where(ans),
            handle=(df["talk_s"].fillna(0) + df["hold_s"].fillna(0) + df["acw_s"].fillna(0)).where(
                ans
            ),
            transfers=(ans & df["transferred"]).astype("int64"),
            wait_answered=df["queue_wait_s"].where(ans_in),
        )
        agg = df.groupby("agent_id").agg(
            offered=("offered", "sum"),
            handled=("handled", "sum"),
            answered_in=("answered_in", "sum"),
            answered_within_sl=("answered_within_sl", "sum"),
            abandoned=("abandoned", "sum"),
            short_abandons=("short_abandons", "sum"),
            inbound=("inbound", "sum"),
            talk_s=("talk", "sum"),
            hold_s=("hold", "sum"),
            acw_s=("acw", "sum"),
            handle_s=("handle", "sum"),
            transfers=("transfers", "sum"),
            wait_answered_s=("wait_answered", "sum"),
        )
        handled = agg["handled"]
        return agg.assign(
            answer_rate=agg["handled"] / agg["offered"],
            service_level=agg["answered_within_sl"] / agg["answered_in"],
            asa_s=agg["wait_answered_s"] / agg["answered_in"],
            aht_s=agg["handle_s"] / handled,
            abandon_rate=agg["abandoned"] / (agg["inbound"] - agg["short_abandons"]),
            transfer_rate=agg["transfers"] / handled,
        )

    seconds, agg = timed(work)
    child_report(
        result,
        seconds,
        checksum=checksum(
            len(agg), agg["offered"].sum(), agg["handled"].sum(), agg["talk_s"].sum()
        ),
    )


def engine_available() -> bool:
    try:
        from callgrade.engine.kpis import compute_kpis, open_tables  # noqa: F401
        from callgrade.engine.periods import parse_period  # noqa: F401
    except ImportError:
        return False
    return True


def _warm(data: Path) -> None:
    """Read the files once so that no contender pays for a cold page cache."""
    for f in interaction_files(data):
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass


def bench(
    data: Path, runs: int | dict[str, int], log: Any = print, pandas_slice: Path | None = None
) -> dict:
    """Run the contenders interleaved. With ``pandas_slice`` (a smaller warehouse generated the
    same way), pandas runs on that slice and its time is scaled linearly to the full row count;
    the DuckDB baseline also runs on the slice (``duckdb_sql_slice``) to show how linear that
    scaling is."""
    description = json.loads((data / "description.json").read_text("utf-8"))
    _warm(data)
    names = [n for n in CONTENDERS if not n.startswith("callgrade") or engine_available()]
    if isinstance(runs, dict):
        names = [n for n in names if runs.get(n, 0) > 0]
    where = dict.fromkeys(names, data)
    if pandas_slice is not None:
        _warm(pandas_slice)
        where["pandas"] = where["duckdb_sql_slice"] = pandas_slice
        names.append("duckdb_sql_slice")
        if isinstance(runs, dict):
            runs = {**runs, "duckdb_sql_slice": runs["pandas"]}

    def contender(name: str) -> Any:
        child = "duckdb_sql" if name == "duckdb_sql_slice" else name
        args = ["child", child, "--data", str(where[name])]
        return lambda: run_child(SCRIPT, args, contender=name)

    if isinstance(runs, dict):
        runs = {n: runs[n] for n in names}
    log(f"KPIs: {description['interactions']:,} interactions, runs {runs}")
    results: dict[str, list[RunResult]] = interleave({n: contender(n) for n in names}, runs, log)
    out: dict[str, Any] = {"input": {**description, "data": str(data)}, "contenders": {}}
    for name, rs in results.items():
        out["contenders"][name] = summarise(rs)
    sums = {n: s["info"].get("checksum") for n, s in out["contenders"].items()}
    out["checksums"] = sums
    full = [n for n in names if where[n] == data]
    sliced = [n for n in names if where[n] != data]
    out["checksums_agree"] = all(same_checksum(sums["duckdb_sql"], sums[n]) for n in full) and all(
        same_checksum(sums["duckdb_sql_slice"], sums[n]) for n in sliced
    )
    if not out["checksums_agree"]:
        log(f"  WARNING: contenders disagree: {sums}")
    if pandas_slice is not None:
        sliced_rows = json.loads((pandas_slice / "description.json").read_text("utf-8"))
        scale = description["interactions"] / sliced_rows["interactions"]
        for n in sliced:
            c = out["contenders"][n]
            c["slice_rows"] = sliced_rows["interactions"]
            c["scale"] = scale
            c["median_s_scaled"] = c["median_s"] * scale
        out["baseline_linearity"] = (
            out["contenders"]["duckdb_sql"]["median_s"]
            / out["contenders"]["duckdb_sql_slice"]["median_s"]
            / scale
        )
    out["targets"] = targets(out["contenders"])
    return out


def targets(c: dict[str, Any]) -> dict[str, Any]:
    if "callgrade" not in c:
        return {"note": "callgrade.engine.kpis not available: targets not evaluated"}
    a, b = (c[n]["median_s"] for n in ("callgrade", "duckdb_sql"))
    p = c["pandas"].get("median_s_scaled", c["pandas"]["median_s"])
    peak_gb = max(c[n]["peak_rss_mb_max"] for n in ("callgrade", "callgrade_all") if n in c) / 1024
    return {
        "a_over_b": {"value": a / b, "target": "<= 1.5", "met": a / b <= 1.5},
        "c_over_a": {
            "value": p / a,
            "target": ">= 20",
            "met": p / a >= 20,
            "pandas_scaled_from_slice": "median_s_scaled" in c["pandas"],
        },
        "a_peak_gib": {"value": peak_gb, "target": "<= 4", "met": peak_gb <= 4},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("child")
    c.add_argument("name", choices=CONTENDERS)
    c.add_argument("--data", type=Path, required=True)
    c.add_argument("--result", required=True)
    r = sub.add_parser("run")
    r.add_argument("--data", type=Path, required=True)
    r.add_argument("--runs", type=int, default=3)
    r.add_argument("--pandas-slice", type=Path, help="smaller warehouse for pandas (scaled)")
    args = ap.parse_args()
    if args.cmd == "child":
        if args.name == "callgrade":
            child_callgrade(args.data, args.result, every_kpi=False)
        elif args.name == "callgrade_all":
            child_callgrade(args.data, args.result, every_kpi=True)
        elif args.name == "duckdb_sql":
            child_duckdb(args.data, args.result)
        else:
            child_pandas(args.data, args.result)
    else:
        result = bench(args.data, args.runs, pandas_slice=args.pandas_slice)
        json.dump(result, sys.stdout, indent=1, default=str)


if __name__ == "__main__":
    main()
