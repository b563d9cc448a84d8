"""The ``callgrade`` command line.

Every command fails with a non-zero exit and one plain line on stderr (no traceback) when its
input or options are wrong; progress bars appear for anything that takes more than a moment.
"""

from __future__ import annotations

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
console = Console()
err = Console(stderr=True)

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        help="Data directory holding the warehouse (env CALLGRADE_DATA_DIR).",
        envvar="CALLGRADE_DATA_DIR",
    ),
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


def print_ingest_report(report: Any) -> None:
    table = Table(title="ingest")
    for col in ("file", "read", "accepted", "rejected", "rows", "rejects file"):
        table.add_column(
            col, justify="right" if col in ("read", "accepted", "rejected") else "left"
        )
    for f in report.files:
        rows = ", ".join(f"{k} {v:,}" for k, v in f.rows.items())
        table.add_row(
            f.path.name,
            f"{f.read:,}",
            f"{f.accepted:,}",
            f"{f.rejected:,}",
            rows,
            str(f.rejects_file or ""),
        )
    console.print(table)
    for name, c in report.commits.items():
        console.print(
            f"  {name}: {c.added:,} new, {c.replaced:,} already present, {c.total:,} in warehouse"
        )
    console.print(
        f"read {report.read:,} = accepted {report.accepted:,} + rejected {report.rejected:,}"
    )


def main() -> None:
    try:
        app(standalone_mode=False)
    except (Failure, ConnectorError) as exc:
        err.print(f"[red]callgrade: {exc}[/red]", highlight=False)
        sys.exit(1)
    except typer.Abort:
        err.print("callgrade: aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if os.environ.get("CALLGRADE_DEBUG"):
            raise
        err.print(f"[red]callgrade: unexpected error: {type(exc).__name__}: {exc}[/red]")
        sys.exit(1)


if __name__ == "__main__":
    main()
