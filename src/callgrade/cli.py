"""The ``callgrade`` command line.

Every command fails with a non-zero exit and one plain line on stderr (no traceback) when its
input or options are wrong; progress bars appear for anything that takes more than a moment.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from callgrade.engine.connectors import CONNECTORS, DESCRIPTIONS, ConnectorError

app = typer.Typer(
    name="callgrade",
    help="Call-center staff grading (岗位定级): ingest, KPIs, scorecards.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Wide enough for KPI grids when output is not a terminal (pipes, CI logs).
console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        help="Data directory holding the warehouse (env CALLGRADE_DATA_DIR).",
        envvar="CALLGRADE_DATA_DIR",
    ),
]


Output = Annotated[
    str | None,
    typer.Option(
        help="table, csv, xlsx or json (default: table, or the extension of --out). CSV and JSON"
        " go to standard output unless --out is given."
    ),
]
OutFile = Annotated[
    Path | None,
    typer.Option(help="Output file for csv/xlsx/json; '-' is standard output."),
]
EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        help="KPI backend: duckdb (this process) or spark (local mode, or --spark-url).",
    ),
]
SparkUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-url",
        help="Spark master URL (spark://host:7077, yarn, k8s://…); default local mode on every"
        " core. Needs --engine spark.",
    ),
]
SparkConfOpt = Annotated[
    list[str] | None,
    typer.Option("--spark-conf", help="Spark setting KEY=VALUE, repeatable (--engine spark)."),
]


class Failure(Exception):
    """A user-facing failure: printed as one line, exit status 1."""


def progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


@app.command()
def ingest(
    fmt: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT", help="; ".join(f"{k}: {v}" for k, v in DESCRIPTIONS.items())
        ),
    ],
    files: Annotated[list[Path], typer.Argument(help="Files to ingest.")],
    data_dir: DataDir = Path("data"),
    tz: Annotated[str, typer.Option("--tz", help="Time zone of the source's times.")] = "UTC",
    encoding: Annotated[str, typer.Option(help="Text encoding of the files.")] = "utf-8",
    mapping: Annotated[
        Path | None, typer.Option(help="Column-mapping YAML (format 'mapped').")
    ] = None,
    horizon: Annotated[
        str | None,
        typer.Option(
            help="queue_log: the time up to which the files are complete (e.g. "
            "2026-03-31T23:59:59, in --tz unless it names a zone); logins and pauses still "
            "open at the end count until then. Default: the last line's time.",
        ),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            help="Connector option NAME=VALUE, repeatable (e.g. direction=inbound for cdr; "
            "see docs/connectors/).",
        ),
    ] = None,
) -> None:
    """Ingest FILES of FORMAT into the warehouse; prints read / accepted / rejected counts."""
    from callgrade.engine.ingest import ingest_files
    from callgrade.engine.warehouse import Warehouse

    if fmt not in CONNECTORS:
        raise Failure(f"unknown format {fmt!r}; expected one of: {', '.join(sorted(CONNECTORS))}")
    for f in files:
        if not f.is_file():
            raise Failure(f"{f}: no such file")
    options: dict[str, Any] = {"tz": tz, "encoding": encoding}
    for item in option or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise Failure(f"--option {item!r}: expected NAME=VALUE")
        options[name.strip()] = value
    if horizon is not None:
        options["horizon"] = horizon
    if fmt == "mapped":
        if mapping is None:
            raise Failure("format 'mapped' needs --mapping FILE.yaml")
        options["mapping"] = mapping
    wh = Warehouse(data_dir)
    with progress() as bar:
        task = bar.add_task(f"ingest {fmt}", total=len(files))

        def on_file(path: Path) -> None:
            bar.update(task, description=f"ingest {path.name}", advance=0)

        report = ingest_files(wh, fmt, files, on_file=on_file, **options)
        bar.update(task, completed=len(files))
    print_ingest_report(report)
    unread = [(f.path, f.unreadable) for f in report.files if f.unreadable]
    unread += [
        (f.path, "the file is empty") for f in report.files if _blank(f) and not f.unreadable
    ]
    if unread:
        # The other files are in the warehouse (see the table above); the exit status says
        # that not every file was.
        for path, reason in unread:
            sys.stderr.write(f"callgrade: {path}: {reason}\n")
        raise typer.Exit(1)


def _blank(f: Any) -> bool:
    """Whether a file that gave no records holds nothing but white space (an empty file)."""
    if f.read:
        return False
    try:
        with f.path.open("rb") as fh:
            return not fh.read(1 << 16).strip() and not fh.read(1)
    except OSError:
        return False


def print_ingest_report(report: Any) -> None:
    # The filtered column appears only when a mapping's row filter left rows aside.
    counts = ["read", "accepted", "rejected"] + (["filtered"] if report.filtered else [])
    table = Table(title="ingest")
    for col in ("file", *counts, "rows", "rejects file"):
        table.add_column(col, justify="right" if col in counts else "left")
    for f in report.files:
        rows = ", ".join(f"{k} {v:,}" for k, v in f.rows.items())
        table.add_row(
            f.path.name,
            *(f"{getattr(f, c):,}" for c in counts),
            rows,
            str(f.rejects_file or ""),
        )
    console.print(table)
    for name, c in report.commits.items():
        console.print(
            f"  {name}: {c.added:,} new, {c.replaced:,} already present, {c.total:,} in warehouse"
        )
    line = f"read {report.read:,} = accepted {report.accepted:,} + rejected {report.rejected:,}"
    if report.filtered:
        line += f" + filtered {report.filtered:,}"
    console.print(line)
    if report.batch:
        console.print(f"batch {report.batch} (undo: callgrade warehouse undo {report.batch})")


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


@app.command()
def demo(
    data_dir: DataDir = Path("data"),
    agents: Annotated[int, typer.Option(help="Agents in the demo center.")] = 200,
    months: Annotated[int, typer.Option(help="Months of history.")] = 6,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 42,
    serve: Annotated[bool, typer.Option(help="Then serve the web app on localhost.")] = False,
    port: Annotated[int, typer.Option(help="Port for --serve.")] = 8000,
) -> None:
    """Generate the demo center in real formats, ingest it, print KPI tables, grade it, seed the
    web app with a published cycle and one login per role, and (with --serve) serve the app."""
    import dataclasses

    from callgrade.engine.demo import DemoConfig, DemoFile, generate, ingest_demo, read_manifest
    from callgrade.engine.kpis import KpiOptions
    from callgrade.engine.warehouse import Warehouse

    config = dataclasses.replace(DemoConfig(), agents=agents, months=months, seed=seed)
    demo_dir = data_dir / "demo-input"
    stamp = demo_dir / "config.json"
    wanted = json.dumps(dataclasses.asdict(config), default=str, sort_keys=True)
    reuse = stamp.is_file() and stamp.read_text("utf-8") == wanted
    wh = Warehouse(data_dir)
    if not reuse and wh.manifest()["tables"]:
        raise Failure(
            f"{data_dir} already holds data from another demo or source; "
            "use an empty --data-dir for a new demo"
        )
    with progress() as bar:
        if reuse:
            # Same configuration, same bytes: generation is skipped; ingest re-checks and adds
            # nothing, which also proves idempotence on every run.
            files = read_manifest(demo_dir)
        else:
            task = bar.add_task("generating demo center", total=100)

            def on_progress(step: str, fraction: float) -> None:
                bar.update(task, description=f"generate: {step}", completed=fraction * 100)

            files = generate(demo_dir, config, on_progress=on_progress)
            stamp.write_text(wanted, "utf-8")
            bar.update(task, completed=100)
        ingest_task = bar.add_task("ingest", total=len(files))

        def on_file(f: DemoFile) -> None:
            bar.update(
                ingest_task,
                description=f"ingest {f.format}: {f.path.name}",
                completed=files.index(f),
            )

        reports = ingest_demo(wh, files, config.tz, on_file=on_file)
        bar.update(ingest_task, completed=len(files))
    summary = Table(title=f"demo ingest into {data_dir}")
    for col in ("file", "format", "read", "accepted", "rejected"):
        summary.add_column(col, justify="left" if col in ("file", "format") else "right")
    for f, r in zip(files, reports, strict=True):
        summary.add_row(f.path.name, f.format, f"{r.read:,}", f"{r.accepted:,}", f"{r.rejected:,}")
    console.print(summary)
    read = sum(r.read for r in reports)
    accepted = sum(r.accepted for r in reports)
    rejected = sum(r.rejected for r in reports)
    console.print(f"read {read:,} = accepted {accepted:,} + rejected {rejected:,}")

    from callgrade.output import kpi_grid

    last = config.start.month - 1 + config.months - 1
    period = f"{config.start.year + last // 12}-{last % 12 + 1:02d}"
    for by, limit in (("center", None), ("team", 30), ("queue", None), ("agent", 15)):
        table = compute_kpi_table(
            data_dir,
            period=period,
            grain=None,
            by=by,
            tz=config.tz,
            kpis=None,
            options=KpiOptions(),
        )
        for t in kpi_grid(table, title=f"KPIs by {by}", limit=limit):
            console.print(t)
    first = f"{config.start.year}-{config.start.month:02d}"
    history = f"{first}..{period}" if first != period else period
    demo_cycle(data_dir, history, period)
    # Two consecutive cycles: the first closed with its level changes, the second graded from
    # them (three months each in the default demo: the shipped standard grades by quarter).
    covered = [_month_add(first, i) for i in range(config.months)]
    split = len(covered) // 2
    previous = None
    if split:
        earlier = covered[:split]
        previous = (f"{earlier[0]}-01..{_month_end(earlier[-1])}", _cycle_name(earlier))
    later = covered[split:]
    spec = f"{later[0]}-01..{_month_end(later[-1])}"
    seed_web(data_dir, spec, name=_cycle_name(later), previous=previous)
    if serve:
        from callgrade.web.launch import serve as serve_app
        from callgrade.web.launch import start_live_demo

        followed = start_live_demo(data_dir)
        console.print(
            f"callgrade live follows {followed}: a demo feed appends answered calls to it, so "
            "instant rewards appear on the agent's My awards page while you watch"
        )
        console.print(f"serving http://127.0.0.1:{port}/ (Ctrl-C stops)")
        serve_app(data_dir, host="127.0.0.1", port=port)


def _month_add(month: str, n: int) -> str:
    year, mon = (int(x) for x in month.split("-"))
    index = year * 12 + mon - 1 + n
    return f"{index // 12}-{index % 12 + 1:02d}"


def _cycle_name(months: list[str]) -> str:
    return f"demo {months[0]}" if len(months) == 1 else f"demo {months[0]}..{months[-1]}"


def seed_web(
    data_dir: Path, period: str, *, name: str, previous: tuple[str, str] | None = None
) -> None:
    """Seed the web app from the warehouse and print one login per role."""
    from callgrade.web.launch import seed_app

    with progress() as bar:
        bar.add_task("web app: organization, standards, two graded cycles", total=None)
        out = seed_app(
            data_dir,
            period=period,
            cycle_name=name,
            previous=previous,
            draft_file=EXAMPLES / "customer_specialist_4_levels.yaml",
        )
    if previous is not None:
        console.print(f"cycle '{previous[1]}' closed: its level changes took effect")
    if out["simulation"] is not None:
        console.print(f"draft standard simulated: {out['simulation'].state}")
    table = Table(title=f"web app seeded: cycle '{out['cycle'].name}' is {out['cycle'].state}")
    for col in ("role", "username", "password", "employee"):
        table.add_column(col)
    for login in out["logins"]:
        table.add_row(login.role, login.username, login.password, login.who)
    console.print(table)
    console.print(f"database: {data_dir / 'callgrade.sqlite3'} (set DATABASE_URL for PostgreSQL)")


def demo_cycle(data_dir: Path, history: str, last: str) -> None:
    """Run the shipped four-position standard over the demo history and summarize it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from callgrade.output import plain_table

    # The KPI engine takes a..b as inclusive days; month specs become their first/last day.
    start, _, end = history.partition("..")
    spec = history if not end else f"{start}-01..{_month_end(end)}"
    policy = load_policy_arg("four_positions")
    result = run_cycle_cli(data_dir, policy, spec, grade_at_end=True)
    totals = pa.concat_tables([c.totals for c in result.scorecards])
    last_totals = totals.filter(pc.equal(totals.column("period"), last))
    ratings = last_totals.group_by(["position", "rating"]).aggregate([("employee_id", "count")])
    # positions by their names, ratings in the standard's order (best first), not alphabetically
    names = {p.code: p.label.en for p in policy.positions}
    order = {g.code: i for i, g in enumerate(policy.ratings.grades)}
    rows = sorted(
        ratings.to_pylist(),
        key=lambda r: (names.get(r["position"], r["position"]), order.get(r["rating"], 99)),
    )
    ratings = pa.Table.from_pylist(
        [
            {
                "position": names.get(r["position"], r["position"]),
                "rating": r["rating"],
                "employees": r["employee_id_count"],
            }
            for r in rows
        ]
    )
    console.print(
        plain_table(
            ratings,
            title=f"ratings under {policy.label.en} {policy.version} — {last}",
            columns=ratings.column_names,
            limit=None,
        )
    )
    assert result.decisions is not None
    actions = result.decisions.decisions.group_by("action").aggregate([("employee_id", "count")])
    console.print(
        plain_table(
            actions.rename_columns(["action", "employees"]),
            title=f"proposed ladder actions (grading period ending {result.decisions.cycle_end})",
            columns=["action", "employees"],
            limit=None,
        )
    )
    lines = pa.concat_tables([p.lines for p in result.pay])
    cash = lines.filter(pc.equal(lines.column("cash"), True))
    money = cash.group_by(["period", "kind"]).aggregate([("amount", "sum")])
    money = money.rename_columns(["period", "kind", "amount"]).sort_by(
        [("period", "ascending"), ("kind", "ascending")]
    )
    console.print(
        plain_table(
            money,
            title=f"pay by month ({policy.currency})",
            columns=["period", "kind", "amount"],
            limit=None,
        )
    )
    console.print(
        f"More: callgrade score|grade|pay --policy four_positions --period {last} "
        f"--data-dir {data_dir}; callgrade kpis --period {last} --by agent --out kpis.xlsx"
    )


