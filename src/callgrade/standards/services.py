"""Uploading, comparing, simulating and publishing versions of the grading standard."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core import tabular
from callgrade.core.audit import audit, notify
from callgrade.core.jobs import Progress, job_start, register
from callgrade.core.models import AuditEvent, Job
from callgrade.engine.cycle import rating_periods
from callgrade.engine.policy import Policy, PolicyError
from callgrade.engine.policy.load import MAX_VALUES, validate_text
from callgrade.people.models import Employee, Position
from callgrade.standards.models import Acknowledgement, PolicyVersion


class UploadRejected(ValueError):
    def __init__(self, errors: list[PolicyError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


class SimulationRefused(ValueError):
    """A simulation that cannot run (no published version, a bad period)."""


class PublishRefused(ValueError):
    """A version that may not be published (not a draft, or not simulated as it stands)."""


def policy_current(code: str | None = None) -> PolicyVersion | None:
    """The published version (of ``code``, or the latest published of any code)."""
    qs = PolicyVersion.objects.filter(status=PolicyVersion.PUBLISHED)
    if code:
        qs = qs.filter(code=code)
    return qs.order_by("-published_at", "-id").first()


def _readable(error: PolicyError) -> PolicyError:
    """The error with a message in the reader's language where the web has its words."""
    if error.kind == "expansion":
        message = _(
            "The standard expands to more than %(count)s values (YAML aliases): write the "
            "values out instead of repeating aliases."
        ) % {"count": f"{MAX_VALUES:,}"}
        return dataclasses.replace(error, message=message)
    return error


def policy_upload(*, actor: Any, text: str, filename: str = "policy.yaml") -> PolicyVersion:
    """Validate the YAML and store it as a draft; raise :class:`UploadRejected` with every
    error (line and column) when it is not a valid standard."""
    policy, errors = validate_text(text, file=filename)
    if policy is None:
        raise UploadRejected([_readable(e) for e in errors])
    if PolicyVersion.objects.filter(code=policy.code, version=policy.version).exists():
        raise UploadRejected(
            [
                PolicyError(
                    filename,
                    1,
                    1,
                    "version",
                    f"{policy.code} version {policy.version} already exists: raise the version",
                )
            ]
        )
    with transaction.atomic():
        version = PolicyVersion.objects.create(
            code=policy.code, version=policy.version, yaml=text, uploaded_by=actor
        )
        audit(
            actor, "policy_upload", version, after={"code": policy.code, "version": policy.version}
        )
    return version


def _sync_positions(policy: Policy) -> None:
    for p in policy.positions:
        Position.objects.update_or_create(
            code=p.code,
            defaults={
                "label_zh": p.label.zh,
                "label_en": p.label.en,
                "track": p.track,
                "ladder": p.ladder,
                "duties": [{"zh": d.zh, "en": d.en} for d in p.duties],
            },
        )


def simulation_baseline(version: PolicyVersion) -> PolicyVersion | None:
    """The standard a simulation of ``version`` compares with: the published version of the
    same code, or for a new standard the one published last."""
    return policy_current(version.code) or policy_current()


def fresh_simulation(version: PolicyVersion) -> Job | None:
    """The latest finished simulation of exactly ``version``'s current text against the
    standard in force now, or None: what publishing requires."""
    baseline = simulation_baseline(version)
    if baseline is None or baseline.pk == version.pk:
        return None
    return (
        Job.objects.filter(
            kind="policy_simulate",
            state=Job.DONE,
            arguments__version=version.pk,
            arguments__content=version.content_hash(),
            arguments__current=baseline.pk,
        )
        .order_by("-finished_at", "-id")
        .first()
    )


def publish_problem(version: PolicyVersion) -> str | None:
    """Why ``version`` cannot be published now, in the reader's language, or None."""
    if version.status != PolicyVersion.DRAFT:
        return _("Only a draft can be published.")
    baseline = simulation_baseline(version)
    if baseline is not None and fresh_simulation(version) is None:
        return _(
            "Run a simulation of this version first: publishing needs a finished simulation "
            "of exactly this text against the standard in force."
        )
    return None


