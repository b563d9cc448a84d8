"""Importing and exporting employees as CSV or XLSX.

Importing takes two steps. :func:`import_stage` reads the file, keeps its rows server-side under
``DATA_DIR/imports/<token>.json`` and returns a preview; nothing is written to the database.
:func:`employee_import_apply` validates the kept rows again against the database as it is now
and, if the plan is still the one the user saw, applies the valid rows in one transaction: all of
them or none. Rejected rows are listed and skipped, never applied, and the counts reconcile:
read = create + update + unchanged + rejected.

A blank cell (or a column the file lacks) keeps the current value of an existing employee, so a
partial file never wipes data; an export imported back changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callgrade.core import tabular
from callgrade.core.audit import audit
from callgrade.core.tabular import ImportStale
from callgrade.people.models import Department, Employee, LevelChange, Position, Team
from callgrade.people.services.records import assignment_record

KIND = "employees"

COLUMNS = (
    "employee_id",
    "name",
    "team",
    "department",
    "position",
    "track",
    "level",
    "level_since",
    "hire_date",
    "status",
    "team_lead",
)
REQUIRED = ("employee_id", "name", "position")
HEADERS_ZH = {
    "employee_id": "工号",
    "name": "姓名",
    "team": "班组",
    "department": "部门",
    "position": "岗位",
    "track": "序列",
    "level": "级别",
    "level_since": "级别生效日期",
    "hire_date": "入职日期",
    "status": "状态",
    "team_lead": "组长",
}
# Header spellings accepted on import (compared after trimming, lower-casing and turning spaces
# and hyphens into underscores).
ALIASES = (
    {c: c for c in COLUMNS}
    | {zh: c for c, zh in HEADERS_ZH.items()}
    | {
        "id": "employee_id",
        "员工编号": "employee_id",
        "团队": "team",
        "职位": "position",
        "职级": "level",
        "等级": "level",
        "入职时间": "hire_date",
        "组长工号": "team_lead",
        "lead": "team_lead",
    }
)
STATUSES = {
    "active": "active",
    "在职": "active",
    "probation": "probation",
    "试用": "probation",
    "试用期": "probation",
    "left": "left",
    "离职": "left",
}
FIELD_LABELS = {
    "employee_id": gettext_lazy("Employee ID"),
    "name": gettext_lazy("Name"),
    "team": gettext_lazy("Team"),
    "department": gettext_lazy("Department"),
    "position": gettext_lazy("Position"),
    "track": gettext_lazy("Track"),
    "level": gettext_lazy("Level"),
    "level_since": gettext_lazy("Level since"),
    "hire_date": gettext_lazy("Hire date"),
    "status": gettext_lazy("Status"),
    "team_lead": gettext_lazy("Team lead"),
    "file": gettext_lazy("File"),
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LIMITS = {"employee_id": 50, "name": 100, "team": 100, "department": 100}
_EMPLOYEE_FIELDS = ("name", "team", "position", "track", "level", "hire_date", "status")


@dataclass
class Change:
    field: str
    before: str
    after: str

    @property
    def label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))


@dataclass
class RowPlan:
    """One data row: what importing it does (or why it is rejected)."""

    row: int  # the row number in the spreadsheet: the header is row 1
    employee_id: str
    name: str
    raw: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)  # the employee as it will be
    action: str = ""  # create, update, unchanged or rejected
    changes: list[Change] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, reason)

    @property
    def problems(self) -> list[dict[str, str]]:
        return [
            {"field": f, "label": str(FIELD_LABELS.get(f, f)), "reason": r} for f, r in self.errors
        ]

    def reject(self, column: str, reason: str) -> None:
        self.errors.append((column, reason))
        self.action = "rejected"


@dataclass
class Preview:
    filename: str
    columns: list[str]
    ignored: list[str]
    rows: list[RowPlan]
    new_departments: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)
    token: str = ""

    def _with(self, action: str) -> list[RowPlan]:
        return [r for r in self.rows if r.action == action]

    @property
    def creates(self) -> list[RowPlan]:
        return self._with("create")

    @property
    def updates(self) -> list[RowPlan]:
        return self._with("update")

    @property
    def unchanged(self) -> list[RowPlan]:
        return self._with("unchanged")

    @property
    def rejected(self) -> list[RowPlan]:
        return self._with("rejected")

    @property
    def counts(self) -> dict[str, int]:
        return {
            "read": len(self.rows),
            "create": len(self.creates),
            "update": len(self.updates),
            "unchanged": len(self.unchanged),
            "rejected": len(self.rejected),
        }

    @property
    def fingerprint(self) -> str:
        """What applying would do; a different fingerprint at confirm time means the database
        changed after the preview."""
        plan = [
            (r.row, r.action, r.values, [asdict(c) for c in r.changes], r.errors) for r in self.rows
        ]
        blob = json.dumps([plan, self.new_departments, self.new_teams], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


# --- reading files -----------------------------------------------------------------------------


# --- validating ----------------------------------------------------------------------------------


class _Catalog:
    """Known positions, tracks and ladder levels: the Position table and the published standard."""

    def __init__(self) -> None:
        from callgrade.standards.services import policy_current

        self.positions: dict[str, tuple[str, str]] = {}  # code → (track, ladder)
        self.tracks: set[str] = set()
        self.ladders: dict[str, list[str]] = {}
        self.aliases: dict[str, dict[str, str]] = {"position": {}, "track": {}, "level": {}}
        for p in Position.objects.all():
            self.positions[p.code] = (p.track, p.ladder)
            self.tracks.add(p.track)
            self._alias("position", p.code, p.label_zh, p.label_en)
        version = policy_current()
        policy = None
        if version is not None:
            try:
                policy = version.policy()
            except Exception:  # a stored standard that no longer validates names nothing
                policy = None
        if policy is not None:
            for pos in policy.positions:
                self.positions.setdefault(pos.code, (pos.track, pos.ladder))
                self._alias("position", pos.code, pos.label.zh, pos.label.en)
            for track in policy.tracks:
                self.tracks.add(track.code)
                self._alias("track", track.code, track.label.zh, track.label.en)
            for ladder in policy.ladders:
                self.ladders[ladder.code] = [lv.code for lv in ladder.levels]
                for lv in ladder.levels:
                    self._alias("level", lv.code, lv.label.zh, lv.label.en)
        for code in self.positions:
            self._alias("position", code)
        for code in self.tracks:
            self._alias("track", code)

    def _alias(self, kind: str, code: str, *labels: str) -> None:
        for text in (code, *labels):
            self.aliases[kind].setdefault(text.strip().lower(), code)

    def normal(self, kind: str, text: str) -> str:
        return self.aliases[kind].get(text.strip().lower(), text)


def _date(text: str) -> str | None:
    if not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def employee_values(emp: Employee) -> dict[str, str]:
    """An employee's fields as the text imports compare (the roster's and the sheets')."""
    return {
        "name": emp.name,
        "team": emp.team.name if emp.team else "",
        "position": emp.position,
        "track": emp.track,
        "level": emp.level,
        "hire_date": emp.hire_date.isoformat() if emp.hire_date else "",
        "status": emp.status,
    }


