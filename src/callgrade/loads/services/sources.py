"""Sources that load by themselves: a watched drop folder, and a database table pulled on a
schedule. A run is a background job like an upload, and gives loads with the same accounting.

Drop folder: every file in the folder (not in its ``done``/``failed`` folders, not hidden, not
changed for ``CALLGRADE_DROP_SETTLE_SECONDS``, so a file still being copied waits) becomes a
load of the source's format; afterwards it is moved to ``done/`` (or ``failed/``) beside it, so
it is loaded once. Database pull: :mod:`callgrade.engine.pull`; its cursor lives with the
warehouse, so a run killed at any moment is resumed by the next.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit
from callgrade.core.jobs import Progress, job_create, register, run_job
from callgrade.core.models import Job
from callgrade.loads.models import Load, Source
from callgrade.loads.services.loads import (
    FORMATS,
    LoadError,
    _finish,
    check_tz,
    load_dir,
    load_run,
    safe_name,
    shipped_mappings,
)

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")


def drop_root() -> Path:
    """Drop folders live under this folder only: a run moves the files it loads, so HR must not
    be able to point a source at any folder of the server."""
    configured = getattr(settings, "CALLGRADE_DROP_ROOT", None)
    return Path(configured or Path(settings.DATA_DIR) / "drop").resolve()


def _settle() -> float:
    return float(getattr(settings, "CALLGRADE_DROP_SETTLE_SECONDS", 10))


def source_create(*, actor: Any, **fields: Any) -> Source:
    if any(ch < " " for v in fields.values() for ch in str(v)):
        raise LoadError(_("A field holds a control character; type it again."))
    name = str(fields.get("name", "")).strip()
    kind = fields.get("kind")
    if not _NAME.match(name):
        raise LoadError(_("Name the source with letters, digits, '-' or '_' (up to 60)."))
    if Source.objects.filter(name=name).exists():
        raise LoadError(_("There is already a source named %(name)s.") % {"name": name})
    tz = check_tz(str(fields.get("tz") or "UTC").strip())
    try:
        every = int(fields.get("every_minutes") or 15)
    except ValueError:
        every = 0
    if not 1 <= every <= 24 * 60:
        raise LoadError(_("Run it every 1 to 1,440 minutes."))
    values: dict[str, Any] = {"name": name, "kind": kind, "tz": tz, "every_minutes": every}
    if kind == Source.DROP:
        folder = str(fields.get("folder", "")).strip()
        fmt = fields.get("format")
        if not folder or not Path(folder).is_absolute():
            raise LoadError(_("Give the drop folder as a full path, such as /srv/callgrade/in."))
        root = drop_root()
        if not Path(folder).resolve().is_relative_to(root):
            raise LoadError(
                _("Drop folders must be inside %(root)s (set by the server's configuration).")
                % {"root": str(root)}
            )
        if fmt not in FORMATS:
            raise LoadError(_("Choose the format of the files dropped there."))
        mapping = str(fields.get("mapping", ""))
        if fmt == "mapped" and mapping not in shipped_mappings():
            raise LoadError(_("A CSV or Excel file needs a mapping: choose one or upload one."))
        values.update(folder=folder, format=fmt, mapping=mapping if fmt == "mapped" else "")
    elif kind == Source.PULL:
        from callgrade.engine.connectors import ConnectorError
        from callgrade.engine.pull import PullSource

        url = str(fields.get("url", "")).strip()
        table = str(fields.get("table") or "queue_log").strip()
        by = str(fields.get("by") or "id")
        try:
            PullSource(name=name, url=url, table=table, by=by, tz=tz).check()
        except ConnectorError as e:
            raise LoadError(str(e)) from e
        values.update(url=url, table=table, by=by, format="queue_log_db")
    else:
        raise LoadError(_("Choose what kind of source it is."))
    source = Source.objects.create(created_by=actor, **values)
    audit(actor, "source_create", source, after={"name": name, "kind": kind})
    return source


def source_run(*, source: Source, actor: Any) -> Job:
    """Run the source now, as a background job."""
    from callgrade.core.jobs import job_start

    return job_start(kind="source_run", actor=actor, source=source.pk)


@register("source_run")
def _run_job(job: Job, on_progress: Progress) -> None:
    source = Source.objects.get(pk=job.arguments["source"])
    run(source, on_progress)


def run(source: Source, on_progress: Progress | None = None) -> list[Load]:
    """One run of ``source``; the loads it made. A failure is kept on the source."""
    say = on_progress or (lambda fraction, step: None)
    Source.objects.filter(pk=source.pk).update(last_run_at=timezone.now())
    try:
        loads = _drop(source, say) if source.kind == Source.DROP else _pull(source, say)
    except LoadError as e:
        Source.objects.filter(pk=source.pk).update(last_error=str(e))
        return []
    Source.objects.filter(pk=source.pk).update(last_error="")
    return loads


def _drop(source: Source, say: Progress) -> list[Load]:
    folder = Path(source.folder)
    if not folder.resolve().is_relative_to(drop_root()):
        raise LoadError(
            _("Drop folders must be inside %(root)s (set by the server's configuration).")
            % {"root": str(drop_root())}
        )
    if not folder.is_dir():
        raise LoadError(_("The folder %(folder)s does not exist.") % {"folder": source.folder})
    now = time.time()
    ready = sorted(
        (p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
        key=lambda p: (p.stat().st_mtime, p.name),
    )
    ready = [p for p in ready if now - p.stat().st_mtime >= _settle()]
    loads = []
    for i, path in enumerate(ready):
        say(i / max(1, len(ready)), "read")
        loads.append(_drop_one(source, path))
    return loads


def _drop_one(source: Source, path: Path) -> Load:
    name = safe_name(path.name)
    with transaction.atomic():
        load = Load.objects.create(
            origin=Load.DROP,
            source=source,
            format=source.format,
            mapping=source.mapping,
            filename=name,
            tz=source.tz,
        )
    folder = load_dir(load)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copyfile(path, folder / name)
    if source.format == "mapped":
        from callgrade.loads.services.loads import mappings_dir

        shutil.copyfile(mappings_dir() / source.mapping, folder / "mapping.yaml")
    Load.objects.filter(pk=load.pk).update(state=Load.RUNNING)
    load.refresh_from_db()
    if path.stat().st_size == 0:
        load = _finish(
            load, state=Load.FAILED, error=_("The file is empty: there is nothing to load.")
        )
    else:
        load = load_run(load)
    # moved only once its load is recorded: a run killed before this loads the file again,
    # which the warehouse's keys make add nothing twice
    target = folder_for(path, "done" if load.state == Load.DONE else "failed")
    os.replace(path, target)
    return load


def folder_for(path: Path, kind: str) -> Path:
    out = path.parent / kind
    out.mkdir(exist_ok=True)
    target = out / path.name
    if target.exists():  # a file of the same name loaded before: keep both
        stamp = dt.datetime.now().strftime("%Y%m%dT%H%M%S%f")
        target = out / f"{path.stem}.{stamp}{path.suffix}"
    return target


def _pull(source: Source, say: Progress) -> list[Load]:
    from callgrade.engine.connectors import ConnectorError
    from callgrade.engine.pull import PullSource, pull
    from callgrade.engine.warehouse import Warehouse, WarehouseFull

    spec = PullSource(
        name=source.name, url=source.url, table=source.table, by=source.by, tz=source.tz
    )
    try:
        report = pull(Warehouse(Path(settings.DATA_DIR)), spec, on_progress=say)
    except (ConnectorError, WarehouseFull) as e:
        raise LoadError(str(e)) from e
    if report.ingest is None:
        return []
    f = report.ingest.files[0]
    load = Load.objects.create(
        origin=Load.PULL,
        source=source,
        format="queue_log_db",
        filename=f"{source.table} ({', '.join(report.months)})",
        tz=source.tz,
        state=Load.RUNNING,
    )
    folder = load_dir(load)
    folder.mkdir(parents=True, exist_ok=True)
    if f.rejects_file is not None:
        shutil.copyfile(f.rejects_file, folder / "rejects.csv")
    return [
        _finish(
            load,
            state=Load.DONE,
            batch=report.batch,
            read=f.read,
            accepted=f.accepted,
            rejected=f.rejected,
            filtered=f.filtered,
            rows={t: n for t, n in f.rows.items() if n},
            added={t: c.added for t, c in report.ingest.commits.items() if c.rows_in},
        )
    ]


def due(now: dt.datetime | None = None) -> list[Source]:
    now = now or timezone.now()
    return [
        s
        for s in Source.objects.filter(active=True)
        if s.last_run_at is None or now - s.last_run_at >= dt.timedelta(minutes=s.every_minutes)
    ]


def run_due(*, names: list[str] | None = None) -> list[tuple[Source, Job]]:
    """Run the sources that are due (or those named), each as a recorded job, one after the
    other in this process (``manage run_sources``)."""
    sources = list(Source.objects.filter(name__in=names)) if names else due()
    done = []
    for source in sources:
        job = job_create(kind="source_run", actor=None, source=source.pk)
        run_job(job.pk)
        job.refresh_from_db()
        done.append((source, job))
    return done