def _month_end(month: str) -> str:
    import calendar

    year, mon = (int(x) for x in month.split("-"))
    return f"{month}-{calendar.monthrange(year, mon)[1]:02d}"


@app.command("serve")
def serve_cmd(
    data_dir: DataDir = Path("data"),
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[int, typer.Option(help="gunicorn worker processes.")] = 2,
) -> None:
    """Serve the web app (gunicorn) over the data directory's warehouse and database."""
    from callgrade.web.launch import serve

    serve(data_dir, host=host, port=port, workers=workers)


@app.command("demo-feed", hidden=True)
def demo_feed_cmd(
    agents: Annotated[list[str], typer.Argument(help="Employee ids who answer the calls.")],
    queue_log: Annotated[Path, typer.Option("--queue-log", help="The queue_log to append to.")],
    first: Annotated[
        str | None, typer.Option(help="The employee who answers the first twenty calls.")
    ] = None,
    pace: Annotated[float, typer.Option(help="Seconds between calls.")] = 1.0,
) -> None:
    """Append answered calls to a queue_log as a demo day brings them (the README's demo runs it
    beside ``callgrade live`` so instant rewards appear while someone watches)."""
    from callgrade.live import feed_demo

    if pace < 0:
        raise Failure("--pace must be zero or a positive number of seconds")
    feed_demo(queue_log, agents, first=first, pace=pace, report=err.print)


