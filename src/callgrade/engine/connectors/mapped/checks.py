"""Mistakes in a mapping that pydantic cannot see: names, types, constants and ranges checked
against the canonical schema. Each problem is ``(path, points at the key, sentence)``; the
loader turns paths into ``file:line:column``.
"""

from __future__ import annotations

import codecs
import difflib
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from callgrade.engine.connectors.mapped.convert import (
    ENUMS,
    NUMERIC,
    check_constant,
    convert,
    fits,
    normalize,
)
from callgrade.engine.connectors.mapped.ranges import built_in, number_text, range_words
from callgrade.engine.connectors.reasons import reason as say
from callgrade.engine.schemas import TABLES

if TYPE_CHECKING:
    from callgrade.engine.connectors.mapped.mapping import ColumnMapping, Mapping, RowCondition

Path_ = tuple[str, ...]
Problem = tuple[Path_, bool, str]
LINEAGE = ("source", "source_ref")


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The choice ``name`` was most likely meant to be (same up to case first), or None."""
    options = list(choices)
    folded = {c.casefold(): c for c in options}
    if name.casefold() in folded:
        return folded[name.casefold()]
    swapped = [c for c in options if sorted(c.casefold()) == sorted(name.casefold())]
    if len(swapped) == 1:  # two letters swapped: 'form' for 'from'
        return swapped[0]
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if close:
        return close[0]
    close = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[close[0]] if close else None


def unknown(what: str, name: str, choices: Iterable[str], table: str = "") -> str:
    """``unknown field 'agent' for table surveys; did you mean 'agent_id'?``, or the list of
    choices when none is close."""
    options = list(choices)
    near = closest(name, options)
    said = {"name": repr(name), "table": table, "names": ", ".join(options)}
    if near is not None:
        return say(f"mf_{what}_near", **said, near=repr(near))
    return say(f"mf_{what}", **said)


def check_mapping(m: Mapping, present: set[str] | None) -> list[Problem]:
    """Every mistake of an already shape-checked mapping. ``present`` holds every field named
    under ``columns``, including those whose entry failed its own shape check (None: there is
    no usable ``columns`` section, already reported)."""
    out: list[Problem] = []
    if m.table not in TABLES:
        return [(("table",), False, unknown("table", m.table, TABLES))]
    spec = TABLES[m.table]
    names = [f.name for f in spec.schema if f.name not in LINEAGE]
    out.extend(_check_header(m))
    for field, col in m.columns.items():
        at: Path_ = ("columns", field)
        if field not in names:
            if field in LINEAGE:
                msg = say("mf_lineage", name=repr(field), names=", ".join(names))
            else:
                msg = unknown("field", field, names, m.table)
            out.append((at, True, msg))
            continue
        out.extend(_check_column(m, field, col))
    for f in spec.schema:
        if present is None or f.nullable or f.name in LINEAGE or f.name == spec.key:
            continue
        if f.name in present:
            continue
        msg = say("mf_required", name=repr(f.name), table=m.table)
        out.append((("columns",), True, msg))
    for column, cond in m.where.items():
        out.extend(_check_condition(column, cond))
    return out


def _check_header(m: Mapping) -> list[Problem]:
    out: list[Problem] = []
    if m.timezone is not None:
        try:
            zoneinfo.ZoneInfo(m.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            msg = say("mf_zone", zone=repr(m.timezone))
            out.append((("timezone",), False, msg))
    if m.encoding is not None:
        try:
            codecs.lookup(m.encoding)
        except LookupError:
            msg = say("mf_encoding", encoding=repr(m.encoding))
            out.append((("encoding",), False, msg))
    if m.delimiter is not None and len(m.delimiter) != 1:
        msg = f"delimiter {m.delimiter!r} should be one character, e.g. ',' ';' '|' or \"\\t\""
        out.append((("delimiter",), False, msg))
    return out


def _check_format(path: Path_, fmt: str) -> list[Problem]:
    if "%" in fmt:
        return []
    msg = say("mf_format", pattern=repr(fmt))
    return [(path, False, msg)]


def _check_column(m: Mapping, field: str, col: ColumnMapping) -> list[Problem]:
    at: Path_ = ("columns", field)
    out: list[Problem] = []
    arrow = TABLES[m.table].schema.field(field).type
    if (col.source is None) == (col.value is None):
        msg = say("mf_from_or_value", name=repr(field))
        return [(at, True, msg)]
    ftype = m.field_type(field)
    if not fits(ftype, arrow):
        msg = f"type {ftype} cannot fill {field!r}, which holds {arrow_words(arrow)}"
        return [((*at, "type"), False, msg)]
    if col.format is not None:
        if ftype not in ("datetime", "date"):
            out.append(((*at, "format"), False, "format applies only to type datetime or date"))
        else:
            out.extend(_check_format((*at, "format"), col.format))
    out.extend(_check_time(at, col, ftype))
    if col.value is not None and (col.values is not None or col.default is not None):
        msg = "a constant 'value' takes no 'values' map or 'default'"
        out.append(((*at, "value"), False, msg))
    low, high, problems = _check_bounds(m.table, field, col, ftype)
    out.extend(problems)
    targets: list[tuple[Path_, Any]] = []
    if col.value is not None:
        targets.append(((*at, "value"), col.value))
    if col.default is not None:
        targets.append(((*at, "default"), col.default))
    for raw, target in (col.values or {}).items():
        if target is not None:
            targets.append(((*at, "values", raw), target))
    if col.allowed is not None and not col.allowed:
        out.append(((*at, "allowed"), False, "allowed needs at least one value"))
    for i, target in enumerate(col.allowed or []):
        targets.append(((*at, "allowed", str(i)), target))
    enum = ENUMS.get((m.table, field))
    for path, target in targets:
        problem = check_constant(target, ftype, arrow, enum, col.format)
        if problem:
            out.append((path, False, f"{field}: {target!r} is not {problem}"))
            continue
        number = _as_number(target, ftype, arrow)
        if number is not None and not _inside(number, low, high):
            words = range_words(low, high)
            out.append((path, False, f"{field}: {target!r} is not {words}"))
    return out


def _check_time(at: Path_, col: ColumnMapping, ftype: str) -> list[Problem]:
    out: list[Problem] = []
    if col.time_format is not None:
        if col.time_from is None:
            msg = "time_format applies only with time_from (the column holding the time)"
            out.append(((*at, "time_format"), False, msg))
        else:
            out.extend(_check_format((*at, "time_format"), col.time_format))
    if col.time_from is None:
        return out
    if ftype != "datetime":
        msg = "time_from applies only to type datetime (a date and a time in two columns)"
        out.append(((*at, "time_from"), False, msg))
    elif col.values is not None or col.default is not None:
        msg = "a field read from a date and a time column takes no 'values' map or 'default'"
        out.append(((*at, "time_from"), False, msg))
    return out


def _check_bounds(
    table: str, field: str, col: ColumnMapping, ftype: str
) -> tuple[float | None, float | None, list[Problem]]:
    """The field's range after the mapping's min/max, and the mistakes in them."""
    at: Path_ = ("columns", field)
    low, high = built_in(table, field)
    given = [(k, v) for k, v in (("min", col.minimum), ("max", col.maximum)) if v is not None]
    if not given:
        return low, high, []
    if ftype not in NUMERIC:
        key = given[0][0]
        msg = f"{key} applies only to numbers (int, float, percent, duration)"
        return low, high, [((*at, key), False, msg)]
    out: list[Problem] = []
    for key, v in given:
        if not _inside(v, low, high):
            msg = (
                f"{key} {number_text(v)} is outside the range of {field}"
                f" ({range_words(low, high)}); a mapping can narrow a field's range, not widen it"
            )
            out.append(((*at, key), False, msg))
    if col.minimum is not None and col.maximum is not None and col.minimum > col.maximum:
        msg = f"min {number_text(col.minimum)} is above max {number_text(col.maximum)}"
        out.append(((*at, "min"), False, msg))
    if out:
        return low, high, out
    return (
        col.minimum if col.minimum is not None else low,
        col.maximum if col.maximum is not None else high,
        [],
    )


def _inside(v: float, low: float | None, high: float | None) -> bool:
    return (low is None or v >= low) and (high is None or v <= high)


def _as_number(target: Any, ftype: str, arrow: pa.DataType) -> float | None:
    if ftype not in NUMERIC:
        return None
    values, bad = convert(normalize([target]), ftype, arrow)
    v = values[0].as_py()
    return None if bad[0] or v is None else float(v)


def _check_condition(column: str, cond: RowCondition) -> list[Problem]:
    at: Path_ = ("where", column)
    if cond.within is None and cond.not_in is None and cond.empty is None:
        msg = f"the filter on {column!r} needs 'in', 'not_in' or 'empty'"
        return [(at, True, msg)]
    out: list[Problem] = []
    for key, items in (("in", cond.within), ("not_in", cond.not_in)):
        if items is not None and not items:
            out.append(((*at, key), False, f"{key} needs at least one value"))
    return out


def arrow_words(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return "a date and time"
    if pa.types.is_boolean(t):
        return "yes/no values"
    if pa.types.is_floating(t):
        return "numbers"
    return "text"
