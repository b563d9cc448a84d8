"""Connectors: one module per source format, each turning a file into canonical tables.

See :mod:`callgrade.engine.connectors.base` for the contract every connector keeps.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from callgrade.engine.connectors.base import ConnectorError, ParseResult

# name → "module:function"; imported on use so one connector's dependencies never slow another.
CONNECTORS: dict[str, str] = {
    "queue_log": "callgrade.engine.connectors.queue_log:parse_file",
    "queue_log_db": "callgrade.engine.connectors.queue_log:parse_db_export",
    "cdr": "callgrade.engine.connectors.cdr:parse",
    "connect": "callgrade.engine.connectors.amazon_connect:parse",
    "mapped": "callgrade.engine.connectors.mapped:parse",
    "xapi": "callgrade.engine.connectors.xapi:parse",
}

DESCRIPTIONS: dict[str, str] = {
    "queue_log": "Asterisk queue_log, pipe-separated file form",
    "queue_log_db": "Asterisk queue_log, database table export (CSV with header)",
    "cdr": "Asterisk CDR Master.csv (cdr_csv)",
    "connect": "Amazon Connect contact records (JSON lines or JSON array)",
    "mapped": "CSV or Excel through a column-mapping YAML (--mapping)",
    "xapi": "xAPI statements from a learning record store (JSON lines or array) into trainings",
}


def get_connector(name: str) -> Callable[..., ParseResult]:
    try:
        target = CONNECTORS[name]
    except KeyError:
        known = ", ".join(sorted(CONNECTORS))
        raise ConnectorError(f"unknown format {name!r}; expected one of: {known}") from None
    module, func = target.split(":")
    parse: Callable[..., ParseResult] = getattr(importlib.import_module(module), func)
    return parse


__all__ = ["CONNECTORS", "DESCRIPTIONS", "ConnectorError", "ParseResult", "get_connector"]


def parse(name: str, path: Any, **options: Any) -> ParseResult:
    """Run connector ``name`` on one file and check that its counts reconcile."""
    result = get_connector(name)(path, **options)
    result.check_counts()
    return result
