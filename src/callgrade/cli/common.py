"""What every command shares: the Typer app and its sub-apps, the consoles, the common options,
``Failure``, progress bars, output formats (table, csv, xlsx, json) and where they go, and the
policy and warehouse inputs of a cycle.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

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


policy_app = typer.Typer(help="The grading standard (岗位定级标准) as a policy file.")
app.add_typer(policy_app, name="policy")
warehouse_app = typer.Typer(help="The warehouse's own housekeeping.")
app.add_typer(warehouse_app, name="warehouse")
pull_app = typer.Typer(help="Pull data from a database table into the warehouse.")
app.add_typer(pull_app, name="pull")


EXAMPLES = Path(__file__).parents[1] / "engine" / "policy" / "examples"


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


Limit = Annotated[int, typer.Option(help="Rows shown in the terminal.")]
