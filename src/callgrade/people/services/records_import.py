"""Importing training completions, competency assessments and level history from CSV or XLSX.

Like the employee import: the upload is read and kept (``tabular``), a preview lists what each
row would add or why it is rejected (row, field, reason), and confirming applies the valid rows
in one transaction, all or none, if the preview is still what the database would do. A row
equal to a record already held is "unchanged", so importing the same file again adds nothing;
read = create + unchanged + rejected.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callgrade.core import tabular
from callgrade.core.audit import audit
from callgrade.core.tabular import ImportStale
from callgrade.engine.policy import Policy
from callgrade.people.models import (
    CompetencyAssessment,
    Employee,
    LevelChange,
    RosterAttribute,
    TrainingRecord,
)
from callgrade.people.services.attributes import attribute_checked
from callgrade.people.services.records import RecordError, employee_level_set, standards_catalog

SOURCE = "import"


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any
    columns: tuple[str, ...]
    required: tuple[str, ...]
    headers_zh: dict[str, str]


KINDS = {
    k.code: k
    for k in (
        Kind(
            "trainings",
            gettext_lazy("Training completions"),
            ("employee_id", "training", "completed_at", "exam_score", "passed", "certificate",
             "expires_at"),
            ("employee_id", "training", "completed_at"),
            {"employee_id": "工号", "training": "培训", "completed_at": "完成日期",
             "exam_score": "考试成绩", "passed": "是否通过", "certificate": "证书编号",
             "expires_at": "失效日期"},
        ),
        Kind(
            "assessments",
            gettext_lazy("Competency assessments"),
            ("employee_id", "competency", "score", "method", "assessed_at", "assessor"),
            ("employee_id", "competency", "score", "assessed_at"),
            {"employee_id": "工号", "competency": "能力项", "score": "得分",
             "method": "考核方式", "assessed_at": "考核日期", "assessor": "考核人"},
        ),
        Kind(
            "level_history",
            gettext_lazy("Level history"),
            ("employee_id", "level", "effective", "reason"),
            ("employee_id", "level", "effective"),
            {"employee_id": "工号", "level": "级别", "effective": "生效日期", "reason": "原因"},
        ),
        # roster attributes for the fairness audit, seen by HR only (people/access.py)
        Kind(
            "attributes",
            gettext_lazy("Roster attributes"),
            ("employee_id", "attribute", "value"),
            ("employee_id", "attribute", "value"),
            {"employee_id": "工号", "attribute": "属性", "value": "取值"},
        ),
    )
}  # fmt: skip
# what a column is called on the page (the file's own headers are codes or Chinese)
COLUMN_LABELS = {
    "employee_id": gettext_lazy("Employee ID"),
    "training": gettext_lazy("training"),
    "completed_at": gettext_lazy("completed on"),
    "exam_score": gettext_lazy("exam score"),
    "passed": gettext_lazy("passed"),
    "certificate": gettext_lazy("certificate number"),
    "expires_at": gettext_lazy("expires on"),
    "competency": gettext_lazy("competency"),
    "score": gettext_lazy("score"),
    "method": gettext_lazy("method"),
    "assessed_at": gettext_lazy("assessed on"),
    "assessor": gettext_lazy("assessor"),
    "level": gettext_lazy("Level"),
    "effective": gettext_lazy("Effective"),
    "reason": gettext_lazy("Reason"),
    "attribute": gettext_lazy("attribute"),
    "value": gettext_lazy("value"),
}
YES = {"yes", "true", "1", "是", "通过", "合格"}
NO = {"no", "false", "0", "否", "不通过", "不合格"}
METHODS = {"exam": "exam", "笔试": "exam", "observation": "observation", "现场观察": "observation"}


def _aliases(kind: Kind) -> dict[str, str]:
    return {c: c for c in kind.columns} | {zh: c for c, zh in kind.headers_zh.items()}


@dataclass
class Row:
    row: int
    raw: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    action: str = ""  # create, unchanged or rejected
    errors: list[tuple[str, str]] = field(default_factory=list)

    def reject(self, column: str, reason: str) -> None:
        self.errors.append((column, reason))
        self.action = "rejected"


@dataclass
class RecordsPreview:
    kind: str
    filename: str
    columns: list[str]
    ignored: list[str]
    rows: list[Row]
    token: str = ""

    @property
    def counts(self) -> dict[str, int]:
        n = {a: sum(r.action == a for r in self.rows) for a in ("create", "unchanged", "rejected")}
        return {"read": len(self.rows), **n}

    @property
    def fingerprint(self) -> str:
        plan = [(r.row, r.action, sorted(map(str, r.values.items())), r.errors) for r in self.rows]
        return hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()


def _date(row: Row, column: str, *, required: bool) -> dt.date | None:
    text = row.raw.get(column, "")
    if not text:
        if required:
            row.reject(column, _("required"))
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        row.reject(column, _("%(value)s is not a date in YYYY-MM-DD form") % {"value": text})
        return None


def _score(row: Row, column: str, *, required: bool) -> float | None:
    text = row.raw.get(column, "")
    if not text:
        if required:
            row.reject(column, _("required"))
        return None
    try:
        value = float(text)
    except ValueError:
        row.reject(column, _("%(value)s is not a number") % {"value": text})
        return None
    if not 0 <= value <= 100:
        row.reject(column, _("%(value)s is not between 0 and 100") % {"value": text})
    return value


def _one_of(row: Row, column: str, known: list[str], what: str) -> str:
    value = row.raw.get(column, "")
    if known and value not in known:
        row.reject(
            column,
            _("unknown %(what)s %(value)s (known: %(known)s)")
            % {"what": what, "value": value, "known": ", ".join(known)},
        )
    return value


def _check_training(row: Row, catalog: dict[str, list[str]]) -> tuple[Any, ...]:
    training = _one_of(row, "training", catalog["trainings"], _("training"))
    completed = _date(row, "completed_at", required=True)
    passed_text = row.raw.get("passed", "").lower()
    passed = True if passed_text in YES else False if passed_text in NO else None
    if passed_text and passed is None:
        row.reject("passed", _("%(value)s: give yes or no") % {"value": row.raw["passed"]})
    row.values = {
        "training": training,
        "completed_at": completed,
        "exam_score": _score(row, "exam_score", required=False),
        "passed": passed,
        "certificate": row.raw.get("certificate", "")[:100],
        "expires_at": _date(row, "expires_at", required=False),
    }
    return (training, completed)


def _check_assessment(row: Row, catalog: dict[str, list[str]]) -> tuple[Any, ...]:
    _one_of(row, "competency", catalog["competencies"], _("competency"))
    method_text = row.raw.get("method", "")
    method = METHODS.get(method_text.lower(), METHODS.get(method_text, ""))
    if method_text and not method:
        row.reject("method", _("%(value)s: give exam or observation") % {"value": method_text})
    row.values = {
        "competency": row.raw.get("competency", ""),
        "score": _score(row, "score", required=True),
        "method": method,
        "assessed_at": _date(row, "assessed_at", required=True),
        "assessor": row.raw.get("assessor", "")[:100],
    }
    return (row.values["competency"], row.values["assessed_at"], method, row.values["score"])


def _check_level(row: Row, policy: Policy | None, emp: Employee | None) -> tuple[Any, ...]:
    known: list[str] = []
    if policy is not None and emp is not None:
        position = next((p for p in policy.positions if p.code == emp.position), None)
        if position is not None:
            known = [lv.code for lv in policy.ladder(position.ladder).ordered()]
    level = _one_of(row, "level", known, _("level"))
    effective = _date(row, "effective", required=True)
    row.values = {"level": level, "effective": effective, "reason": row.raw.get("reason", "")}
    return (level, effective)


def _check_attribute(row: Row) -> tuple[Any, ...]:
    try:
        name, value = attribute_checked(row.raw.get("attribute", ""), row.raw.get("value", ""))
    except RecordError as e:
        row.reject("attribute", str(e))
        name, value = row.raw.get("attribute", ""), row.raw.get("value", "")
    if not value:
        row.reject("value", _("required"))
    row.values = {"name": name, "value": value}
    # one value per attribute and employee: a second row for the same attribute repeats it
    return (name,)


def _existing(kind: str) -> set[tuple[Any, ...]]:
    if kind == "trainings":
        return set(TrainingRecord.objects.values_list("employee_id", "training", "completed_at"))
    if kind == "attributes":
        return set(RosterAttribute.objects.values_list("employee_id", "name", "value"))
    if kind == "assessments":
        return set(
            CompetencyAssessment.objects.values_list(
                "employee_id", "competency", "assessed_at", "method", "score"
            )
        )
    return set(LevelChange.objects.values_list("employee_id", "level_to", "effective"))


def records_preview(
    kind: str, rows: list[tuple[int, dict]], *, filename: str, columns: list[str],
    ignored: list[str], policy: Policy | None,
) -> RecordsPreview:  # fmt: skip
    """What importing ``rows`` would add; writes nothing."""
    employees = {e.employee_id: e for e in Employee.objects.all()}
    held = _existing(kind)
    catalog = standards_catalog()
    seen: dict[tuple[Any, ...], int] = {}
    plans = []
    for number, raw in rows:
        row = Row(row=number, raw={c: raw.get(c, "") for c in KINDS[kind].columns})
        emp = employees.get(row.raw["employee_id"])
        if emp is None:
            row.reject("employee_id", _("no employee has this id"))
        if kind == "trainings":
            facts = _check_training(row, catalog)
        elif kind == "assessments":
            facts = _check_assessment(row, catalog)
        elif kind == "attributes":
            facts = _check_attribute(row)
        else:
            facts = _check_level(row, policy, emp)
        key = (emp.pk if emp else None, *facts)
        if row.action != "rejected":
            if key in seen:
                row.reject("employee_id", _("repeats row %(row)s") % {"row": seen[key]})
            else:
                seen[key] = number
                known = (*key, row.values["value"]) if kind == "attributes" else key
                row.action = "unchanged" if known in held else "create"
        plans.append(row)
    return RecordsPreview(kind, filename, columns, ignored, plans)


def records_stage(*, kind: str, data: bytes, filename: str, actor: Any, policy: Policy | None
                  ) -> RecordsPreview:  # fmt: skip
    if kind not in KINDS:
        raise tabular.ImportFileError(_("Choose what the file holds."))
    k = KINDS[kind]
    columns, ignored, rows = tabular.read_table(
        data, filename, aliases=_aliases(k), required=k.required
    )
    preview = records_preview(
        kind, rows, filename=filename, columns=columns, ignored=ignored, policy=policy
    )
    payload = {"filename": filename, "columns": columns, "ignored": ignored, "rows": rows}
    preview.token = tabular.stage(actor=actor, kind=f"records:{kind}", payload=payload)
    return preview


def records_staged(*, token: str, kind: str, actor: Any, policy: Policy | None) -> RecordsPreview:
    stored = tabular.load(token, actor, f"records:{kind}")
    rows = [(int(n), dict(v)) for n, v in stored["rows"]]
    preview = records_preview(
        kind, rows, filename=stored["filename"], columns=stored["columns"],
        ignored=stored["ignored"], policy=policy,
    )  # fmt: skip
    preview.token = token
    return preview


def records_import_apply(
    *, token: str, kind: str, fingerprint: str, actor: Any, policy: Policy | None, today: dt.date
) -> dict[str, int]:
    """Apply the new rows of a staged upload in one transaction; returns the counts."""

    preview = records_staged(token=token, kind=kind, actor=actor, policy=policy)
    if preview.fingerprint != fingerprint:
        raise ImportStale(_("The records changed since the preview: check the new preview."))
    employees = {e.employee_id: e for e in Employee.objects.all()}
    ref = preview.filename
    with transaction.atomic():
        for row in preview.rows:
            if row.action != "create":
                continue
            emp, v = employees[row.raw["employee_id"]], row.values
            source_ref = f"{ref}:{row.row}:{token[:8]}"  # unique per upload
            if kind == "trainings":
                TrainingRecord.objects.create(
                    employee=emp, source=SOURCE, source_ref=source_ref, recorded_by=actor, **v
                )
            elif kind == "assessments":
                CompetencyAssessment.objects.create(
                    employee=emp, source=SOURCE, source_ref=source_ref, recorded_by=actor, **v
                )
            elif kind == "attributes":
                RosterAttribute.objects.update_or_create(
                    employee=emp,
                    name=v["name"],
                    defaults={"value": v["value"], "source": SOURCE, "recorded_by": actor},
                )
            else:
                employee_level_set(
                    employee=emp,
                    level=v["level"],
                    effective=v["effective"],
                    reason=v["reason"] or f"import {ref}",
                    actor=actor,
                    policy=policy,
                    today=today,
                )
        audit(actor, f"{kind}_import", actor, after=preview.counts, reason=f"import {ref}")
    tabular.discard(token)
    return preview.counts