@app.command("live")
def live_cmd(
    queue_log: Annotated[
        Path, typer.Option("--queue-log", help="The Asterisk queue_log to follow as it grows.")
    ],
    data_dir: DataDir = Path("data"),
    interval: Annotated[float, typer.Option(help="Seconds between looks when idle.")] = 0.2,
    once: Annotated[bool, typer.Option("--once", help="Read what is there and stop.")] = False,
    encoding: Annotated[str, typer.Option(help="The queue_log's text encoding.")] = "utf-8",
    rewards: Annotated[
        bool, typer.Option(help="Evaluate the standard's instant rewards as events arrive.")
    ] = True,
) -> None:
    """Take events as they happen: follow a queue_log (surviving rotation, truncation and
    restarts), storing every line in <data-dir>/live/events.jsonl before anything acts on it;
    with --rewards (the default) evaluate the followed lines and the events other systems post
    to /live/events/ against the standard's instant rewards, into the awards ledger."""
    import codecs

    from callgrade.live import follow_queue_log

    try:
        codecs.lookup(encoding)
    except LookupError:
        raise Failure(f"unknown encoding {encoding!r}") from None
    if interval <= 0:
        raise Failure("--interval must be a positive number of seconds")
    consume = None
    if rewards:
        from callgrade.live import live_paths
        from callgrade.web.launch import setup

        Path(data_dir).mkdir(parents=True, exist_ok=True)
        setup(data_dir)
        from django.core.management import call_command

        from callgrade.engagement.services.rewards import RewardsConsumer, fast_commits

        call_command("migrate", verbosity=0)  # the ledger's tables, when the app never ran here

        fast_commits(report=err.print)
        consume = RewardsConsumer(live_paths(data_dir)[0], report=err.print).poll
    try:
        follow_queue_log(data_dir, queue_log, interval=interval, once=once, encoding=encoding,
                         report=err.print, consume=consume)  # fmt: skip
    except ValueError as e:  # an unreadable state file names itself
        raise Failure(str(e)) from None


