"""Records sent as data (the integration API's QA evaluations and survey responses) loaded as one
load: the records already checked one by one are written to a CSV in the load's folder with a
mapping that names each canonical field as itself, and that file goes through the same connector,
warehouse batch, counts, rejects and undo as an upload. The load keeps the file, so every row's
``source_ref`` (file:line) points at a record that can be read again.

``read`` counts every record sent; records refused before the file was written are the load's
rejects too, under the record's number (1-based position in what was sent), so the load page
reconciles read = accepted + rejected like any other load.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from dataclasses import dataclass
from typing import Any

import yaml
from django.db import transaction

from callgrade.core.audit import audit
from callgrade.engine import cells
from callgrade.loads.models import Load
from callgrade.loads.services.loads import REJECT_COLUMNS, load_dir, load_run, safe_name

# The mapped connector's type of each canonical field it is given (the rest are text).
_TYPES = {
    "evaluated_at": "datetime",
    "responded_at": "datetime",
    "score": "float",
    "csat": "float",
    "nps": "float",
    "critical_fail": "bool",
    "resolved": "bool",
}


@dataclass(frozen=True)
class RecordReject:
    index: int  # 0-based position in what was sent
    field: str | None
    reason: str
    raw: str = ""


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    return str(value)


def _mapping(table: str, fields: list[str], source: str) -> str:
    columns = {f: {"from": f, **({"type": _TYPES[f]} if f in _TYPES else {})} for f in fields}
    doc = {"table": table, "source_name": source, "format": "csv", "columns": columns}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def records_load(
    *,
    table: str,
    fields: list[str],
    records: list[tuple[int, dict[str, Any]]],
    refused: list[RecordReject],
    total: int,
    label: str,
    actor: Any,
) -> tuple[Load, list[RecordReject]]:
    """Load ``records`` (their 0-based position and checked values) of ``table`` as one load of
    origin ``api`` named after ``label``; ``refused`` are the records already rejected and
    ``total`` all that were sent. Returns the load and every reject by position, sorted."""
    name = safe_name(f"{label}-{table}.csv")
    with transaction.atomic():
        load = Load.objects.create(
            origin=Load.API,
            format="mapped",
            mapping="",
            filename=name,
            tz="UTC",
            state=Load.RUNNING,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        audit(actor, "load_create", load, after={"file": name, "format": "api", "records": total})
    folder = load_dir(load)
    shutil.rmtree(folder, ignore_errors=True)  # a folder left by a database rolled back
    folder.mkdir(parents=True)
    rejects = list(refused)
    if records:
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(fields)
            for _index, values in records:
                out.writerow([_cell(values.get(f)) for f in fields])
        (folder / "mapping.yaml").write_text(_mapping(table, fields, "api"), "utf-8")
        load = load_run(load)
        # the connector's rejects name a line of the file: line 2 is the first record written
        for row in _read_rejects(folder / "rejects.csv"):
            line = int(row["line"]) if row["line"].isdigit() else 0
            index = records[line - 2][0] if 2 <= line < len(records) + 2 else -1
            rejects.append(RecordReject(index, row["field"] or None, row["reason"], row["raw"]))
    else:
        load = _nothing_loaded(load)
    rejects.sort(key=lambda r: r.index)
    if load.state == Load.FAILED:  # nothing was written; the reason is the load's error
        return load, rejects
    # a record rejected for two fields is one rejected record (read = accepted + rejected)
    Load.objects.filter(pk=load.pk).update(read=total, rejected=len({r.index for r in rejects}))
    load.refresh_from_db()
    _write_rejects(folder / "rejects.csv", rejects)
    return load, rejects


def _nothing_loaded(load: Load) -> Load:
    from callgrade.loads.services.loads import _finish

    return _finish(load, state=Load.DONE)


def _read_rejects(path: Any) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            {c: cells.unescape(row.get(c) or "") for c in REJECT_COLUMNS}
            for row in csv.DictReader(fh)
        ]


def _write_rejects(path: Any, rejects: list[RecordReject]) -> None:
    """The load's rejects file, as the load page reads it: the line is the record's number."""
    if not rejects:
        path.unlink(missing_ok=True)
        return
    rows = ([r.index + 1, r.field or "", r.reason, r.raw] for r in rejects)
    path.write_bytes(cells.csv_bytes(list(REJECT_COLUMNS), rows, bom=False))
