"""The grading cycle from the command line: ``score``, ``grade`` and ``pay`` under a policy, and
the ``policy`` commands (check, suggest thresholds from data, simulate a draft)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callgrade.cli.common import (
    DataDir,
    EngineOpt,
    Failure,
    Limit,
    OutFile,
    Output,
    SparkConfOpt,
    SparkUrlOpt,
    app,
    console,
    emit,
    load_policy_arg,
    output_format,
    policy_app,
    progress,
    run_cycle_cli,
    warehouse_inputs,
)
from callgrade.cli.kpis import kpi_engine

PolicyOpt = Annotated[
    str,
    typer.Option(
        "--policy",
        help="Policy YAML, or a shipped example: four_positions, customer_specialist_4_levels.",
    ),
]


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