def _check_row(
    plan: RowPlan, emp: Employee | None, catalog: _Catalog, dup_rows: dict[str, list[int]]
) -> None:
    """Field-by-field checks of one row; fills ``plan.values`` (blank keeps the current value)."""
    raw = plan.raw
    for col, limit in _LIMITS.items():
        if len(raw.get(col, "")) > limit:
            plan.reject(col, _("longer than %(limit)s characters") % {"limit": limit})
    if not plan.employee_id:
        plan.reject("employee_id", _("required"))
    elif plan.employee_id in dup_rows:
        rows = ", ".join(str(n) for n in dup_rows[plan.employee_id])
        plan.reject(
            "employee_id", _("appears more than once in the file (rows %(rows)s)") % {"rows": rows}
        )
    if not raw.get("name"):
        plan.reject("name", _("required"))
    current = employee_values(emp) if emp else {}
    values = dict(current) if emp else {f: "" for f in _EMPLOYEE_FIELDS}
    if raw.get("name"):
        values["name"] = raw["name"]
    if raw.get("team"):
        values["team"] = raw["team"]

    position = catalog.normal("position", raw.get("position", ""))
    if not position:
        plan.reject("position", _("required"))
    elif position not in catalog.positions and position != current.get("position"):
        known = ", ".join(sorted(catalog.positions)) or "—"
        plan.reject(
            "position",
            _("unknown position %(value)s (known: %(known)s)")
            % {"value": position, "known": known},
        )
    values["position"] = position
    track_of, ladder = catalog.positions.get(position, ("", ""))

    track = raw.get("track", "")
    if track:
        track = catalog.normal("track", track)
        if catalog.tracks and track not in catalog.tracks and track != current.get("track"):
            plan.reject("track", _("unknown track %(value)s") % {"value": track})
        values["track"] = track
    elif not emp:
        values["track"] = track_of

    level = raw.get("level", "")
    if level:
        level = catalog.normal("level", level)
        levels = catalog.ladders.get(ladder)
        if levels and level not in levels and level != current.get("level"):
            plan.reject(
                "level",
                _("%(value)s is not a level of the %(ladder)s ladder (levels: %(levels)s)")
                % {"value": level, "ladder": ladder, "levels": ", ".join(levels)},
            )
        values["level"] = level

    # a changed level takes effect on this day (today when blank), and grading counts from it
    since = raw.get("level_since", "")
    if since:
        parsed = _date(since)
        if parsed is None:
            plan.reject(
                "level_since", _("%(value)s is not a date in YYYY-MM-DD form") % {"value": since}
            )
        values["level_since"] = parsed or since

    hire = raw.get("hire_date", "")
    if hire:
        parsed = _date(hire)
        if parsed is None:
            plan.reject(
                "hire_date", _("%(value)s is not a date in YYYY-MM-DD form") % {"value": hire}
            )
        values["hire_date"] = parsed or hire

    status = raw.get("status", "")
    if status:
        normal = STATUSES.get(status.strip().lower())
        if normal is None and status != current.get("status"):
            plan.reject(
                "status",
                _("unknown status %(value)s (use active, probation or left)") % {"value": status},
            )
        values["status"] = normal or status
    elif not emp:
        values["status"] = "active"

    if not values["team"]:
        for col in ("department", "team_lead"):
            if raw.get(col):
                plan.reject(col, _("needs a team: this row names none"))
    plan.values = values


