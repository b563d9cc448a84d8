"""Analyses outside a grading cycle: ``training-effect`` (did each course work?) and
``baseline`` (the current-state report before any standard exists)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callgrade.cli.common import (
    DataDir,
    Failure,
    Limit,
    OutFile,
    Output,
    app,
    console,
    emit,
    err,
    output_format,
    progress,
)
from callgrade.cli.kpis import compute_kpi_table


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
