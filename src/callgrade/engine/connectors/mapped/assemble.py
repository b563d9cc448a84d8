"""Turn raw rows into one canonical table by following a mapping; phrase a reason per bad row."""

from __future__ import annotations

import codecs
import hashlib
import zoneinfo
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.connectors.base import (
    ConnectorError,
    ParseResult,
    Reject,
    rejects_table,
)
from callgrade.engine.connectors.mapped.checks import closest
from callgrade.engine.connectors.mapped.clock import date_and_time, expected_time
from callgrade.engine.connectors.mapped.convert import (
    ENUMS,
    NUMERIC,
    Column,
    cell_text,
    convert,
    expected,
    is_null,
    normalize,
)
from callgrade.engine.connectors.mapped.mapping import Mapping, MappingError, load_mapping
from callgrade.engine.connectors.mapped.ranges import bounds
from callgrade.engine.connectors.mapped.read import RawRows, read_csv, read_xlsx
from callgrade.engine.connectors.reasons import at as at_line
from callgrade.engine.connectors.reasons import joined
from callgrade.engine.connectors.reasons import reason as say
from callgrade.engine.schemas import TABLES, conform

CONNECTOR = "mapped"
FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}


@dataclass(frozen=True)
class _Problem:
    """Cells of one field that fail for one reason; phrased only for rejected rows."""

    field: str
    column: int  # header position of the cell the reason shows
    name: str  # that column as the mapping names it
    mask: np.ndarray
    kind: str  # bad | unmapped | empty | enum | range
    detail: str


def parse(
    path: Path | str,
    *,
    tz: str = "UTC",
    encoding: str = "utf-8",
    mapping: Path | str | dict[str, Any] | Mapping,
    **options: Any,
) -> ParseResult:
    """Read a CSV or Excel export into the canonical table named by ``mapping``.

    The mapping's ``encoding`` and ``timezone`` override ``encoding`` and ``tz``. Raises
    ConnectorError only for misuse: a bad mapping, an unknown option, a missing file, a mapped
    column absent from the header, a missing sheet."""
    if options:
        raise ConnectorError(f"mapped: unknown option(s): {', '.join(sorted(options))}")
    m = load_mapping(mapping)
    path = Path(path)
    if not path.is_file():
        raise ConnectorError(say("ff_no_file", path=path))
    zone = m.timezone or tz
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConnectorError(say("ff_zone", zone=repr(zone))) from None
    enc = m.encoding or encoding
    try:
        codecs.lookup(enc)
    except LookupError:
        raise ConnectorError(say("ff_encoding", encoding=repr(enc))) from None
    fmt = m.format or FORMATS.get(path.suffix.lower())
    if fmt is None and path.suffix.lower() == ".xls":
        raise ConnectorError(say("ff_xls", file=path.name))
    if fmt is None:
        raise ConnectorError(say("ff_format", file=path.name))
    label = f"{m.source_name}:{path.name}"
    result = ParseResult(connector=CONNECTOR, source=label)
    if fmt == "csv":
        raw = read_csv(
            path, encoding=enc, delimiter=m.delimiter, header_row=m.header_row, label=label
        )
    else:
        raw = read_xlsx(path, sheet=m.sheet, header_row=m.header_row, label=label)
    if isinstance(raw, Reject):
        result.read = 1
        result.rejects = rejects_table([raw])
        result.tables = {m.table: TABLES[m.table].schema.empty_table()}
        return result
    table, rejects, filtered = build(m, raw, path=path, tz=zone, encoding=enc, label=label)
    result.read = raw.read
    result.accepted = table.num_rows
    result.filtered = filtered
    result.tables = {m.table: table}
    result.rejects = rejects_table(sorted(raw.rejects + rejects, key=lambda r: r.line or 0))
    return result


def _named_columns(m: Mapping) -> list[tuple[str, str, str]]:
    """Every source column the mapping names: (its place in the mapping, column, what for)."""
    out = []
    for field, col in m.columns.items():
        if col.source is not None:
            out.append((m.place("columns", field, "from"), col.source, field))
        if col.time_from is not None:
            out.append((m.place("columns", field, "time_from"), col.time_from, field))
    for column in m.where:
        out.append((m.place("where", column, key=True), column, "row filter"))
    return out