def _check_references(plans: list[RowPlan], employees: dict[str, Employee]) -> bool:
    """Team leads must be employees that exist or that the file validly imports; rows of one team
    must agree on its department and lead. Returns whether a row was rejected."""
    changed = False
    valid = {p.employee_id for p in plans if p.action != "rejected"}
    for p in plans:
        lead = p.raw.get("team_lead", "")
        if p.action == "rejected" or not lead:
            continue
        if lead not in employees and lead not in valid:
            p.reject(
                "team_lead",
                _("%(value)s is neither an existing employee nor a valid row of this file")
                % {"value": lead},
            )
            changed = True
    first: dict[tuple[str, str], tuple[str, int]] = {}
    for p in plans:
        if p.action == "rejected":
            continue
        for col in ("department", "team_lead"):
            value = p.raw.get(col, "")
            if not value:
                continue
            key = (p.values["team"], col)
            if key not in first:
                first[key] = (value, p.row)
            elif first[key][0] != value:
                given, row = first[key]
                p.reject(
                    col,
                    _("row %(row)s already gives team %(team)s the value %(value)s")
                    % {"row": row, "team": p.values["team"], "value": given},
                )
                changed = True
    return changed


def employees_preview(
    rows: list[tuple[int, dict]], *, filename: str, columns: list[str], ignored: list[str]
) -> Preview:
    """What importing ``rows`` would do to the database as it is now; writes nothing."""
    employees = {
        e.employee_id: e
        for e in Employee.objects.select_related("team", "team__department", "team__lead")
    }
    teams = {t.name: t for t in Team.objects.select_related("department", "lead")}
    departments = set(Department.objects.values_list("name", flat=True))
    catalog = _Catalog()
    ids = Counter(v.get("employee_id", "") for _n, v in rows)
    dup_rows: dict[str, list[int]] = {}
    for n, v in rows:
        if v.get("employee_id") and ids[v["employee_id"]] > 1:
            dup_rows.setdefault(v["employee_id"], []).append(n)
    plans = []
    for n, v in rows:
        raw = {c: v.get(c, "") for c in COLUMNS}
        plan = RowPlan(row=n, employee_id=raw["employee_id"], name=raw["name"], raw=raw)
        _check_row(plan, employees.get(plan.employee_id), catalog, dup_rows)
        plans.append(plan)
    while _check_references(plans, employees):
        pass

    # Team attributes start as stored; the first row that sets one carries the change.
    team_state = {
        name: {
            "department": t.department.name if t.department else "",
            "team_lead": t.lead.employee_id if t.lead else "",
        }
        for name, t in teams.items()
    }
    new_teams: list[str] = []
    new_departments: list[str] = []
    for p in plans:
        if p.action == "rejected":
            continue
        emp = employees.get(p.employee_id)
        before = employee_values(emp) if emp else {f: "" for f in _EMPLOYEE_FIELDS}
        p.changes = [
            Change(f, before[f], p.values[f]) for f in _EMPLOYEE_FIELDS if before[f] != p.values[f]
        ]
        team = p.values["team"]
        if team and team not in team_state:
            team_state[team] = {"department": "", "team_lead": ""}
            new_teams.append(team)
        for col in ("department", "team_lead"):
            value = p.raw.get(col, "")
            if value and team_state[team][col] != value:
                p.changes.append(Change(col, team_state[team][col], value))
                team_state[team][col] = value
                if col == "department" and value not in departments:
                    departments.add(value)
                    new_departments.append(value)
        p.values["department"] = team_state[team]["department"] if team else ""
        p.values["team_lead"] = p.raw.get("team_lead", "")
        p.action = "create" if emp is None else ("update" if p.changes else "unchanged")
    return Preview(
        filename=filename,
        columns=columns,
        ignored=ignored,
        rows=plans,
        new_departments=new_departments,
        new_teams=new_teams,
    )


