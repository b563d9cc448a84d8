"""Background jobs with progress.

The embedded default runs a job on a thread of the web process and the page polls its progress;
``CALLGRADE_JOBS=inline`` runs it before the request returns (tests and the seeding command);
``manage run_job ID`` runs a recorded job in a process of its own.
A job's work is a function registered by kind; it reports progress through ``on_progress``.

A cycle has at most one queued or running job: the database refuses a second one (a partial
unique constraint), so simultaneous requests cannot start two computations of one cycle. A job
records its worker (host and process) and a heartbeat; one whose worker is gone, or whose
heartbeat is older than ``CALLGRADE_JOB_STALE_SECONDS``, is marked failed when the app next
looks, which frees its cycle for a new computation.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from callgrade.core.models import Job

Progress = Callable[[float, str], None]
WORK: dict[str, Callable[[Job, Progress], None]] = {}


def register(kind: str) -> Callable[[Callable[[Job, Progress], None]], Callable[..., None]]:
    def wrap(fn: Callable[[Job, Progress], None]) -> Callable[[Job, Progress], None]:
        WORK[kind] = fn
        return fn

    return wrap


class JobBusy(Exception):
    """The cycle already has a queued or running job."""


HEARTBEAT_SECONDS = 10.0


def _stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "CALLGRADE_JOB_STALE_SECONDS", 300))


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _worker_gone(worker: str) -> bool:
    """Whether the process named ``host:pid`` is known to be gone: only a process of this host
    can be checked; elsewhere the heartbeat tells."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # killed but not yet reaped by its parent: gone all the same
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def jobs_reap(*, cycle: Any = None) -> int:
    """Mark failed the queued or running jobs (of ``cycle``) whose worker is gone or silent;
    returns how many."""
    qs = Job.objects.filter(state__in=[Job.QUEUED, Job.RUNNING])
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    now = timezone.now()
    reaped = 0
    for job in qs.only("id", "state", "worker", "heartbeat_at", "created_at"):
        last = job.heartbeat_at or job.created_at
        gone = bool(job.worker) and _worker_gone(job.worker)
        if not gone and now - last < _stale_after():
            continue
        why = (
            f"The process running this job ({job.worker}) stopped before it finished."
            if gone
            else f"This job gave no sign of life since {last.isoformat(timespec='seconds')}."
        )
        # Only if nothing changed since it was read: a job that just moved on is left alone.
        reaped += Job.objects.filter(
            pk=job.pk, state=job.state, heartbeat_at=job.heartbeat_at
        ).update(
            state=Job.FAILED,
            error=why + " Nothing it was storing was kept; start it again.",
            finished_at=now,
        )
    return reaped


def job_create(*, kind: str, actor: Any, cycle: Any = None, **arguments: Any) -> Job:
    """Record a queued job; raises JobBusy when its cycle already has a queued or running one."""
    if cycle is not None:
        jobs_reap(cycle=cycle)
    try:
        with transaction.atomic():  # a savepoint: a refusal leaves the caller's transaction usable
            return Job.objects.create(
                kind=kind,
                cycle=cycle,
                arguments=arguments,
                created_by=actor if actor is not None and actor.is_authenticated else None,
            )
    except IntegrityError:
        active = Job.objects.filter(cycle=cycle, state__in=[Job.QUEUED, Job.RUNNING])
        if cycle is not None and active.exists():
            raise JobBusy(kind) from None
        raise


def job_start(*, kind: str, actor: Any, cycle: Any = None, **arguments: Any) -> Job:
    job = job_create(kind=kind, actor=actor, cycle=cycle, **arguments)
    if settings.CALLGRADE_JOBS == "inline":
        run_job(job.pk)
        job.refresh_from_db()
    else:
        threading.Thread(target=_run_on_thread, args=(job.pk,), daemon=True).start()
    return job


def _run_on_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(job_id)
    finally:
        connection.close()


def run_job(job_id: int) -> bool:
    """Run a queued job; False when it failed or was not queued (already run or reaped)."""
    # No close_old_connections() here: run inline, the job shares the caller's connection, and
    # closing it would end the caller's transaction (PostgreSQL inside a test or a request).
    taken = Job.objects.filter(pk=job_id, state=Job.QUEUED).update(
        state=Job.RUNNING,
        step="start",
        progress=0.0,
        worker=_worker_name(),
        heartbeat_at=timezone.now(),
    )
    if not taken:
        return False
    job = Job.objects.get(pk=job_id)

    def on_progress(fraction: float, step: str) -> None:
        Job.objects.filter(pk=job_id).update(
            progress=max(0.0, min(1.0, fraction)), step=step[:200], heartbeat_at=timezone.now()
        )

    # Inside the caller's transaction (inline in a test) another connection could not see the
    # job, and on SQLite would wait on the caller's lock: the progress updates are its heartbeat.
    stop = threading.Event()
    if not connection.in_atomic_block:
        threading.Thread(target=_heartbeat, args=(job_id, stop), daemon=True).start()
    try:
        WORK[job.kind](job, on_progress)
    except Exception as e:  # a job's failure is shown on its page, never lost
        _finish(
            job_id,
            state=Job.FAILED,
            error=f"{type(e).__name__}: {e}\n\n{traceback.format_exc(limit=5)}",
        )
        return False
    finally:
        stop.set()
    _finish(job_id, state=Job.DONE, progress=1.0, step="done")
    return True


def _finish(job_id: int, **fields: Any) -> None:
    fields["finished_at"] = timezone.now()
    try:
        Job.objects.filter(pk=job_id, state=Job.RUNNING).update(**fields)
    except DatabaseError:
        # The connection itself failed (the server dropped it): record the outcome on a new one.
        if connection.in_atomic_block:
            raise
        connection.close()
        Job.objects.filter(pk=job_id, state=Job.RUNNING).update(**fields)


def _heartbeat(job_id: int, stop: threading.Event) -> None:
    """Say every few seconds that the job's worker is alive, from a connection of its own."""
    try:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                Job.objects.filter(pk=job_id, state=Job.RUNNING).update(heartbeat_at=timezone.now())
            except DatabaseError:  # busy or dropped: the next beat tries again
                connection.close()
    finally:
        connection.close()


# What a computation is doing, as its progress line says it (steps are named by the engine and
# the services: "KPIs", "score 2026-03", "grade" …).
STEPS = {
    "start": gettext_lazy("starting"),
    "KPIs": gettext_lazy("computing the indicators"),
    "grade": gettext_lazy("grading"),
    "other KPIs": gettext_lazy("computing the other indicators"),
    "simulate": gettext_lazy("simulating"),
    "store results": gettext_lazy("storing the results"),
    "coverage": gettext_lazy("checking the data's coverage"),
    "done": gettext_lazy("done"),
}


def step_name(step: str) -> str:
    """A job's step in the active language ("score 2026-03" → "scoring 2026-03")."""
    if step.startswith("score "):
        return gettext("scoring %(period)s") % {"period": step[len("score ") :]}
    return str(STEPS.get(step, step))
