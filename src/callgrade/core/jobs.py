"""Background jobs with progress.

The embedded default runs a job on a thread of the web process and the page polls its progress;
``CALLGRADE_JOBS=inline`` runs it before the request returns (tests and the seeding command).
A job's work is a function registered by kind; it reports progress through ``on_progress``.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
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


def job_start(*, kind: str, actor: Any, cycle: Any = None, **arguments: Any) -> Job:
    job = Job.objects.create(
        kind=kind,
        cycle=cycle,
        arguments=arguments,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
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


def run_job(job_id: int) -> None:
    # No close_old_connections() here: run inline, the job shares the caller's connection, and
    # closing it would end the caller's transaction (PostgreSQL inside a test or a request).
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(state=Job.RUNNING, step="start", progress=0.0)

    def on_progress(fraction: float, step: str) -> None:
        Job.objects.filter(pk=job_id).update(progress=max(0.0, min(1.0, fraction)), step=step[:200])

    try:
        WORK[job.kind](job, on_progress)
    except Exception as e:  # a job's failure is shown on its page, never lost
        Job.objects.filter(pk=job_id).update(
            state=Job.FAILED,
            error=f"{type(e).__name__}: {e}\n\n{traceback.format_exc(limit=5)}",
            finished_at=timezone.now(),
        )
        return
    Job.objects.filter(pk=job_id).update(
        state=Job.DONE, progress=1.0, step="done", finished_at=timezone.now()
    )


# What a computation is doing, as its progress line says it (steps are named by the engine and
# the services: "KPIs", "score 2026-03", "grade" …).
STEPS = {
    "start": gettext_lazy("starting"),
    "KPIs": gettext_lazy("computing the indicators"),
    "grade": gettext_lazy("grading"),
    "other KPIs": gettext_lazy("computing the other indicators"),
    "simulate": gettext_lazy("simulating"),
    "store results": gettext_lazy("storing the results"),
    "done": gettext_lazy("done"),
}


def step_name(step: str) -> str:
    """A job's step in the active language ("score 2026-03" → "scoring 2026-03")."""
    if step.startswith("score "):
        return gettext("scoring %(period)s") % {"period": step[len("score ") :]}
    return str(STEPS.get(step, step))