# --- staging and applying ---------------------------------------------------------------------


def read_table(data: bytes, filename: str) -> tuple[list[str], list[str], list[tuple[int, dict]]]:
    """The employee columns of an uploaded CSV or XLSX file (see :func:`tabular.read_table`)."""
    return tabular.read_table(data, filename, aliases=ALIASES, required=REQUIRED)


def import_stage(*, data: bytes, filename: str, actor: Any) -> Preview:
    """Read and validate an upload and keep its rows for the confirm step; writes nothing to the
    database. Raises :class:`ImportFileError` when the file cannot be read at all."""
    columns, ignored, rows = read_table(data, filename)
    preview = employees_preview(rows, filename=filename, columns=columns, ignored=ignored)
    preview.token = tabular.stage(
        actor=actor,
        kind=KIND,
        payload={"filename": filename, "columns": columns, "ignored": ignored, "rows": rows},
    )
    return preview


def import_preview(*, token: str, actor: Any) -> Preview:
    """The preview of a staged upload, against the database as it is now."""
    stored = tabular.load(token, actor, KIND)
    rows = [(int(n), dict(v)) for n, v in stored["rows"]]
    preview = employees_preview(
        rows, filename=stored["filename"], columns=stored["columns"], ignored=stored["ignored"]
    )
    preview.token = token
    return preview


def import_discard(*, token: str, actor: Any) -> None:
    tabular.load(token, actor, KIND)
    tabular.discard(token)