def _header_index(m: Mapping, raw: RawRows, path: Path, encoding: str) -> dict[str, int]:
    """Header position of every source column the mapping names. Missing ones stop the whole
    file, all reported at once, each at its place in the mapping with the closest header name."""
    exact = {name: i for i, name in reversed(list(enumerate(raw.header)))}
    loose: dict[str, list[int]] = {}
    for i, name in enumerate(raw.header):
        loose.setdefault(" ".join(name.split()).casefold(), []).append(i)
    out: dict[str, int] = {}
    errors: list[str] = []
    for at, name, what in _named_columns(m):
        if name in out:
            continue
        if name in exact:
            out[name] = exact[name]
            continue
        near = loose.get(" ".join(name.split()).casefold(), [])
        if len(near) == 1:  # same name up to case and spacing: clearly meant
            out[name] = near[0]
            continue
        names = ", ".join(repr(h) for h in raw.header)
        said = {"column": repr(name), "what": what, "file": path.name, "line": raw.header_line}
        guess = closest(name, [h for h in raw.header if h])
        row = "_row" if raw.where == "row" else ""
        if raw.header_undecodable:
            sentence = say("ff_header_bytes", **said, encoding=encoding, names=names)
        elif guess is not None:
            sentence = say("ff_header_near" + row, **said, near=repr(guess))
        else:
            sentence = say("ff_header_has" + row, **said, names=names)
        errors.append(f"{at}: {sentence}")
    if errors:
        raise MappingError(errors)
    return out


def _text_cells(cells: Column) -> pa.Array:
    if isinstance(cells, pa.Array):
        return cells
    return pa.array([None if v is None else cell_text(v) for v in cells], pa.string())


def _kept_rows(m: Mapping, raw: RawRows, index: dict[str, int]) -> np.ndarray:
    """Rows every ``where`` condition holds for. Cells compare as stripped text, ignoring case."""
    keep = np.ones(len(raw.rows), bool)
    for column, cond in m.where.items():
        text = _text_cells(normalize(raw.column(index[column])))
        folded = pc.utf8_lower(text)
        if cond.within is not None:
            wanted = pa.array([cell_text(v).strip().lower() for v in cond.within], pa.string())
            keep &= np.asarray(pc.is_in(folded, value_set=wanted).fill_null(False), bool)
        if cond.not_in is not None:
            unwanted = pa.array([cell_text(v).strip().lower() for v in cond.not_in], pa.string())
            keep &= ~np.asarray(pc.is_in(folded, value_set=unwanted).fill_null(False), bool)
        if cond.empty is not None:
            keep &= is_null(text) == cond.empty
    return keep


def _limits(
    m: Mapping, field: str, values: pa.Array, column: int, name: str, tz: str
) -> list[_Problem]:
    """Converted values outside the field's range or its ``allowed`` list."""
    col = m.columns[field]
    out = []
    ftype = m.field_type(field)
    if ftype in NUMERIC:
        b = bounds(m.table, field, col.minimum, col.maximum)
        if not b.open:
            # Empty and unconvertible cells are NaN here, and NaN is outside no range.
            nums = np.asarray(values.to_numpy(zero_copy_only=False), dtype=float)
            outside = np.zeros(len(nums), bool)
            if b.low is not None:
                outside |= nums < b.low
            if b.high is not None:
                outside |= nums > b.high
            if outside.any():
                line = m.line_of("columns", field, "min") or m.line_of("columns", field, "max")
                words = b.words()
                if b.from_mapping and line:
                    words = say("mp_mapping_line", expected=words, n=line)
                out.append(_Problem(field, column, name, outside, "range", words))
    if col.allowed:
        beyond = out[0].mask if out else np.zeros(len(values), bool)  # said once is enough
        arrow = TABLES[m.table].schema.field(field).type
        allowed, _ = convert(normalize(col.allowed), ftype, arrow, fmt=col.format, tz=tz)
        known = pc.or_kleene(pc.is_in(values, value_set=allowed), pc.is_null(values))
        outside = ~np.asarray(known, bool) & ~beyond
        if outside.any():
            line = m.line_of("columns", field, "allowed")
            words = ", ".join(cell_text(v) for v in col.allowed)
            detail = (
                say("mp_allowed_line", words=words, n=line)
                if line
                else say("mp_one_of", words=words)
            )
            out.append(_Problem(field, column, name, outside, "enum", detail))
    return out