@app.command("event-source")
def event_source_cmd(
    name: Annotated[str, typer.Argument(help="The system that will post events, e.g. 'QA tool'.")],
    data_dir: DataDir = Path("data"),
) -> None:
    """Give a system a token to post live events (QA evaluations, survey answers, sales, KPI
    values) to /live/events/. The token is printed once and kept only as a hash."""
    from callgrade.web.launch import setup

    Path(data_dir).mkdir(parents=True, exist_ok=True)
    setup(data_dir)
    from django.core.management import call_command
    from django.utils import translation

    from callgrade.engagement.services import EngagementError
    from callgrade.engagement.services.rewards import event_source_create

    call_command("migrate", verbosity=0)
    try:
        with translation.override("en"):  # the command line speaks English
            _source, token = event_source_create(name=name, actor=None)
    except EngagementError as e:
        raise Failure(str(e)) from None
    err.print(f"event source {name!r}: send 'Authorization: Bearer <token>' with each POST")
    print(token)


policy_app = typer.Typer(help="The grading standard (岗位定级标准) as a policy file.")
app.add_typer(policy_app, name="policy")
warehouse_app = typer.Typer(help="The warehouse's own housekeeping.")
app.add_typer(warehouse_app, name="warehouse")


@warehouse_app.command("gc")
def warehouse_gc(data_dir: DataDir = Path("data")) -> None:
    """Delete warehouse files no reader can still need: partitions replaced by later ingests
    once their last reader is done, and files of ingests that were killed before committing.
    Every ingest does this too; files a reader still uses are kept."""
    from callgrade.engine.warehouse import Warehouse

    removed = Warehouse(data_dir).collect()
    console.print(f"removed {len(removed):,} unused files")


pull_app = typer.Typer(help="Pull data from a database table into the warehouse.")
app.add_typer(pull_app, name="pull")


@pull_app.command("queue_log")
def pull_queue_log(
    url: Annotated[
        str,
        typer.Option(
            "--url",
            help="postgresql://user:password@host:port/database or mysql://… (MySQL, MariaDB)",
        ),
    ],
    name: Annotated[
        str, typer.Option("--name", help="Names this source's cursor and batches.")
    ] = "queue_log",
    table: Annotated[
        str, typer.Option("--table", help="Table (or schema.table; database.table on MySQL).")
    ] = "queue_log",
    by: Annotated[str, typer.Option("--by", help="Incremental by id or time.")] = "id",
    tz: Annotated[str, typer.Option("--tz", help="Zone of the table's local times.")] = "UTC",
    chunk: Annotated[int, typer.Option("--chunk", help="Rows kept per chunk.")] = 50_000,
    data_dir: DataDir = Path("data"),
) -> None:
    """Fetch the rows of Asterisk's realtime queue_log table past the cursor and load the months
    they fall in, as one batch. Safe to stop at any moment: the next pull resumes."""
    from callgrade.engine.pull import PullSource, pull
    from callgrade.engine.warehouse import Warehouse

    source = PullSource(name=name, url=url, table=table, by=by, tz=tz, chunk=chunk)
    report = pull(Warehouse(data_dir), source)
    console.print(f"fetched {report.fetched:,} rows")
    if report.ingest is None:
        console.print("nothing new to load")
        return
    print_ingest_report(report.ingest)