def policy_publish(*, version: PolicyVersion, actor: Any) -> PolicyVersion:
    """Publish ``version``: the previous published version of the same code is retired, the
    positions are synced and every employee with a login is asked to acknowledge it. Refused
    (:class:`PublishRefused`) unless it is a draft and, when a standard is in force, a finished
    simulation of its current text against that standard exists; the version keeps the one it
    replaced and that simulation, so its page still shows both once it is published."""
    problem = publish_problem(version)
    if problem is not None:
        raise PublishRefused(problem)
    simulation = fresh_simulation(version)
    policy = version.policy()
    with transaction.atomic():
        previous = list(
            PolicyVersion.objects.select_for_update().filter(
                code=version.code, status=PolicyVersion.PUBLISHED
            )
        )
        for old in previous:
            old.status = PolicyVersion.RETIRED
            old.save(update_fields=["status"])
        version.status = PolicyVersion.PUBLISHED
        version.published_at = timezone.now()
        version.replaces = max(
            previous, key=lambda o: o.published_at or o.uploaded_at, default=None
        )
        version.simulation = simulation
        version.save(update_fields=["status", "published_at", "replaces", "simulation"])
        _sync_positions(policy)
        audit(
            actor,
            "policy_publish",
            version,
            before={"published": [f"{o.code} {o.version}" for o in previous]},
            after={"published": f"{version.code} {version.version}"},
        )
        for emp in Employee.objects.filter(user__isnull=False).select_related("user"):
            notify(
                emp.user,
                en=f"A new grading standard was published: {policy.label.en} ({policy.version}). "
                "Please read and acknowledge it.",
                zh=f"新的定级标准已发布：{policy.label.zh}（{policy.version}），请阅读并确认。",
                url="/standard/",
            )
    return version


def acknowledge(
    *, employee: Employee, version: PolicyVersion, actor: Any = None
) -> Acknowledgement:
    """'I have read and understood': recorded once per employee and version (a second click
    returns the first acknowledgement unchanged)."""
    if version.status != PolicyVersion.PUBLISHED:
        raise ValueError("only the published standard can be acknowledged")
    with transaction.atomic():
        ack, created = Acknowledgement.objects.get_or_create(
            employee=employee, policy_version=version
        )
        if created:
            audit(
                actor if actor is not None else employee.user,
                "policy_acknowledge",
                version,
                after={"employee": employee.employee_id, "version": str(version)},
            )
    return ack


def acknowledgement_of(employee: Employee | None, version: PolicyVersion) -> Acknowledgement | None:
    if employee is None:
        return None
    return Acknowledgement.objects.filter(employee=employee, policy_version=version).first()


# --- comparing a version with the published one --------------------------------------------------


def _keyed(items: list[Any]) -> list[tuple[str, Any]]:
    """List entries keyed by what names them in the YAML (a code, a KPI, a level), so that a
    reordering or an insertion does not show every later entry as changed."""
    for key in ("code", "kpi", "level", "rating", "ladder"):
        if items and all(isinstance(i, dict) and i.get(key) is not None for i in items):
            names = [str(i[key]) for i in items]
            if len(set(names)) == len(names):
                return list(zip(names, items, strict=True))
    return [(str(n), i) for n, i in enumerate(items)]


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list):
        if not value:
            out[path] = []
        for name, v in _keyed(value):
            _flatten(v, f"{path}[{name}]", out)
    else:
        out[path] = value


def policy_changes(old: Policy, new: Policy) -> list[dict[str, Any]]:
    """Every setting that differs between two validated policies, by its path in the document
    (defaults filled in, so a value written out that equals the default is no change)."""
    a: dict[str, Any] = {}
    b: dict[str, Any] = {}
    _flatten(old.model_dump(mode="json"), "", a)
    _flatten(new.model_dump(mode="json"), "", b)
    out = []
    for path in sorted(set(a) | set(b)):
        if path == "version":
            continue
        before, after = a.get(path), b.get(path)
        if before != after:
            out.append({"path": path, "before": before, "after": after})
    return out