def employee_import_apply(*, token: str, fingerprint: str, actor: Any) -> dict[str, int]:
    """Apply the valid rows of a staged upload in one transaction and return the counts.

    Raises :class:`ImportStale` when the upload is unknown or expired, or when the database
    changed since the preview so that importing would now do something else than the preview
    the user confirmed (``fingerprint``) showed."""
    preview = import_preview(token=token, actor=actor)
    if preview.fingerprint != fingerprint:
        raise ImportStale(_("The organization changed since the preview: check the new preview."))
    reason = f"import {preview.filename}"
    today = timezone.localdate()
    with transaction.atomic():
        departments = {d.name: d for d in Department.objects.select_for_update()}
        teams = {t.name: t for t in Team.objects.select_for_update()}
        for name in preview.new_departments:
            departments[name] = Department.objects.create(name=name)
            audit(
                actor, "department_create", departments[name], after={"name": name}, reason=reason
            )
        for name in preview.new_teams:
            teams[name] = Team.objects.create(name=name)
            audit(actor, "team_create", teams[name], after={"name": name}, reason=reason)
        by_id: dict[str, Employee] = {}
        team_changes: dict[str, list[Change]] = {}
        for p in preview.rows:
            if p.action in ("create", "update"):
                by_id[p.employee_id] = _apply_employee(p, teams, actor, reason, today)
            for c in p.changes:
                if c.field in ("department", "team_lead"):
                    team_changes.setdefault(p.values["team"], []).append(c)
        for name, changes in team_changes.items():
            team = teams[name]
            for c in changes:
                if c.field == "department":
                    team.department = departments[c.after]
                else:
                    team.lead = by_id.get(c.after) or Employee.objects.get(employee_id=c.after)
            team.save(update_fields=["department", "lead"])
            audit(
                actor,
                "team_import_update",
                team,
                before={c.field: c.before for c in changes},
                after={c.field: c.after for c in changes},
                reason=reason,
            )
    tabular.discard(token)
    return preview.counts


def _apply_employee(
    p: RowPlan, teams: dict[str, Team], actor: Any, reason: str, today: dt.date
) -> Employee:
    v = p.values
    fields = {
        "name": v["name"],
        "team": teams.get(v["team"]) if v["team"] else None,
        "position": v["position"],
        "track": v["track"],
        "level": v["level"],
        "hire_date": dt.date.fromisoformat(v["hire_date"]) if v["hire_date"] else None,
        "status": v["status"],
    }
    changed = {c.field: c for c in p.changes if c.field in _EMPLOYEE_FIELDS}
    since = dt.date.fromisoformat(v["level_since"]) if v.get("level_since") else None
    if p.action == "create":
        emp = Employee(employee_id=p.employee_id, **fields)
        if emp.level:
            emp.level_since = since or emp.hire_date or today
        emp.save()
        if emp.level:
            LevelChange.objects.create(
                employee=emp,
                level_from="",
                level_to=emp.level,
                effective=emp.level_since,
                reason=reason,
            )
        assignment_record(employee=emp, effective=emp.hire_date or today, reason=reason)
        audit(actor, "employee_import_create", emp, after=employee_values(emp), reason=reason)
        return emp
    emp = Employee.objects.select_for_update().get(employee_id=p.employee_id)
    for name, value in fields.items():
        setattr(emp, name, value)
    if "level" in changed:
        emp.level_since = since or today
        LevelChange.objects.create(
            employee=emp,
            level_from=changed["level"].before,
            level_to=emp.level,
            effective=emp.level_since,
            reason=reason,
        )
    emp.save()
    if "team" in changed or "position" in changed:
        assignment_record(employee=emp, effective=today, reason=reason)
    audit(
        actor,
        "employee_import_update",
        emp,
        before={f: c.before for f, c in changed.items()},
        after={f: c.after for f, c in changed.items()},
        reason=reason,
    )
    return emp


# --- exporting ------------------------------------------------------------------------------------


def export_rows(employees: Any) -> list[list[str]]:
    """One row per employee in :data:`COLUMNS` order; the team lead column names the lead of the
    employee's team (blank on the lead's own row), as the roster does."""
    out = []
    for e in employees.select_related("team", "team__department", "team__lead"):
        team = e.team
        lead = team.lead if team else None
        out.append(
            [
                e.employee_id,
                e.name,
                team.name if team else "",
                team.department.name if team and team.department else "",
                e.position,
                e.track,
                e.level,
                e.level_since.isoformat() if e.level_since else "",
                e.hire_date.isoformat() if e.hire_date else "",
                e.status,
                lead.employee_id if lead and lead.pk != e.pk else "",
            ]
        )
    return out


def header(lang: str) -> list[str]:
    return [HEADERS_ZH[c] for c in COLUMNS] if lang == "zh" else list(COLUMNS)


def export_csv(rows: list[list[str]], *, lang: str = "en") -> bytes:
    return tabular.table_csv(header(lang), rows)


def export_xlsx(rows: list[list[str]], *, lang: str = "en") -> bytes:
    return tabular.table_xlsx(
        "employees",
        header(lang),
        rows,
        date_columns=(COLUMNS.index("level_since"), COLUMNS.index("hire_date")),
    )
