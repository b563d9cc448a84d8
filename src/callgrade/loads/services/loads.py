"""Loading a file into the warehouse from the app: checked when it arrives, run as a background
job, counted (read = accepted + rejected + filtered), its rejects kept with it, and undone as a
whole (its warehouse batch).

A load keeps its own folder, ``<data dir>/loads/<id>/``: the file as received (so it can be
read again), the mapping it was read with, and its rejects. The warehouse's own rejects folder
holds one file per source name, which a later load of the same name replaces; the load's copy
stays with the load.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import zoneinfo
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callgrade.core.audit import audit
from callgrade.core.jobs import Progress, job_start, register
from callgrade.core.models import Job
from callgrade.engine import cells
from callgrade.engine import workbook as xlsx
from callgrade.loads.models import Load

# The formats HR may upload, by connector name (the engine's), in the words people read.
FORMATS = {
    "queue_log": gettext_lazy("Asterisk queue log (the log file)"),
    "queue_log_db": gettext_lazy("Asterisk queue log (a database table exported to CSV)"),
    "cdr": gettext_lazy("Asterisk call detail records (Master.csv)"),
    "connect": gettext_lazy("Amazon Connect contact records (JSON)"),
    "xapi": gettext_lazy("Learning records (statements of a learning record store, JSON)"),
    "mapped": gettext_lazy("Any CSV or Excel file, read through a column mapping"),
}
MAX_MAPPING_BYTES = 256 * 1024
_SAFE = re.compile(r"[^A-Za-z0-9._\u4e00-\u9fff-]+")


class LoadError(ValueError):
    """A load that cannot be made or undone; the message is for the person on the page."""


def max_bytes() -> int:
    return int(getattr(settings, "CALLGRADE_LOAD_MAX_BYTES", 200 * 1024 * 1024))


def mappings_dir() -> Path:
    """The shipped example mappings (docs/connectors/examples in the source tree)."""
    configured = getattr(settings, "CALLGRADE_MAPPINGS_DIR", None)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[4] / "docs" / "connectors" / "examples"


def shipped_mappings() -> list[str]:
    folder = mappings_dir()
    return sorted(p.name for p in folder.glob("*.yaml")) if folder.is_dir() else []


def load_dir(load: Load) -> Path:
    return Path(settings.DATA_DIR) / "loads" / str(load.pk)


def safe_name(name: str) -> str:
    """A file name that is only a name: no folders, nothing a shell or a path would read."""
    base = _SAFE.sub("_", Path(name.replace("\\", "/")).name).strip("._") or "upload"
    return base[:120]


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):,.1f} MB"
    return f"{-(-n // 1024):,} KB"


def check_upload(data_size: int, name: str, fmt: str, head: bytes) -> None:
    """Refuse what cannot be loaded before anything is kept (LoadError with the reason)."""
    if fmt not in FORMATS:
        raise LoadError(_("Choose the format of the file."))
    if data_size == 0:
        raise LoadError(_("The file %(name)s is empty: there is nothing to load.") % {"name": name})
    if data_size > max_bytes():
        raise LoadError(
            _("The file is %(size)s; files up to %(limit)s are accepted.")
            % {"size": _size(data_size), "limit": _size(max_bytes())}
        )
    if fmt != "mapped" and head.startswith(b"PK\x03\x04"):
        raise LoadError(
            _("This is a zip or Excel file, not %(format)s. Choose the format of the file.")
            % {"format": FORMATS[fmt]}
        )


def check_workbook(path: Path) -> None:
    """An Excel upload is bounded by what it unpacks to (see engine.workbook)."""
    try:
        xlsx.check_zip(path)
    except xlsx.WorkbookRefused as e:
        from callgrade.core.tabular import _refused

        raise LoadError(str(_refused(e))) from e


def check_tz(tz: str) -> str:
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long
        raise LoadError(
            _("%(tz)s is not a time zone; use a name such as Asia/Shanghai.") % {"tz": tz}
        ) from None
    return tz


def check_mapping(text: str, name: str) -> None:
    """Every mistake of a mapping, one per line, before the load starts."""
    from callgrade.engine.connectors.mapped import MappingError, load_mapping

    try:
        load_mapping(text if "\n" in text else text + "\n")
    except MappingError as e:
        raise LoadError(
            _("The mapping %(name)s has mistakes:") % {"name": name}
            + "\n"
            + str(e).replace("<mapping>", name)
        ) from e


def load_create(
    *,
    actor: Any,
    upload: Any,
    fmt: str,
    tz: str = "UTC",
    mapping_name: str = "",
    mapping_upload: Any = None,
    background: bool = True,
) -> Load:
    """Check an uploaded file, keep it with a new load and start loading it in the background
    (``background=False``: load it before returning, without a job; the demo's seeding)."""
    name = safe_name(getattr(upload, "name", "") or "upload")
    head = upload.read(4)
    upload.seek(0)
    check_upload(upload.size, name, fmt, head)
    tz = check_tz(tz.strip() or "UTC")
    mapping_text, mapping_label = "", ""
    if fmt == "mapped":
        if mapping_upload is not None:
            if mapping_upload.size > MAX_MAPPING_BYTES:
                raise LoadError(_("A mapping file is at most 256 KB."))
            raw = mapping_upload.read()
            try:
                mapping_text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise LoadError(_("The mapping file is not UTF-8 text.")) from None
            mapping_label = safe_name(mapping_upload.name or "mapping.yaml")
        elif mapping_name in shipped_mappings():
            mapping_text = (mappings_dir() / mapping_name).read_text("utf-8")
            mapping_label = mapping_name
        else:
            raise LoadError(_("A CSV or Excel file needs a mapping: choose one or upload one."))
        check_mapping(mapping_text, mapping_label)
    with transaction.atomic():
        load = Load.objects.create(
            origin=Load.UPLOAD,
            format=fmt,
            mapping=mapping_label,
            filename=name,
            tz=tz,
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        folder = load_dir(load)
        shutil.rmtree(folder, ignore_errors=True)  # a folder left by a database rolled back
        folder.mkdir(parents=True)
        try:
            _store(upload, folder / name)
            if mapping_text:
                (folder / "mapping.yaml").write_text(mapping_text, "utf-8")
            if fmt == "mapped" and name.lower().endswith((".xlsx", ".xlsm")):
                check_workbook(folder / name)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        audit(actor, "load_create", load, after={"file": name, "format": fmt})
    if not background:
        Load.objects.filter(pk=load.pk).update(state=Load.RUNNING)
        return load_run(load)
    job = job_start(kind="load_ingest", actor=actor, load=load.pk)
    Load.objects.filter(pk=load.pk, job__isnull=True).update(job=job)
    load.refresh_from_db()
    return load


def _store(upload: Any, target: Path) -> None:
    tmp = target.with_name(target.name + ".part")
    with tmp.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    os.replace(tmp, target)


@register("load_ingest")
def _ingest_job(job: Job, on_progress: Progress) -> None:
    load = Load.objects.get(pk=job.arguments["load"])
    if load.state != Load.QUEUED:
        return
    Load.objects.filter(pk=load.pk).update(job=job, state=Load.RUNNING)
    on_progress(0.1, "read")
    load_run(load)
    on_progress(1.0, "done")


def load_run(load: Load) -> Load:
    """Read the load's file into the warehouse as one batch and record its counts. A file the
    connector cannot read at all fails the load with the reason; nothing is written then."""
    from callgrade.engine.batches import BatchInfo, new_id
    from callgrade.engine.connectors import ConnectorError
    from callgrade.engine.ingest import ingest_files
    from callgrade.engine.warehouse import Warehouse, WarehouseFull

    folder = load_dir(load)
    options: dict[str, Any] = {"tz": load.tz}
    if load.format == "mapped":
        options["mapping"] = folder / "mapping.yaml"
    batch = BatchInfo(label=f"{load.origin} {load.filename}", id=f"load{load.pk}-{new_id()}")
    try:
        report = ingest_files(
            Warehouse(Path(settings.DATA_DIR)),
            load.format,
            [folder / load.filename],
            batch=batch,
            **options,
        )
    except (ConnectorError, WarehouseFull) as e:
        return _finish(load, state=Load.FAILED, error=str(e))
    except Exception as e:
        _finish(load, state=Load.FAILED, error=f"{type(e).__name__}: {e}")
        raise
    f = report.files[0]
    if f.rejects_file is not None:
        shutil.copyfile(f.rejects_file, folder / "rejects.csv")
    return _finish(
        load,
        state=Load.DONE,
        batch=report.batch,
        read=f.read,
        accepted=f.accepted,
        rejected=f.rejected,
        filtered=f.filtered,
        rows={t: n for t, n in f.rows.items() if n},
        added={t: c.added for t, c in report.commits.items() if c.rows_in},
        unreadable=f.unreadable or "",
    )


def _finish(load: Load, **fields: Any) -> Load:
    fields["finished_at"] = timezone.now()
    Load.objects.filter(pk=load.pk).update(**fields)
    load.refresh_from_db()
    audit(
        None,
        "load_done" if load.state == Load.DONE else "load_failed",
        load,
        after={k: load.__dict__[k] for k in ("read", "accepted", "rejected", "filtered", "batch")},
        reason=load.error,
    )
    return load


def load_sync(load: Load) -> Load:
    """A load whose job died (its process killed; the job reaped as failed) is failed too, with
    nothing written: the warehouse commit is atomic and was not reached, or the load would be
    done."""
    if load.state in (Load.QUEUED, Load.RUNNING) and load.job is not None:
        from callgrade.core.jobs import jobs_reap

        jobs_reap()
        load.job.refresh_from_db()
        if load.job.state == Job.FAILED:
            error = load.job.error.split("\n\n", 1)[0]
            return _finish(load, state=Load.FAILED, error=error)
    return load


def load_undo(*, load: Load, actor: Any) -> dict[str, int]:
    """Take the load's batch out of the warehouse; returns the rows removed, by table."""
    from callgrade.engine.batches import BatchError
    from callgrade.engine.warehouse import Warehouse

    with transaction.atomic():
        locked = Load.objects.select_for_update().get(pk=load.pk)
        if locked.state == Load.UNDONE:
            raise LoadError(_("This load was already undone."))
        if locked.state != Load.DONE or not locked.batch:
            raise LoadError(_("Only a finished load can be undone; this one loaded nothing."))
        try:
            report = Warehouse(Path(settings.DATA_DIR)).undo(locked.batch)
        except BatchError as e:
            raise LoadError(str(e)) from e
        removed = dict(report.removed)
        Load.objects.filter(pk=load.pk).update(
            state=Load.UNDONE, undone_at=timezone.now(), undone_by=actor, removed=removed
        )
        audit(actor, "load_undo", locked, before={"state": Load.DONE}, after={"removed": removed})
    load.refresh_from_db()
    return removed


REJECT_COLUMNS = ("line", "field", "reason", "raw")


def rejects(load: Load, limit: int | None = None) -> list[dict[str, str]]:
    """The load's rejected records (line, field, reason, the record as written)."""
    path = load_dir(load) / "rejects.csv"
    if not path.exists():
        return []
    out = []
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append({c: cells.unescape(row.get(c) or "") for c in REJECT_COLUMNS})
            if limit is not None and len(out) >= limit:
                break
    return out


def rejects_csv(load: Load) -> bytes:
    """The rejects as a download, through the safe export (no cell runs as a formula)."""
    from callgrade.core.tabular import table_csv
    from callgrade.loads.services.reasons import reason_text

    header = [_("Line"), _("Field"), _("Reason"), _("Record as written")]
    rows = ([r["line"], r["field"], reason_text(r["reason"]), r["raw"]] for r in rejects(load))
    return table_csv(header, rows)


def loads_from_ledger() -> list[Load]:
    """A load for each standing batch of the warehouse that no load records yet (those the
    command line wrote), so the page lists everything that was loaded."""
    from callgrade.engine.warehouse import Warehouse

    known = set(Load.objects.exclude(batch="").values_list("batch", flat=True))
    made = []
    for batch_id, entry in reversed(Warehouse(Path(settings.DATA_DIR)).batches()):
        files = entry.get("files") or []
        if batch_id in known or entry.get("baseline") or entry.get("undone_at") or not files:
            continue
        made.append(
            Load.objects.create(
                origin=Load.CLI,
                format=files[0]["connector"],
                filename=", ".join(f["name"] for f in files)[:255],
                state=Load.DONE,
                batch=batch_id,
                read=sum(f["read"] for f in files),
                accepted=sum(f["accepted"] for f in files),
                rejected=sum(f["rejected"] for f in files),
                filtered=sum(f.get("filtered", 0) for f in files),
                rows={t: n for t, n in entry.get("rows", {}).items() if n},
                finished_at=timezone.now(),
            )
        )
    return made
