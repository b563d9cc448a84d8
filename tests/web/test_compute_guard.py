"""The database holds one computation per cycle at a time and one result row per natural key;
a job whose worker is gone frees its cycle; the admin cannot bypass the workflow."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from callgrade.core.models import AuditEvent, Job
from callgrade.cycles.models import (
    ChecklistItem,
    Cycle,
    Decision,
    KpiValue,
    PayLine,
    ScoreItem,
    ScoreTotal,
)
from callgrade.cycles.services.cycles import cycle_create, job_running
from callgrade.standards.models import PolicyVersion


def _draft_cycle(demo_cycle: Cycle, hr: Any) -> Cycle:
    return cycle_create(
        actor=hr, name="guarded", period=demo_cycle.period, policy_version=demo_cycle.policy_version
    )


def _dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_the_database_refuses_a_second_active_job_for_a_cycle(demo_cycle: Cycle) -> None:
    Job.objects.create(kind="cycle_compute", cycle=demo_cycle, state=Job.RUNNING)
    for state in (Job.QUEUED, Job.RUNNING):
        with pytest.raises(IntegrityError), transaction.atomic():
            Job.objects.create(kind="cycle_compute", cycle=demo_cycle, state=state)
    # finished jobs, and jobs of no cycle, are not limited
    Job.objects.create(kind="cycle_compute", cycle=demo_cycle, state=Job.DONE)
    Job.objects.create(kind="policy_simulate", state=Job.RUNNING)
    Job.objects.create(kind="policy_simulate", state=Job.RUNNING)


def test_a_compute_while_one_runs_is_refused_with_a_message(
    login: Callable[[Any], Client], hr: Any, demo_cycle: Cycle
) -> None:
    cycle = _draft_cycle(demo_cycle, hr)
    Job.objects.create(
        kind="cycle_compute",
        cycle=cycle,
        state=Job.RUNNING,
        worker=f"{socket.gethostname()}:{os.getpid()}",  # alive: this process
        heartbeat_at=timezone.now(),
    )
    r = login(hr).post(f"/cycles/{cycle.pk}/compute/", follow=True)
    assert r.status_code == 200
    assert "This cycle is already being computed." in r.content.decode()
    assert Job.objects.filter(cycle=cycle).count() == 1
    assert job_running(cycle)


def test_a_job_whose_worker_is_gone_is_failed_when_the_app_looks(
    hr: Any, demo_cycle: Cycle
) -> None:
    cycle = _draft_cycle(demo_cycle, hr)
    job = Job.objects.create(
        kind="cycle_compute",
        cycle=cycle,
        state=Job.RUNNING,
        worker=f"{socket.gethostname()}:{_dead_pid()}",
        heartbeat_at=timezone.now(),
    )
    assert not job_running(cycle)
    job.refresh_from_db()
    assert job.state == Job.FAILED and "stopped before it finished" in job.error


def test_a_silent_job_is_failed_after_the_heartbeat_timeout(hr: Any, demo_cycle: Cycle) -> None:
    cycle = _draft_cycle(demo_cycle, hr)
    job = Job.objects.create(
        kind="cycle_compute",
        cycle=cycle,
        state=Job.RUNNING,
        worker="another-host:1234",  # cannot be checked from here: the heartbeat tells
        heartbeat_at=timezone.now() - dt.timedelta(minutes=4),
    )
    assert job_running(cycle)  # within the timeout
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=6))
    assert not job_running(cycle)
    job.refresh_from_db()
    assert job.state == Job.FAILED and "no sign of life" in job.error


@pytest.mark.parametrize(
    "model", [KpiValue, ScoreItem, ScoreTotal, Decision, ChecklistItem, PayLine]
)
def test_results_hold_one_row_per_natural_key(model: Any, demo_cycle: Cycle) -> None:
    row = model.objects.filter(cycle=demo_cycle).first()
    assert row is not None
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


# --- the admin -----------------------------------------------------------------------------------


def test_the_admin_cannot_move_a_cycle_past_the_workflow(
    login: Callable[[Any], Client], admin_user: Any, hr: Any, demo_cycle: Cycle
) -> None:
    c = login(admin_user)
    cycle = _draft_cycle(demo_cycle, hr)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.IN_REVIEW)
    events = AuditEvent.objects.count()
    url = f"/admin/cycles/cycle/{cycle.pk}/change/"
    assert c.get(url).status_code == 200
    assert c.get("/admin/cycles/cycle/").status_code == 200
    data = {
        "name": cycle.name,
        "period": cycle.period,
        "policy_version": cycle.policy_version_id,
        "positions": "[]",
        "state": Cycle.CLOSED,
        "cycle_end": "",
    }
    assert c.post(url, data).status_code == 403
    assert c.post(f"/admin/cycles/cycle/{cycle.pk}/delete/", {"post": "yes"}).status_code == 403
    assert c.post("/admin/cycles/cycle/add/", data).status_code == 403
    cycle.refresh_from_db()
    assert cycle.state == Cycle.IN_REVIEW
    assert AuditEvent.objects.count() == events


def test_the_admin_cannot_edit_a_published_standard(
    login: Callable[[Any], Client], admin_user: Any, demo_cycle: Cycle
) -> None:
    c = login(admin_user)
    version = demo_cycle.policy_version
    assert version.status == PolicyVersion.PUBLISHED
    text = version.yaml
    url = f"/admin/standards/policyversion/{version.pk}/change/"
    assert c.get(url).status_code == 200
    r = c.post(url, {"code": version.code, "version": version.version, "status": "draft",
                     "yaml": text + "\n# changed by hand\n"})  # fmt: skip
    assert r.status_code == 403
    version.refresh_from_db()
    assert version.yaml == text and version.status == PolicyVersion.PUBLISHED


@pytest.mark.parametrize(
    "path",
    [
        "core/job",
        "core/auditevent",
        "cycles/cycle",
        "cycles/calibration",
        "cycles/decision",
        "standards/policyversion",
        "review/appeal",
        "review/nomination",
        "review/comment",
        "people/conflict",
        "people/correction",
        "people/levelchange",
    ],
)
def test_workflow_objects_are_read_only_in_the_admin(
    login: Callable[[Any], Client], admin_user: Any, path: str
) -> None:
    c = login(admin_user)
    assert c.get(f"/admin/{path}/").status_code == 200
    assert c.get(f"/admin/{path}/add/").status_code == 403
