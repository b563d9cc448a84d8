"""The ``kpis`` command and what other commands use to compute KPIs: the engine choice (DuckDB
or Spark), ``--set`` options, the request's checks and the KPI table itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from callgrade.cli.common import (
    DataDir,
    EngineOpt,
    Failure,
    OutFile,
    Output,
    SparkConfOpt,
    SparkUrlOpt,
    app,
    console,
    output_format,
    progress,
    write_output,
)


def _kpi_options(settings: list[str]) -> Any:
    """KpiOptions from ``--set name=value`` pairs, each converted to the field's type."""
    import dataclasses

    from callgrade.engine.kpis import KpiOptions

    base = KpiOptions()
    fields = {f.name: f for f in dataclasses.fields(KpiOptions)}
    changes: dict[str, Any] = {}
    for item in settings:
        name, sep, raw = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in fields:
            raise Failure(
                f"--set {item!r}: expected NAME=VALUE with NAME one of: {', '.join(sorted(fields))}"
            )
        current = getattr(base, name)
        try:
            if isinstance(current, bool):
                value: Any = raw.lower() in ("1", "true", "yes", "on")
            elif isinstance(current, int):
                value = int(raw)
            elif isinstance(current, float):
                value = float(raw)
            else:
                value = raw
        except ValueError:
            raise Failure(f"--set {name}: {raw!r} is not a {type(current).__name__}") from None
        changes[name] = value
    try:
        return dataclasses.replace(base, **changes)
    except (TypeError, ValueError) as exc:
        raise Failure(f"--set: {exc}") from None


def kpi_engine(name: str, spark_url: str | None, spark_conf: list[str] | None) -> Any:
    """The KPI engine asked for, checked before any work starts (Spark itself starts later)."""
    from callgrade.engine.kpis import ENGINES, KpiEngine

    if name not in ENGINES:
        raise Failure(f"--engine {name!r}: expected {' or '.join(ENGINES)}")
    if name != "spark" and (spark_url or spark_conf):
        raise Failure("--spark-url and --spark-conf need --engine spark")
    pairs = []
    for item in spark_conf or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise Failure(f"--spark-conf {item!r}: expected KEY=VALUE, e.g. spark.driver.memory=8g")
        pairs.append((key.strip(), value.strip()))
    try:
        return KpiEngine(name, spark_url=spark_url or None, spark_conf=tuple(pairs))
    except ValueError as exc:
        raise Failure(f"--spark-conf: {exc}") from None


def connect_engine(engine: Any) -> Any:
    """An Ibis connection on ``engine`` (default DuckDB); a missing PySpark or Java is one line."""
    from callgrade.engine.kpis import EngineUnavailable, KpiEngine

    try:
        return (engine or KpiEngine()).connect()
    except EngineUnavailable as exc:
        raise Failure(str(exc)) from None


def check_kpi_request(
    data_dir: Path, *, period: str, grain: str | None, tz: str, kpis: list[str] | None
) -> Any:
    """Validate a KPI request before any work starts; returns the parsed periods."""
    from callgrade.engine.kpis import REGISTRY
    from callgrade.engine.periods import parse_period
    from callgrade.engine.warehouse import Warehouse

    try:
        periods = parse_period(period, tz=tz, grain=grain)
    except ValueError as exc:
        raise Failure(f"--period {period!r}: {exc}") from None
    for k in kpis or []:
        if k not in REGISTRY:
            raise Failure(f"unknown KPI {k!r}; expected one of: {', '.join(sorted(REGISTRY))}")
    if not Warehouse(data_dir).manifest()["tables"]:
        raise Failure(f"{data_dir}: the warehouse is empty; run 'callgrade ingest' first")
    return periods


def compute_kpi_table(
    data_dir: Path,
    *,
    period: str,
    grain: str | None,
    by: str,
    tz: str,
    kpis: list[str] | None,
    options: Any,
    engine: Any = None,
) -> Any:
    from callgrade.engine.kpis import compute_kpis, open_tables
    from callgrade.engine.warehouse import Warehouse

    periods = check_kpi_request(data_dir, period=period, grain=grain, tz=tz, kpis=kpis)
    con = connect_engine(engine)
    with Warehouse(data_dir).snapshot() as snap:
        tables = open_tables(con, snap)
        return compute_kpis(tables, periods=periods, by=by, kpis=kpis, options=options)


@app.command()
def kpis(
    period: Annotated[
        str,
        typer.Option(
            help="2026-03, 2026-Q1, 2026-H1, 2026-W05, 2026-03-05, 2026, FROM..TO (days,"
            " inclusive) or 2026-03-05T08:00..2026-03-05T12:00 (times, end not included)."
        ),
    ],
    data_dir: DataDir = Path("data"),
    by: Annotated[str, typer.Option(help="agent, team, queue or center.")] = "agent",
    grain: Annotated[
        str | None,
        typer.Option(
            help="Split the period: day, week, month, quarter, half, or intervals of 15min,"
            " 30min or 60min (an interval report: its KPIs unless --kpi names others)."
        ),
    ] = None,
    kpi: Annotated[list[str] | None, typer.Option(help="Only these KPIs (repeatable).")] = None,
    tz: Annotated[str, typer.Option("--tz", help="Time zone of period boundaries.")] = "UTC",
    output: Output = None,
    out: OutFile = None,
    limit: Annotated[int, typer.Option(help="Rows shown per table in the terminal.")] = 50,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="KPI option NAME=VALUE (see docs/kpis.md), repeatable."),
    ] = None,
    engine: EngineOpt = "duckdb",
    spark_url: SparkUrlOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """Compute KPIs for a period, per agent, team, queue or the whole center; with a grain of
    15min, 30min or 60min, an interval report (state time clipped to each interval, contacts in
    the interval they arrived in)."""
    from callgrade.engine.kpis.intraday import INTRADAY_KPIS
    from callgrade.engine.periods import SUBDAY_GRAINS
    from callgrade.output import interval_grid, kpi_grid

    if by not in ("agent", "team", "queue", "center"):
        raise Failure(f"--by {by!r}: expected agent, team, queue or center")
    fmt = output_format(output, out)
    options = _kpi_options(set_ or [])
    intervals = grain in SUBDAY_GRAINS
    if intervals and not kpi:
        kpi = list(INTRADAY_KPIS)
    backend = kpi_engine(engine, spark_url, spark_conf)
    check_kpi_request(data_dir, period=period, grain=grain, tz=tz, kpis=kpi)
    with progress() as bar:
        bar.add_task("computing KPIs", total=None)
        table = compute_kpi_table(
            data_dir,
            period=period,
            grain=grain,
            by=by,
            tz=tz,
            kpis=kpi,
            options=options,
            engine=backend,
        )
    if fmt == "table" and intervals:
        console.print(interval_grid(table, title=f"KPIs by {by} per {grain}", limit=limit))
        return
    if fmt == "table":
        for t in kpi_grid(table, title=f"KPIs by {by}", limit=limit, headline=not kpi):
            console.print(t)
        return
    write_output(table, fmt, out, what="KPI values")