def diff_base(version: PolicyVersion) -> PolicyVersion | None:
    """What ``version`` is compared with: for a draft the published version of the same code,
    once published the version it replaced."""
    if version.status == PolicyVersion.DRAFT:
        return policy_current(version.code)
    return version.replaces


def policy_diff(version: PolicyVersion) -> dict[str, Any]:
    """``version`` against :func:`diff_base`: the YAML's unified diff (each line with its
    kind) and the settings that change."""
    current = diff_base(version)
    if current is None or current.pk == version.pk:
        return {"current": current, "lines": [], "changes": []}
    lines = []
    for line in difflib.unified_diff(
        current.yaml.splitlines(),
        version.yaml.splitlines(),
        fromfile=f"{current.code} {current.version}",
        tofile=f"{version.code} {version.version}",
        lineterm="",
    ):
        if line.startswith(("---", "+++")):
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        lines.append({"kind": kind, "text": line})
    changes = policy_changes(current.policy(), version.policy())
    return {"current": current, "lines": lines, "changes": changes}


def numbered_lines(text: str, errors: list[PolicyError] | None = None) -> list[dict[str, Any]]:
    """The YAML's lines numbered from 1, with the errors reported on each line."""
    by_line: dict[int, list[PolicyError]] = {}
    for e in errors or []:
        by_line.setdefault(e.line, []).append(e)
    lines = text.splitlines() or [""]
    return [
        {"number": n, "text": line, "errors": by_line.get(n, [])}
        for n, line in enumerate(lines, start=1)
    ]


# --- simulation -----------------------------------------------------------------------------------

SIMULATION_TABLES = ("ratings", "levels", "pay", "distribution")


def simulation_default_period() -> str:
    """The period of the most recently computed cycle (what HR last graded on), read from the
    computation's job so that standards need not know cycles."""
    job = (
        Job.objects.filter(kind="cycle_compute", state=Job.DONE, cycle__isnull=False)
        .select_related("cycle")
        .order_by("-finished_at", "-id")
        .first()
    )
    return job.cycle.period if job is not None and job.cycle is not None else ""


def policy_simulate(*, version: PolicyVersion, period: str, actor: Any) -> Job:
    """Replay ``period`` under ``version`` and under the standard in force, in the background:
    the published version of the same code, or for a new standard the one published last. The
    job's ``arguments["report"]`` holds the engine's comparison tables."""
    current = simulation_baseline(version)
    if current is None:
        raise SimulationRefused(_("No standard is published yet to compare with."))
    if current.pk == version.pk:
        raise SimulationRefused(
            _("This version is the published one: there is nothing to compare.")
        )
    period = period.strip()
    try:
        periods = rating_periods(current.policy(), period)
    except ValueError as e:
        raise SimulationRefused(
            _("Period %(period)s: %(error)s") % {"period": period, "error": e}
        ) from None
    if not periods:
        raise SimulationRefused(_("Period %(period)s holds no rating period.") % {"period": period})
    if version.status != PolicyVersion.DRAFT:
        raise SimulationRefused(_("Only a draft can be simulated."))
    return job_start(
        kind="policy_simulate",
        actor=actor,
        version=version.pk,
        current=current.pk,
        period=period,
        content=version.content_hash(),
    )


def _json_value(v: Any) -> Any:
    if isinstance(v, float) and v != v:
        return None
    return v