@warehouse_app.command("batches")
def warehouse_batches(data_dir: DataDir = Path("data")) -> None:
    """List the batches (one per ingest, upload or pull), newest first."""
    from callgrade.engine.warehouse import Warehouse

    table = Table(title="batches")
    for col in ("batch", "at", "what", "rows", "undone"):
        table.add_column(col)
    for batch_id, b in Warehouse(data_dir).batches():
        rows = ", ".join(f"{k} {v:,}" for k, v in b.get("rows", {}).items())
        table.add_row(batch_id, b.get("at", ""), b.get("label", ""), rows, b.get("undone_at", ""))
    console.print(table)


@warehouse_app.command("undo")
def warehouse_undo(
    batch: Annotated[str, typer.Argument(help="Batch id (see 'callgrade warehouse batches').")],
    data_dir: DataDir = Path("data"),
) -> None:
    """Take a batch out of the warehouse as a whole: the rows it wrote that no other standing
    batch also wrote. Undoing an undone batch changes nothing."""
    from callgrade.engine.batches import BatchError
    from callgrade.engine.warehouse import Warehouse

    try:
        report = Warehouse(data_dir).undo(batch)
    except BatchError as exc:
        raise Failure(str(exc)) from None
    if report.already_undone:
        console.print(f"batch {batch} was already undone; nothing changed")
        return
    for name, n in report.removed.items():
        console.print(f"  {name}: {n:,} removed, {report.kept.get(name, 0):,} kept (other loads)")
    console.print(f"batch {batch} undone: {report.total_removed:,} rows removed")


@policy_app.command("check")
def policy_check(
    file: Annotated[Path, typer.Argument(help="Policy YAML file.")],
) -> None:
    """Validate a policy; prints every error with line and column."""
    from callgrade.engine.policy import check_notes, check_policy, format_errors

    if not file.is_file():
        raise Failure(f"{file}: no such file")
    errors = check_policy(file)
    typer.echo(format_errors(errors))
    if errors:
        raise typer.Exit(1)
    for note in check_notes(file):
        typer.echo(f"note: {note}")


@policy_app.command("suggest")
def policy_suggest(
    policy: Annotated[str, typer.Argument(help="Policy YAML, or a shipped example by name.")],
    period: Annotated[str, typer.Option(help="The period to read, e.g. 2026-H1 or 2026-Q2.")],
    data_dir: DataDir = Path("data"),
    percentile: Annotated[
        float, typer.Option(help="Floors at this percentile, targets at 100 minus it.")
    ] = 25.0,
    output: Output = "table",
    out: OutFile = None,
) -> None:
    """Thresholds from data: each floor, target and rating band against the last rating
    period's values (the share who meet it today) and the value suggested at a percentile; then
    how many employees each ladder action reaches at the end of the period."""
    from callgrade.engine.analysis.thresholds import suggestions, suggestions_table
    from callgrade.engine.cycle import policy_distributions

    if not 0 < percentile < 50:
        raise Failure(f"--percentile {percentile:g}: give a number between 0 and 50")
    chosen = load_policy_arg(policy)
    inputs = warehouse_inputs(data_dir)
    with progress() as bar:
        bar.add_task("KPIs, scores and grading", total=None)
        try:
            spread, actions = policy_distributions(inputs, chosen, period=period)
        except ValueError as exc:
            raise Failure(str(exc)) from None
    table = suggestions_table(suggestions(chosen, spread, percentile))
    columns = ["field", "current", "share_now", "suggested", "share_suggested", "percentile", "n"]
    emit(
        table,
        fmt=output_format(output, out),
        out=out,
        title=f"thresholds from data — {spread.period}, percentile {percentile:g}",
        columns=columns,
        limit=500,
    )
    if output == "table":
        for action, n in actions.items():
            console.print(f"{action}: {n:,} employees")


