"""xAPI statements, as learning record stores export them, into canonical ``trainings``.

A file holds statements as JSON lines, JSON arrays, or the LRS's own statement result
(``{"statements": [...], "more": ...}``). Statements whose verb says a course was completed,
passed or failed become training records; the person comes from the actor (an account name that
is the employee id, or an e-mail looked up in a people file), the course from the activity (a
course map, or the activity id's last path segment). Everything else is rejected with a reason.
Rules and options are documented in docs/connectors/xapi.md.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pyarrow as pa
import yaml

from callgrade.engine.connectors.base import (
    ConnectorError,
    ParseResult,
    Reject,
    read_lenient,
    rejects_table,
    source_label,
    time_zone,
)
from callgrade.engine.connectors.json_values import UNDECODED, Reader, Record, kind, records
from callgrade.engine.connectors.reasons import reason as say
from callgrade.engine.connectors.reasons import record_at
from callgrade.engine.schemas import conform

CONNECTOR = "xapi"
ADL = "http://adlnet.gov/expapi/verbs/"
# verb id → the record's ``passed``: null for a completion without a verdict
OUTCOMES: dict[str, bool | None] = {
    ADL + "completed": None,
    ADL + "passed": True,
    ADL + "failed": False,
}
VOIDED = ADL + "voided"
ACTOR_MODES = ("account", "mbox")
OPTIONS = ("tz", "encoding", "actor", "people", "email_column", "id_column", "courses")

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# where the statement array of an LRS statement result starts
_STATEMENT_RESULT = re.compile(r'"statements"\s*:\s*\[')


class _Bad(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class People:
    """E-mail → employee id, from a people file (e.g. the HR roster export)."""

    label: str
    by_email: dict[str, str]
    by_sha1: dict[str, str]  # sha1 of "mailto:<email>", as xAPI's mbox_sha1sum holds it

    def find(self, actor: dict[str, Any]) -> str:
        mbox = actor.get("mbox")
        if isinstance(mbox, str) and mbox.strip():
            email = mbox.strip().removeprefix("mailto:").lower()
            if email in self.by_email:
                return self.by_email[email]
            raise _Bad("actor.mbox", say("xa_mbox", mbox=repr(mbox[:80]), people=self.label))
        digest = actor.get("mbox_sha1sum")
        if isinstance(digest, str) and digest.strip():
            if digest.strip().lower() in self.by_sha1:
                return self.by_sha1[digest.strip().lower()]
            raise _Bad("actor.mbox_sha1sum", say("xa_sha1", people=self.label))
        raise _Bad("actor.mbox", say("xa_no_mbox"))


@dataclass(frozen=True)
class Settings:
    zone: zoneinfo.ZoneInfo
    people: People | None  # None: the actor's account name is the employee id
    courses: dict[str, str] | None  # None: the activity id's last path segment
    courses_label: str = ""


def parse(
    path: Path,
    *,
    tz: str = "UTC",
    encoding: str = "utf-8",
    actor: str = "account",
    people: str | Path | None = None,
    email_column: str = "email",
    id_column: str = "employee_id",
    courses: str | Path | None = None,
    **options: Any,
) -> ParseResult:
    """Parse one file of xAPI statements into canonical ``trainings``.

    ``read`` counts statements; a voiding statement that voids one in the same file is accepted
    (it yields no row), so the number of rows can be below ``accepted``."""
    if options:
        raise ConnectorError(
            f"unknown option(s) for xapi: {', '.join(sorted(options))}; "
            f"expected {', '.join(OPTIONS)}"
        )
    if actor not in ACTOR_MODES:
        raise ConnectorError(f"option actor={actor!r}; expected one of: {', '.join(ACTOR_MODES)}")
    if actor == "mbox" and not people:
        raise ConnectorError("option actor=mbox needs people=FILE.csv (e-mail → employee id)")
    settings = Settings(
        zone=time_zone(tz),
        people=load_people(Path(people), email_column, id_column, encoding)
        if actor == "mbox" and people
        else None,
        courses=load_courses(Path(courses)) if courses else None,
        courses_label=Path(courses).name if courses else "",
    )
    text = read_lenient(path, encoding)
    path = Path(path)
    source = source_label(CONNECTOR, path)
    undecodable = UNDECODED.search(text) is not None

    statements = list(_statements(text))
    voided = _voided_targets(statements)
    present = {i for r in statements if (i := _readable_id(r.value)) is not None}
    first_seen: dict[str, int] = {}
    rejects: list[Reject] = []
    rows: list[dict[str, Any]] = []
    accepted = 0
    for rec in statements:
        field: str | None = None
        if rec.error is not None:
            reason = rec.error
        elif undecodable and UNDECODED.search(text, rec.start, rec.end):
            reason = say("js_bytes", encoding=encoding)
        else:
            try:
                row = _statement(rec, settings, first_seen, voided, present)
            except _Bad as bad:
                field, reason = bad.field, bad.reason
            else:
                accepted += 1
                if row is not None:
                    row["source"] = source
                    row["source_ref"] = f"{path.name}:{rec.line}"
                    rows.append(row)
                continue
        raw = UNDECODED.sub("\ufffd", text[rec.start : rec.end].rstrip(" \t\r\n,"))
        said = record_at("statement", rec.number, rec.line, reason)
        rejects.append(Reject(source, rec.line, field, said, raw))

    return ParseResult(
        connector=CONNECTOR,
        source=source,
        tables={"trainings": _trainings(rows)},
        rejects=rejects_table(rejects),
        read=len(statements),
        accepted=accepted,
    )


# ---- options -------------------------------------------------------------------------------


def load_people(path: Path, email_column: str, id_column: str, encoding: str) -> People:
    """The people file: a CSV with a header naming an e-mail and an employee-id column."""
    text = read_lenient(path, encoding)
    reader = csv.DictReader(text.splitlines())
    header = reader.fieldnames or []
    for option, column in (("email_column", email_column), ("id_column", id_column)):
        if column not in header:
            raise ConnectorError(
                f"people file {path.name} has no column {column!r} (option {option}); "
                f"its header has: {', '.join(repr(h) for h in header) or 'nothing'}"
            )
    by_email: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        email = (row.get(email_column) or "").strip().lower()
        employee = (row.get(id_column) or "").strip()
        if not email or not employee:
            continue
        if by_email.setdefault(email, employee) != employee:
            raise ConnectorError(
                f"people file {path.name} line {line}: e-mail {email!r} belongs to both "
                f"{by_email[email]!r} and {employee!r}; an e-mail must name one person"
            )
    by_sha1 = {hashlib.sha1(f"mailto:{e}".encode()).hexdigest(): i for e, i in by_email.items()}
    label = say("xa_people", file=path.name, column=repr(email_column))
    return People(label=label, by_email=by_email, by_sha1=by_sha1)


def load_courses(path: Path) -> dict[str, str]:
    """The course map: YAML of activity id (or activity name) → course code."""
    try:
        data = yaml.safe_load(read_lenient(path, "utf-8"))
    except yaml.YAMLError as exc:
        raise ConnectorError(f"course map {path.name} is not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise ConnectorError(
            f"course map {path.name}: expected lines like 'https://lms.example.com/course/7: "
            "service_basics' (activity id or name → course code)"
        )
    bad = [str(k) for k, v in data.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ConnectorError(
            f"course map {path.name}: {', '.join(bad[:5])} must map to a course code (text)"
        )
    return {str(k).strip(): v.strip() for k, v in data.items()}


# ---- reading statements --------------------------------------------------------------------


def _statements(text: str) -> Iterator[Record]:
    """Every statement: the elements of an LRS statement result, or each top-level value."""
    start = text.lstrip()[:1]
    if start == "{":
        try:
            whole = json.loads(text)
        except ValueError:
            whole = None
        found = _STATEMENT_RESULT.search(text)
        if isinstance(whole, dict) and isinstance(whole.get("statements"), list) and found:
            yield from Reader(text).array(found.end())
            return
    yield from records(text)


def _voided_targets(statements: list[Record]) -> dict[str, int]:
    """Statement id → number of the statement in this file that voids it."""
    targets: dict[str, int] = {}
    for rec in statements:
        value = rec.value
        if not isinstance(value, dict) or _verb(value) != VOIDED:
            continue
        obj = value.get("object")
        if isinstance(obj, dict) and isinstance(obj.get("id"), str):
            targets.setdefault(obj["id"].strip().lower(), rec.number)
    return targets


def _verb(statement: dict[str, Any]) -> str | None:
    verb = statement.get("verb")
    if isinstance(verb, dict) and isinstance(verb.get("id"), str):
        return str(verb["id"]).strip()
    return None


# ---- one statement -------------------------------------------------------------------------


def _statement(
    rec: Record,
    settings: Settings,
    first_seen: dict[str, int],
    voided: dict[str, int],
    present: set[str],
) -> dict[str, Any] | None:
    """The training record of one statement; None for an applied voiding statement; _Bad naming
    the first field that is wrong."""
    st = rec.value
    if not isinstance(st, dict):
        raise _Bad(None, say("xa_not_object", found=kind(st)))
    statement_id = _statement_id(st)
    if statement_id in first_seen:
        raise _Bad(
            "id",
            say("xa_duplicate", first=first_seen[statement_id], id=statement_id),
        )
    first_seen[statement_id] = rec.number
    verb = _verb(st)
    if verb is None:
        raise _Bad("verb.id", say("xa_no_verb", iri=ADL + "completed"))
    if verb == VOIDED:
        _voiding(st, present)
        return None
    if statement_id in voided:
        raise _Bad(
            "id",
            say("xa_voided", number=voided[statement_id]),
        )
    if verb not in OUTCOMES:
        raise _Bad(
            "verb.id",
            say("xa_verb", verb=repr(verb[:100]), adl=ADL),
        )
    passed = OUTCOMES[verb]
    result = _object(st, "result")
    success = result.get("success")
    if success is not None and not isinstance(success, bool):
        raise _Bad("result.success", say("xa_success_type", found=kind(success)))
    if passed is not None and success is not None and success != passed:
        word = verb.removeprefix(ADL)
        raise _Bad("result.success", say("xa_success", value=str(success).lower(), verb=word))
    if result.get("completion") is False and passed is None:
        raise _Bad("result.completion", say("xa_completion"))
    return {
        "training_record_id": statement_id,
        "employee_id": _person(st, settings),
        "training": _course(st, settings),
        "completed_at": _day(st, settings.zone),
        "exam_score": _score(result),
        "passed": passed if passed is not None else success,
    }


def _statement_id(st: dict[str, Any]) -> str:
    value = st.get("id")
    if value is None:
        # no id (not yet stored by an LRS): the same statement always gets the same key
        canonical = json.dumps(st, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(f"xapi\x1f{canonical}".encode()).hexdigest()[:32]
    if not isinstance(value, str) or not value.strip():
        raise _Bad("id", say("xa_id", found=kind(value)))
    return value.strip().lower()


def _readable_id(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    try:
        return _statement_id(value)
    except _Bad:
        return None


def _voiding(st: dict[str, Any], present: set[str]) -> None:
    obj = _object(st, "object")
    target = obj.get("id")
    if obj.get("objectType") != "StatementRef" or not isinstance(target, str):
        raise _Bad("object", say("xa_voiding"))
    if target.strip().lower() in present:
        return  # applied: the voided statement is rejected where it stands
    raise _Bad(
        "object.id",
        say("xa_voids_absent", id=target[:60]),
    )


def _person(st: dict[str, Any], settings: Settings) -> str:
    actor = st.get("actor")
    if actor is None:
        raise _Bad("actor", say("xa_actor_missing"))
    if not isinstance(actor, dict):
        raise _Bad("actor", say("xa_actor_type", found=kind(actor)))
    if actor.get("objectType") == "Group":
        raise _Bad("actor", say("xa_group"))
    if settings.people is not None:
        return settings.people.find(actor)
    account = actor.get("account")
    name = account.get("name") if isinstance(account, dict) else None
    if not isinstance(name, str) or not name.strip():
        has_mbox = actor.get("mbox") or actor.get("mbox_sha1sum")
        raise _Bad("actor.account.name", say("xa_account_mbox" if has_mbox else "xa_account"))
    return name.strip()


def _course(st: dict[str, Any], settings: Settings) -> str:
    obj = _object(st, "object")
    if obj.get("objectType", "Activity") != "Activity":
        raise _Bad("object.objectType", say("xa_object_type", value=repr(obj["objectType"])))
    activity = obj.get("id")
    if not isinstance(activity, str) or not activity.strip():
        raise _Bad("object.id", say("xa_object_id"))
    activity = activity.strip()
    if settings.courses is not None:
        definition = obj.get("definition")
        names = definition.get("name") if isinstance(definition, dict) else None
        keys = [activity, *(names.values() if isinstance(names, dict) else [])]
        for key in keys:
            if isinstance(key, str) and key.strip() in settings.courses:
                return settings.courses[key.strip()]
        shown = ", ".join(repr(k[:60]) for k in keys if isinstance(k, str))
        raise _Bad(
            "object.id",
            say("xa_course_map", activity=shown, file=settings.courses_label),
        )
    parts = urlsplit(activity)
    segment = unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) if parts.path else ""
    if not segment or (parts.scheme and not parts.path.strip("/")):
        raise _Bad(
            "object.id",
            say("xa_no_segment", activity=repr(activity[:80])),
        )
    return segment


def _score(result: dict[str, Any]) -> float | None:
    """0–100 from score.scaled (0–1), raw within min–max, or raw alone when it is 0–100."""
    score = _object(result, "score", "result.")
    if not score:
        return None
    numbers = {k: score.get(k) for k in ("scaled", "raw", "min", "max")}
    for key, value in numbers.items():
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise _Bad(
                f"result.score.{key}",
                say("xa_number", key=f"result.score.{key}", found=kind(value)),
            )
    scaled, raw, low, high = (numbers[k] for k in ("scaled", "raw", "min", "max"))
    if scaled is not None:
        if not 0 <= scaled <= 1:
            raise _Bad("result.score.scaled", say("xa_scaled", number=scaled))
        return round(float(scaled) * 100, 6)
    if raw is None:
        return None
    if low is not None and high is not None:
        if not low <= raw <= high or high <= low:
            raise _Bad("result.score.raw", say("xa_raw_range", number=raw, low=low, high=high))
        return round((raw - low) / (high - low) * 100, 6)
    if not 0 <= raw <= 100:
        raise _Bad(
            "result.score.raw",
            say("xa_raw_alone", number=raw),
        )
    return float(raw)


def _day(st: dict[str, Any], zone: zoneinfo.ZoneInfo) -> datetime:
    """Local midnight (in UTC) of the day the statement happened: timestamp, else stored."""
    key = "timestamp" if st.get("timestamp") is not None else "stored"
    value = st.get(key)
    if value is None:
        raise _Bad("timestamp", say("xa_no_time"))
    if not isinstance(value, str) or not _TIMESTAMP.match(value):
        raise _Bad(key, say("ac_time", key=key, value=repr(str(value)[:40])))
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=zone)
        local = parsed.astimezone(zone).date()
        return datetime(local.year, local.month, local.day, tzinfo=zone).astimezone(UTC)
    except (ValueError, OverflowError):
        raise _Bad(key, say("xa_time", key=key, value=repr(value[:40]))) from None


def _object(parent: dict[str, Any], key: str, prefix: str = "") -> dict[str, Any]:
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Bad(prefix + key, say("xa_must_object", key=prefix + key, found=kind(value)))
    return value


def _trainings(rows: list[dict[str, Any]]) -> pa.Table:
    names = ("training_record_id", "employee_id", "training", "completed_at", "exam_score")
    columns = {name: [r[name] for r in rows] for name in (*names, "passed", "source", "source_ref")}
    types = {"completed_at": pa.timestamp("us", tz="UTC"), "exam_score": pa.float64()}
    table = pa.table(
        {
            name: pa.array(
                values, type=types.get(name, pa.bool_() if name == "passed" else pa.string())
            )
            for name, values in columns.items()
        }
    )
    return conform("trainings", table)