@register("policy_simulate")
def _simulate(job: Job, on_progress: Progress) -> None:
    from callgrade.engine.cycle import last_local_day, simulate_cycle
    from callgrade.people.inputs import cycle_inputs

    args = job.arguments
    draft = PolicyVersion.objects.get(pk=args["version"]).policy()
    current = PolicyVersion.objects.get(pk=args["current"]).policy()
    fraction = {"KPIs": 0.1, "simulate": 0.5}
    last = last_local_day(rating_periods(current, args["period"])[-1], current.time_zone)
    report = simulate_cycle(
        cycle_inputs(current.time_zone, last),
        draft,
        current,
        period=args["period"],
        on_step=lambda step: on_progress(fraction[step], step),
    )
    on_progress(0.9, "store")
    tables: dict[str, Any] = {}
    for name in (*SIMULATION_TABLES, "actions"):
        t = getattr(report, name)
        if t is None:
            continue
        tables[name] = {
            "columns": t.column_names,
            "rows": [[_json_value(v) for v in row.values()] for row in t.to_pylist()],
        }
    spread = report.distributions
    if spread is not None:  # what the form editor compares the draft's thresholds with
        tables["distributions"] = {
            "period": spread.period,
            "items": spread.items,
            "totals": spread.totals,
        }
    Job.objects.filter(pk=job.pk).update(arguments={**args, "report": tables})


# --- acknowledgements -----------------------------------------------------------------------------


def acknowledgement_report(version: PolicyVersion) -> dict[str, Any]:
    """Who among the current employees has acknowledged ``version`` and who has not yet."""
    acks = {
        a.employee_id: a.at
        for a in Acknowledgement.objects.filter(policy_version=version).only("employee_id", "at")
    }
    done: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for emp in (
        Employee.objects.exclude(status="left")
        .select_related("team")
        .order_by("team__name", "employee_id")
    ):
        row = {"employee": emp, "at": acks.get(emp.pk), "has_login": emp.user_id is not None}
        (done if emp.pk in acks else missing).append(row)
    return {
        "done": done,
        "missing": missing,
        "total": len(done) + len(missing),
        "reachable": sum(1 for r in missing if r["has_login"]),
        "without_login": sum(1 for r in missing if not r["has_login"]),
    }


REMIND_EVERY = dt.timedelta(days=1)


def acknowledgement_remind(*, version: PolicyVersion, actor: Any) -> tuple[int, int]:
    """Remind every current employee with a login who has not acknowledged ``version`` yet, in
    the app: (reminded, skipped because reminded less than a day ago). Each batch is one audit
    event naming who was reminded, which is also how the day between reminders is kept."""
    if version.status != PolicyVersion.PUBLISHED:
        raise ValueError("only the published standard is acknowledged")
    policy = version.policy()
    with transaction.atomic():
        recent: set[str] = set()
        for event in AuditEvent.objects.filter(
            action="policy_remind",
            object_type=version._meta.model_name,
            object_id=str(version.pk),
            at__gte=timezone.now() - REMIND_EVERY,
        ):
            recent |= set((event.after or {}).get("reminded", []))
        due = (
            Employee.objects.filter(user__isnull=False, user__is_active=True)
            .exclude(status="left")
            .exclude(acks__policy_version=version)
            .select_related("user")
            .order_by("employee_id")
        )
        reminded = [e for e in due if e.employee_id not in recent]
        for emp in reminded:
            notify(
                emp.user,
                en=f"Reminder: please read and acknowledge the grading standard "
                f"{policy.label.en} ({policy.version}).",
                zh=f"提醒：请阅读并确认定级标准 {policy.label.zh}（{policy.version}）。",
                url=f"/standard/?code={version.code}",
            )
        if reminded:
            audit(
                actor,
                "policy_remind",
                version,
                after={"reminded": [e.employee_id for e in reminded]},
            )
    return len(reminded), len(due) - len(reminded)


def acknowledgements_missing_xlsx(
    version: PolicyVersion, *, title: str, headers: list[str], yes: str, no: str
) -> bytes:
    """The not-yet list as an Excel workbook (employee id, name, team, position, has a login);
    the caller passes the labels in the reader's language."""
    rows = [
        [
            row["employee"].employee_id,
            row["employee"].name,
            row["employee"].team.name if row["employee"].team else "",
            row["employee"].position,
            yes if row["has_login"] else no,
        ]
        for row in acknowledgement_report(version)["missing"]
    ]
    return tabular.table_xlsx(title, headers, rows)
