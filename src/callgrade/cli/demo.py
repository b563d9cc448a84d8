"""The demo and the running app: ``demo`` (generate, ingest, grade, seed the web app), ``serve``,
``live``, ``event-source`` and the hidden ``demo-feed``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from callgrade.cli.common import (
    EXAMPLES,
    DataDir,
    Failure,
    app,
    console,
    err,
    load_policy_arg,
    progress,
    run_cycle_cli,
)
from callgrade.cli.kpis import compute_kpi_table


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
