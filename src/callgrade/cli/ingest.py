"""Getting data in and looking after it: ``ingest``, ``pull queue_log`` and the ``warehouse``
housekeeping commands (gc, batches, undo)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from callgrade.cli.common import DataDir, Failure, app, console, progress, pull_app, warehouse_app
from callgrade.engine.connectors import CONNECTORS, DESCRIPTIONS


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


@warehouse_app.command("gc")
def warehouse_gc(data_dir: DataDir = Path("data")) -> None:
    """Delete warehouse files no reader can still need: partitions replaced by later ingests
    once their last reader is done, and files of ingests that were killed before committing.
    Every ingest does this too; files a reader still uses are kept."""
    from callgrade.engine.warehouse import Warehouse

    removed = Warehouse(data_dir).collect()
    console.print(f"removed {len(removed):,} unused files")


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