@app.command("training-effect")
def training_effect_cmd(
    period: Annotated[
        str, typer.Option(help="The months analysed, e.g. 2026-H1, 2026 or 2026-01-01..2026-06-30.")
    ],
    data_dir: DataDir = Path("data"),
    kpi: Annotated[list[str] | None, typer.Option(help="Only these KPIs (repeatable).")] = None,
    window: Annotated[int, typer.Option(help="Months compared before and after.")] = 1,
    min_sample: Annotated[
        int, typer.Option(help="Fewer trainees or comparison people flag a small sample.")
    ] = 5,
    tz: Annotated[str, typer.Option("--tz", help="Time zone of month boundaries.")] = "UTC",
    output: Output = None,
    out: OutFile = None,
    limit: Limit = 50,
) -> None:
    """Did each course work? Each trainee's KPIs before and after the course against colleagues
    of the same position who were not trained (difference in differences), per course and KPI,
    with the sample sizes and small samples flagged (docs/kpis.md, *Training effect*)."""
    from callgrade.engine.analysis.training_effect import completions, training_effect
    from callgrade.engine.kpis import REGISTRY, KpiOptions
    from callgrade.engine.warehouse import Warehouse

    fmt = output_format(output, out)
    if window < 1:
        raise Failure(f"--window {window}: give at least 1 month")
    with Warehouse(data_dir).snapshot() as snap:
        trainings, roster = snap.read("trainings"), snap.read("roster")
    if trainings.num_rows == 0:
        raise Failure(f"{data_dir} holds no training records: ingest or record trainings first")
    with progress() as bar:
        bar.add_task("monthly KPIs per agent", total=None)
        monthly = compute_kpi_table(
            data_dir,
            period=period,
            grain="month",
            by="agent",
            tz=tz,
            kpis=kpi,
            options=KpiOptions(),
        )
    positions = dict(
        zip(
            roster.column("employee_id").to_pylist(),
            roster.column("position").to_pylist(),
            strict=True,
        )
    )
    directions = {k: d.direction for k, d in REGISTRY.items()}
    table = training_effect(
        completions(trainings, tz),
        monthly,
        positions,
        directions,
        window=window,
        min_sample=min_sample,
    )
    columns = [
        "course",
        "kpi",
        "trained_n",
        "comparison_n",
        "effect",
        "improvement",
        "standard_error",
        "small_sample",
        "excluded_n",
    ]
    emit(table, fmt=fmt, out=out, title=f"training effect — {period}", columns=columns, limit=limit)


@app.command("baseline")
def baseline_cmd(
    period: Annotated[
        str, typer.Option(help="The period to survey: 2026-Q1, 2026-H1 or FROM..TO (inclusive).")
    ],
    data_dir: DataDir = Path("data"),
    tz: Annotated[str, typer.Option("--tz", help="Time zone of period boundaries.")] = "UTC",
    lang: Annotated[str, typer.Option(help="Language of the findings: zh or en.")] = "zh",
    out: Annotated[
        Path | None, typer.Option(help="Write the whole report to this workbook (.xlsx).")
    ] = None,
) -> None:
    """The current-state report (现状调研) before any standard exists: staffing by position,
    team and tenure, each KPI's distribution per position, the data's coverage and gaps, and
    what stands out."""
    from callgrade.engine.analysis.baseline_data import baseline_from, staff_from_roster
    from callgrade.engine.analysis.baseline_words import finding_text, report_sheets
    from callgrade.engine.periods import parse_period
    from callgrade.engine.warehouse import Warehouse
    from callgrade.output import sheets_xlsx

    if lang not in ("zh", "en"):
        raise Failure(f"--lang {lang!r}: expected zh or en")
    if out is not None and out.suffix.lower() != ".xlsx":
        raise Failure(f"--out {out}: the report is a workbook; give a file ending in .xlsx")
    try:
        months = parse_period(period, tz=tz, grain="month")
    except ValueError as exc:
        raise Failure(f"--period {period!r}: {exc}") from None
    if len(months) > 24:
        raise Failure(f"--period {period!r}: {len(months)} months; the report reads at most 24")
    wh = Warehouse(data_dir)
    if not wh.manifest()["tables"]:
        raise Failure(f"{data_dir}: the warehouse is empty; run 'callgrade ingest' first")
    with wh.snapshot() as snap, progress() as bar:
        task = bar.add_task("current-state report", total=None)
        staff = staff_from_roster(snap.read("roster"), tz)
        if not staff:
            raise Failure(f"{data_dir}: the warehouse holds no roster; ingest the employees first")
        report = baseline_from(
            snap, staff, period, tz, on_step=lambda s: bar.update(task, description=s)
        )
    result = report.to_dict()
    console.print(f"{report.period}: {report.headcount:,} staff, {len(report.kpis):,} KPI rows")
    for f in report.findings:
        console.print(f"- {finding_text(f, lang)}")
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(sheets_xlsx(report_sheets(result, lang)))
        except OSError as exc:
            raise Failure(f"--out {out}: {exc.strerror or exc}") from None
        err.print(f"wrote the report to {out}")


EXAMPLES = Path(__file__).parent / "engine" / "policy" / "examples"


def load_policy_arg(value: str) -> Any:
    """A policy from a file path, or a shipped example by name (e.g. ``four_positions``)."""
    from callgrade.engine.policy import PolicyInvalid, format_errors, load_policy

    path = Path(value)
    if not path.is_file() and (EXAMPLES / f"{value}.yaml").is_file():
        path = EXAMPLES / f"{value}.yaml"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
        raise Failure(f"--policy {value}: no such file or shipped example ({shipped})")
    try:
        return load_policy(path)
    except PolicyInvalid as exc:
        first = format_errors(exc.errors).splitlines()[0]
        raise Failure(
            f"{path} is not a valid policy: {first} (see 'callgrade policy check')"
        ) from None