def _date_and_time(
    m: Mapping, field: str, raw: RawRows, index: dict[str, int], tz: str
) -> tuple[pa.Array, list[_Problem]]:
    col = m.columns[field]
    assert col.source is not None and col.time_from is not None
    day_at, time_at = index[col.source], index[col.time_from]
    dates, times = normalize(raw.column(day_at)), normalize(raw.column(time_at))
    values, bad_day, bad_time, half = date_and_time(
        dates, times, date_format=col.format, time_format=col.time_format, tz=tz
    )
    no_day, no_time = is_null(dates), is_null(times)
    day, clock = (field, day_at, col.source), (field, time_at, col.time_from)
    problems = [
        _Problem(*day, bad_day, "bad", expected("date", col.format)),
        _Problem(*clock, bad_time, "bad", expected_time(col.time_format)),
        _Problem(*day, half & no_day, "empty", say("mp_date_needed", column=repr(clock[2]))),
        _Problem(*clock, half & no_time, "empty", say("mp_time_needed", column=repr(day[2]))),
    ]
    if not TABLES[m.table].schema.field(field).nullable:
        problems.append(_Problem(*day, no_day & no_time, "empty", say("mp_required")))
    return values, [p for p in problems if p.mask.any()]


def build(
    m: Mapping, raw: RawRows, *, path: Path, tz: str, encoding: str, label: str
) -> tuple[pa.Table, list[Reject], int]:
    """The accepted rows as a canonical table, a reject for every row that fails, and how many
    rows the mapping's ``where`` filter left aside (before any conversion: a row filtered out is
    never rejected)."""
    index = _header_index(m, raw, path, encoding)
    filtered = 0
    if m.where and raw.rows:
        keep_rows = _kept_rows(m, raw, index)
        filtered = int((~keep_rows).sum())
        if filtered:
            kept = np.flatnonzero(keep_rows)
            raw = replace(raw, rows=[raw.rows[i] for i in kept], lines=[raw.lines[i] for i in kept])
    spec = TABLES[m.table]
    n = len(raw.rows)
    arrays: dict[str, pa.Array] = {}
    problems: list[_Problem] = []
    for field, col in m.columns.items():
        arrow = spec.schema.field(field).type
        ftype = m.field_type(field)
        if col.source is None:
            const, _ = convert(normalize([col.value]), ftype, arrow, tz=tz)
            arrays[field] = pa.repeat(const[0], n).cast(arrow) if n else pa.array([], arrow)
            continue
        at, name = index[col.source], col.source
        if col.time_from is not None:
            values, found = _date_and_time(m, field, raw, index, tz)
            problems.extend(found)
            arrays[field] = values.cast(arrow)
            continue
        cells = normalize(raw.column(at))
        unmapped = np.zeros(n, bool)
        if col.values is not None:
            cells, unmapped = _apply_values(cells, col.values, col.default)
            if unmapped.any():
                keys = ", ".join(col.values)
                line = m.line_of("columns", field, "values")
                detail = (
                    say("mp_values_line", words=keys, n=line)
                    if line
                    else say("mp_one_of", words=keys)
                )
                problems.append(_Problem(field, at, name, unmapped, "unmapped", detail))
        if col.default is not None:
            cells = _fill(cells, col.default)
        values, bad = convert(cells, ftype, arrow, fmt=col.format, tz=tz)
        if bad.any():
            problems.append(_Problem(field, at, name, bad, "bad", expected(ftype, col.format)))
        enum = ENUMS.get((m.table, field))
        if enum:
            known = pc.or_kleene(pc.is_in(values, pa.array(enum)), pc.is_null(values))
            outside = ~np.asarray(known, bool)
            if outside.any():
                detail = say("mp_one_of", words=", ".join(enum))
                problems.append(_Problem(field, at, name, outside, "enum", detail))
        problems.extend(_limits(m, field, values, at, name, tz))
        if not spec.schema.field(field).nullable:
            empty = is_null(cells) & ~unmapped
            if empty.any():
                problems.append(_Problem(field, at, name, empty, "empty", say("mp_required")))
        arrays[field] = values
    bad_rows = np.zeros(n, bool)
    for p in problems:
        bad_rows |= p.mask
    rejects = _rejects(raw, problems, bad_rows, label)
    keep = pa.array(~bad_rows)
    columns = {f: a.filter(keep) for f, a in arrays.items()}
    accepted = int((~bad_rows).sum())
    if spec.key not in columns:
        columns[spec.key] = derived_keys(m.table, columns, accepted)
    columns["source"] = pa.repeat(pa.scalar(label), accepted).cast(pa.string())
    columns["source_ref"] = pa.array(raw.refs(), pa.string()).filter(keep)
    return conform(m.table, pa.table(columns)), rejects, filtered


