"""The ``callgrade`` command line.

Every command fails with a non-zero exit and one plain line on stderr (no traceback) when its
input or options are wrong; progress bars appear for anything that takes more than a moment.

The commands live in this package's modules by concern: common (the app, options, output),
ingest (ingest, pull, warehouse), kpis, demo (demo, serve, live), reports (training effect,
baseline) and cycle (score, grade, pay, policy). This module registers them, runs the app
(``main``) and re-exports the names other code imports from ``callgrade.cli``.
"""

from __future__ import annotations

import os
import sys

import typer

# isort: off
# Typer lists commands in the order they were registered, which is the order these modules are
# first imported: keep it, so that ``callgrade --help`` reads in the same order. The commands
# ``ingest``, ``kpis`` and ``demo`` are not re-exported: those names are this package's modules.
from callgrade.cli.common import (
    EXAMPLES,
    Failure,
    app,
    console,
    emit,
    err,
    load_policy_arg,
    output_format,
    policy_app,
    progress,
    pull_app,
    run_cycle_cli,
    warehouse_app,
    warehouse_inputs,
    write_output,
)
from callgrade.cli.ingest import print_ingest_report
from callgrade.cli.kpis import check_kpi_request, compute_kpi_table, connect_engine, kpi_engine
from callgrade.cli.demo import demo_cycle, seed_web
from callgrade.cli.reports import baseline_cmd, training_effect_cmd
from callgrade.cli.cycle import choose, grade_cmd, pay_cmd, score_cmd

# isort: on
from callgrade.engine.connectors import ConnectorError

__all__ = [
    "EXAMPLES",
    "Failure",
    "app",
    "baseline_cmd",
    "check_kpi_request",
    "choose",
    "compute_kpi_table",
    "connect_engine",
    "console",
    "demo_cycle",
    "emit",
    "err",
    "grade_cmd",
    "kpi_engine",
    "load_policy_arg",
    "main",
    "output_format",
    "pay_cmd",
    "policy_app",
    "print_ingest_report",
    "progress",
    "pull_app",
    "run_cycle_cli",
    "score_cmd",
    "seed_web",
    "training_effect_cmd",
    "warehouse_app",
    "warehouse_inputs",
    "write_output",
]


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