def warehouse_inputs(data_dir: Path) -> Any:
    """The cycle's inputs from the warehouse: the CLI's record of people is its tables."""
    from callgrade.engine.people import CycleInputs
    from callgrade.engine.warehouse import Warehouse

    wh = Warehouse(data_dir)
    if not wh.manifest()["tables"]:
        raise Failure(f"{data_dir}: the warehouse is empty; run 'callgrade ingest' first")
    try:
        return CycleInputs.from_warehouse(wh)
    except ValueError as exc:
        raise Failure(str(exc)) from None


def run_cycle_cli(
    data_dir: Path, policy: Any, period: str, *, grade_at_end: bool, engine: Any = None
) -> Any:
    from callgrade.engine.cycle import run_cycle
    from callgrade.engine.kpis import EngineUnavailable

    inputs = warehouse_inputs(data_dir)
    with progress() as bar:
        task = bar.add_task("cycle", total=None)
        try:
            return run_cycle(
                inputs,
                policy,
                period=period,
                grade_at_end=grade_at_end,
                on_step=lambda name: bar.update(task, description=name),
                engine=engine,
            )
        except (ValueError, EngineUnavailable) as exc:
            raise Failure(str(exc)) from None


def output_format(output: str | None, out: Path | None) -> str:
    """The output format asked for, checked before any work starts. Without ``--output`` it is
    a terminal table, or the extension of ``--out``. CSV and JSON go to standard output unless
    ``--out FILE`` is given (``--out -`` is standard output, never a file named "-"); a workbook
    needs a file, or a pipe with ``--out -``."""
    from callgrade.output import FORMATS

    to_stdout = out is not None and str(out) == "-"
    if output is None:
        if out is None:
            return "table"
        if to_stdout:
            raise Failure("--out - (standard output) needs --output csv or json")
        output = out.suffix.lower().removeprefix(".")
        if output not in FORMATS or output == "table":
            raise Failure(
                f"--out {out}: cannot tell the format from the extension; add --output csv,"
                " xlsx or json"
            )
    if output not in FORMATS:
        raise Failure(f"--output {output!r}: expected one of {', '.join(FORMATS)}")
    if output == "table" and out is not None:
        raise Failure("--output table is shown in the terminal; --out needs csv, xlsx or json")
    if output == "xlsx" and (out is None or (to_stdout and sys.stdout.isatty())):
        raise Failure(
            "--output xlsx is a binary workbook, not shown in the terminal; add --out FILE.xlsx"
            " (or --out - to pipe it)"
        )
    return output


def write_output(table: Any, fmt: str, out: Path | None, *, what: str = "rows") -> None:
    """Write ``table`` in ``fmt`` to ``out``, or to standard output (``None`` or ``-``)."""
    from callgrade.output import table_bytes

    data = table_bytes(table, fmt)
    if out is None or str(out) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        raise Failure(f"--out {out}: {exc.strerror or exc}") from None
    # On stderr, so that standard output holds only data.
    err.print(f"wrote {table.num_rows:,} {what} to {out}")


def emit(
    table: Any,
    *,
    fmt: str,
    out: Path | None,
    title: str,
    columns: list[str],
    limit: int,
) -> None:
    from callgrade.output import plain_table

    if fmt == "table":
        console.print(plain_table(table, title=title, columns=columns, limit=limit))
        return
    write_output(table, fmt, out)


PolicyOpt = Annotated[
    str,
    typer.Option(
        "--policy",
        help="Policy YAML, or a shipped example: four_positions, customer_specialist_4_levels.",
    ),
]
Limit = Annotated[int, typer.Option(help="Rows shown in the terminal.")]


# The columns shown in the terminal for each view (files get every column).
SCORE_VIEWS = {
    "totals": [
        "period",
        "employee_id",
        "position",
        "team",
        "level",
        "total",
        "rating",
        "rank",
        "group_size",
    ],
    "items": [
        "period",
        "employee_id",
        "dimension",
        "ref",
        "value",
        "points",
        "effective_weight",
        "contribution",
        "explanation",
    ],
    "dimensions": ["period", "employee_id", "dimension", "score", "weight"],
}
GRADE_VIEWS = {
    "decisions": ["employee_id", "position", "level_from", "action", "level_to", "reason"],
    "criteria": ["employee_id", "rule", "condition", "holds", "evidence"],
    "checklist": ["employee_id", "condition", "status", "evidence"],
}


def choose(what: str, views: dict[str, list[str]]) -> list[str]:
    """The terminal columns of view ``what``, checked before any work starts."""
    if what not in views:
        names = list(views)
        raise Failure(f"--what {what!r}: expected {', '.join(names[:-1])} or {names[-1]}")
    return views[what]