def _apply_values(
    cells: Column, values: dict[str, Any], default: Any
) -> tuple[pa.Array, np.ndarray]:
    """Map raw text through the values map (exact, then ignoring case); unmapped cells are
    flagged unless a default stands in for them. Targets become text, which every converter
    reads back to the same value (True → "true", 5 → "5"), so the column stays on Arrow."""
    if isinstance(cells, pa.Array):
        text = cells
    else:
        text = pa.array([None if v is None else cell_text(v) for v in cells], pa.string())
    keys = list(values)
    targets = pa.array([None if v is None else cell_text(v) for v in values.values()], pa.string())
    folded: dict[str, int] = {}
    for i, k in enumerate(keys):
        folded.setdefault(k.lower(), i)
    exact = pc.index_in(text, value_set=pa.array(keys, pa.string()))
    loose = pc.take(
        pa.array(list(folded.values()), pa.int32()),
        pc.index_in(pc.utf8_lower(text), value_set=pa.array(list(folded), pa.string())),
    )
    idx = pc.coalesce(exact, loose)
    out = pc.take(targets, idx)
    unmapped = np.asarray(pc.and_(text.is_valid(), idx.is_null()), bool)
    if default is not None and unmapped.any():
        out = pc.if_else(pa.array(unmapped), cell_text(default), out)
        unmapped = np.zeros(len(text), bool)
    return out, unmapped


def _fill(cells: Column, default: Any) -> Column:
    if isinstance(cells, pa.Array):
        return pc.fill_null(cells, cell_text(default))
    return cells.where(cells.notna(), default)


def _rejects(
    raw: RawRows, problems: list[_Problem], bad_rows: np.ndarray, label: str
) -> list[Reject]:
    out = []
    for i in np.flatnonzero(bad_rows):
        row = raw.rows[i]
        reasons = []
        first = None
        for p in problems:
            if not p.mask[i]:
                continue
            first = first or p.field
            cell = row[p.column] if p.column < len(row) else None
            what = {"column": repr(p.name), "field": p.field}
            blank = cell is None or (isinstance(cell, str) and not cell.strip())
            if p.kind == "empty" and not blank:
                reasons.append(say("mp_emptied", **what, value=_show(cell), detail=p.detail))
            elif p.kind == "empty":
                reasons.append(say("mp_empty", **what, detail=p.detail))
            else:
                reasons.append(say("mp_bad", **what, value=_show(cell), expected=p.detail))
        line = raw.lines[i]
        raw_text = ",".join("" if c is None else str(c) for c in row)
        reason = at_line(line, joined(reasons), raw.where)
        out.append(Reject(label, line, first, reason, raw_text))
    return out


def _show(cell: Any) -> str:
    if cell is None:
        return "empty"
    text = cell.strip() if isinstance(cell, str) else str(cell)
    return repr(text[:80])


def derived_keys(table: str, columns: dict[str, pa.Array], n: int) -> pa.Array:
    """A stable key for sources without their own id: a hash of the table name and every mapped
    field's canonical value, so re-ingesting the same rows yields the same keys (and two identical
    rows are one record)."""
    names = sorted(columns)
    if n == 0:
        return pa.array([], pa.string())
    parts = [pa.repeat(pa.scalar(table), n).cast(pa.string())]
    for name in names:
        text = pc.cast(columns[name], pa.string()).fill_null("\x00")
        parts.append(pc.binary_join_element_wise(pa.scalar(f"{name}="), text, ""))
    joined = pc.binary_join_element_wise(*parts, "\x1f").to_pylist()
    return pa.array(
        [hashlib.sha256(s.encode("utf-8", "surrogatepass")).hexdigest()[:32] for s in joined],
        pa.string(),
    )