@app.command("score")
def score_cmd(
    policy: PolicyOpt,
    period: Annotated[str, typer.Option(help="Rating period(s): 2026-03, 2026-Q1 (each month).")],
    data_dir: DataDir = Path("data"),
    what: Annotated[
        str, typer.Option(help="totals, items (with explanations) or dimensions.")
    ] = "totals",
    output: Output = None,
    out: OutFile = None,
    limit: Limit = 40,
    engine: EngineOpt = "duckdb",
    spark_url: SparkUrlOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """Scorecards: every KPI's value, points, weight and explanation; totals, ratings, ranks."""
    import pyarrow as pa

    columns = choose(what, SCORE_VIEWS)
    fmt = output_format(output, out)
    backend = kpi_engine(engine, spark_url, spark_conf)
    result = run_cycle_cli(
        data_dir, load_policy_arg(policy), period, grade_at_end=False, engine=backend
    )
    table = pa.concat_tables([getattr(c, what) for c in result.scorecards])
    emit(
        table,
        fmt=fmt,
        out=out,
        title=f"scorecards {what} — {period}",
        columns=columns,
        limit=limit,
    )


@app.command("grade")
def grade_cmd(
    policy: PolicyOpt,
    period: Annotated[str, typer.Option(help="Grading period, e.g. 2026-H1 or 2026-Q2.")],
    data_dir: DataDir = Path("data"),
    what: Annotated[str, typer.Option(help="decisions, criteria or checklist.")] = "decisions",
    output: Output = None,
    out: OutFile = None,
    limit: Limit = 40,
    engine: EngineOpt = "duckdb",
    spark_url: SparkUrlOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """Ladder decisions (promote, hold, demote, pass probation) with evidence and checklists."""
    columns = choose(what, GRADE_VIEWS)
    fmt = output_format(output, out)
    backend = kpi_engine(engine, spark_url, spark_conf)
    result = run_cycle_cli(
        data_dir, load_policy_arg(policy), period, grade_at_end=True, engine=backend
    )
    table = getattr(result.decisions, what)
    emit(
        table,
        fmt=fmt,
        out=out,
        title=f"grading {what} — {period}",
        columns=columns,
        limit=limit,
    )


@app.command("pay")
def pay_cmd(
    policy: PolicyOpt,
    period: Annotated[str, typer.Option(help="Pay period(s): 2026-03, 2026-Q1 (each month).")],
    data_dir: DataDir = Path("data"),
    output: Output = None,
    out: OutFile = None,
    limit: Limit = 40,
    engine: EngineOpt = "duckdb",
    spark_url: SparkUrlOpt = None,
    spark_conf: SparkConfOpt = None,
) -> None:
    """Pay statement lines: allowance, bonus, commission and long-term accrual, each explained."""
    import pyarrow as pa

    fmt = output_format(output, out)
    backend = kpi_engine(engine, spark_url, spark_conf)
    result = run_cycle_cli(
        data_dir, load_policy_arg(policy), period, grade_at_end=False, engine=backend
    )
    table = pa.concat_tables([p.lines for p in result.pay])
    emit(
        table,
        fmt=fmt,
        out=out,
        title=f"pay lines — {period}",
        columns=["period", "employee_id", "level", "kind", "code", "amount", "explanation"],
        limit=limit,
    )


@policy_app.command("simulate")
def policy_simulate(
    draft: Annotated[str, typer.Option(help="The draft policy (file or shipped example).")],
    current: Annotated[str, typer.Option(help="The current policy (file or shipped example).")],
    period: Annotated[str, typer.Option(help="History to replay, e.g. 2026-H1.")],
    data_dir: DataDir = Path("data"),
    what: Annotated[
        str, typer.Option(help="distribution, ratings, levels or pay.")
    ] = "distribution",
    output: Output = None,
    out: OutFile = None,
    limit: Limit = 40,
) -> None:
    """What-if: apply a draft and the current policy to the same history and compare."""
    from callgrade.engine.cycle import rating_periods, simulate_cycle

    if what not in ("distribution", "ratings", "levels", "pay"):
        raise Failure(f"--what {what!r}: expected distribution, ratings, levels or pay")
    fmt = output_format(output, out)
    new, old = load_policy_arg(draft), load_policy_arg(current)
    inputs = warehouse_inputs(data_dir)
    try:
        rating_periods(old, period)
    except ValueError as exc:
        raise Failure(f"--period {period!r}: {exc}") from None
    with progress() as bar:
        bar.add_task("simulating", total=None)
        report = simulate_cycle(inputs, new, old, period=period)
    table = getattr(report, what)
    emit(
        table,
        fmt=fmt,
        out=out,
        title=f"simulation {what}: draft {new.code} v{new.version} vs current "
        f"{old.code} v{old.version}",
        columns=table.column_names,
        limit=limit,
    )


def main() -> None:
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except (Failure, ConnectorError) as exc:
        # Plain lines, never wrapped, so scripts and people can both read them: one per
        # mistake (a mapping lists every one, each with its file:line:column).
        for line in str(exc).splitlines() or [""]:
            sys.stderr.write(f"callgrade: {line}\n")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err.print("callgrade: aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors carry their own exit code
        import click

        from callgrade.engine.warehouse import WarehouseFull

        if isinstance(exc, WarehouseFull):
            sys.stderr.write(f"callgrade: {exc}\n")
            sys.exit(1)

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if os.environ.get("CALLGRADE_DEBUG"):
            raise
        sys.stderr.write(f"callgrade: unexpected error: {type(exc).__name__}: {exc}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
