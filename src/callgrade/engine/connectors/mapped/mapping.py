"""The column-mapping file: a pydantic model, loaded from YAML so every mistake names its place.

YAML is composed into nodes (not loaded straight to Python) so each key and value keeps its
line and column; pydantic's error locations and our own checks are mapped back onto those
positions, giving ``file:line:column: sentence`` messages a user can act on without reading code.
"""

from __future__ import annotations

import codecs
import zoneinfo
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from callgrade.engine.connectors.base import ConnectorError
from callgrade.engine.connectors.mapped.convert import (
    ENUMS,
    FieldType,
    check_constant,
    default_type,
    fits,
)
from callgrade.engine.schemas import TABLES

Scalar = str | bool | int | float
Path_ = tuple[str, ...]
LINEAGE = ("source", "source_ref")


class MappingError(ConnectorError):
    """Every mistake of one mapping file, one ``file:line:column: sentence`` per line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _as_text(v: Any) -> Any:
    # YAML reads `from: 2024` as a number; a column name is always text.
    return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


class ColumnMapping(BaseModel):
    """How one canonical field is filled: from a source column, or a constant ``value``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: str | None = Field(default=None, alias="from")
    value: Scalar | None = None
    type: FieldType | None = None
    format: str | None = None
    values: dict[str, Scalar | None] | None = None
    default: Scalar | None = None

    _source_check = field_validator("source", "format", mode="before")(_as_text)


class Mapping(BaseModel):
    """A whole mapping file. Field names are the file format: keep them stable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    format: Literal["csv", "xlsx"] | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = Field(default=1, ge=1)
    timezone: str | None = None
    source_name: str = "mapped"
    columns: dict[str, ColumnMapping]

    _text_check = field_validator("sheet", "source_name", "delimiter", mode="before")(_as_text)
    _origin: str = PrivateAttr(default="<mapping>")
    _lines: dict[Path_, int] = PrivateAttr(default_factory=dict)

    @property
    def origin(self) -> str:
        """File name the mapping came from (``<mapping>`` for a dict)."""
        return self._origin

    def line_of(self, *path: str) -> int | None:
        """1-based line of a key in the mapping file, e.g. ``line_of("columns", "csat")``."""
        return self._lines.get(tuple(path))

    def field_type(self, field: str) -> FieldType:
        spec = self.columns[field]
        return spec.type or default_type(TABLES[self.table].schema.field(field).type)


class _Positions:
    """Line/column of every key and value in a composed YAML document, by path."""

    def __init__(self) -> None:
        self.keys: dict[Path_, tuple[int, int]] = {}
        self.values: dict[Path_, tuple[int, int]] = {}
        self.duplicates: list[str] = []  # "line:column: sentence"

    def at(self, path: Path_, *, key: bool = False) -> tuple[int, int] | None:
        # Pydantic locations can run deeper than the document (union member names): use the
        # deepest path the document has.
        for n in range(len(path), -1, -1):
            table = self.keys if key and n == len(path) else self.values
            if path[:n] in table:
                return table[path[:n]]
            if path[:n] in self.keys:
                return self.keys[path[:n]]
        return None


def _scalar(node: yaml.ScalarNode) -> Any:
    return yaml.SafeLoader("").construct_object(node)


def _compose(text: str, origin: str) -> tuple[Any, _Positions]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}:{mark.column + 1}" if mark else origin
        problem = getattr(exc, "problem", None) or str(exc)
        raise MappingError([f"{where}: not valid YAML: {problem}"]) from None
    pos = _Positions()
    if root is None:
        raise MappingError([f"{origin}:1:1: the mapping file is empty"])
    return _convert(root, (), pos), pos


def _convert(node: yaml.Node, path: Path_, pos: _Positions) -> Any:
    pos.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            key = str(k.value) if isinstance(k, yaml.ScalarNode) else str(k.start_mark)
            at = (k.start_mark.line + 1, k.start_mark.column + 1)
            if key in out:
                # YAML would silently keep the last one; a repeated field is almost always a
                # copy-paste slip worth pointing at.
                first = pos.keys[(*path, key)][0]
                pos.duplicates.append(f"{at[0]}:{at[1]}: key {key!r} repeats line {first}")
                continue
            pos.keys[(*path, key)] = at
            out[key] = _convert(v, (*path, key), pos)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(v, (*path, str(i)), pos) for i, v in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if node.tag.rsplit(":", 1)[-1] in ("bool", "int", "float", "null"):
        return _scalar(node)
    # Timestamps and everything else stay text; the converters parse them with the field's type.
    return node.value


def _sentence(err: Any) -> tuple[str, bool]:
    """A plain sentence for one pydantic error, and whether it points at a key."""
    loc = [str(p) for p in err["loc"]]
    name = loc[-1] if loc else "mapping"
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown key {name!r}", True
    if kind == "missing":
        return f"missing key {name!r}", False
    if kind == "literal_error":
        return f"{name} is {err['input']!r}; expected {err['ctx']['expected']}", False
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{name} should be a mapping of keys to values, not {err['input']!r}", False
    return f"{name}: {err['msg'][0].lower()}{err['msg'][1:]}", False


def _where(origin: str, pos: _Positions | None, path: Path_, *, key: bool = False) -> str:
    at = pos.at(path, key=key) if pos else None
    if at:
        return f"{origin}:{at[0]}:{at[1]}"
    return f"{origin}: {'.'.join(path) or 'top level'}"


def _check(m: Mapping) -> list[tuple[Path_, bool, str]]:
    """Mistakes pydantic cannot see: names, types and values checked against the schema."""
    out: list[tuple[Path_, bool, str]] = []
    if m.table not in TABLES:
        known = ", ".join(TABLES)
        return [(("table",), False, f"unknown table {m.table!r}; expected one of: {known}")]
    spec = TABLES[m.table]
    names = [f.name for f in spec.schema if f.name not in LINEAGE]
    if m.timezone is not None:
        try:
            zoneinfo.ZoneInfo(m.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {m.timezone!r}; expected an IANA name like Asia/Shanghai"
            out.append((("timezone",), False, msg))
    if m.encoding is not None:
        try:
            codecs.lookup(m.encoding)
        except LookupError:
            msg = f"unknown encoding {m.encoding!r}; expected e.g. utf-8, gb18030, utf-16"
            out.append((("encoding",), False, msg))
    if m.delimiter is not None and len(m.delimiter) != 1:
        msg = f"delimiter {m.delimiter!r} should be one character, e.g. ',' ';' '|' or \"\\t\""
        out.append((("delimiter",), False, msg))
    for field, col in m.columns.items():
        at: Path_ = ("columns", field)
        if field not in names:
            where = f"for table {m.table}" if field not in LINEAGE else "(the connector sets it)"
            msg = f"unknown field {field!r} {where}; expected one of: {', '.join(names)}"
            out.append((at, True, msg))
            continue
        out.extend(_check_column(m, field, col))
    for f in spec.schema:
        if f.nullable or f.name in LINEAGE or f.name == spec.key or f.name in m.columns:
            continue
        msg = (
            f"required field {f.name!r} of table {m.table} is not mapped; add it under columns"
            " with 'from' (a source column) or 'value' (a constant)"
        )
        out.append((("columns",), True, msg))
    return out


def _check_column(m: Mapping, field: str, col: ColumnMapping) -> list[tuple[Path_, bool, str]]:
    at: Path_ = ("columns", field)
    out: list[tuple[Path_, bool, str]] = []
    arrow = TABLES[m.table].schema.field(field).type
    if (col.source is None) == (col.value is None):
        msg = (
            f"field {field!r} needs exactly one of 'from' (a source column) or 'value' (a constant)"
        )
        return [(at, True, msg)]
    ftype = m.field_type(field)
    if not fits(ftype, arrow):
        msg = f"type {ftype} cannot fill {field!r}, which holds {_arrow_words(arrow)}"
        return [((*at, "type"), False, msg)]
    if col.format is not None:
        if ftype not in ("datetime", "date"):
            out.append(((*at, "format"), False, "format applies only to type datetime or date"))
        elif "%" not in col.format:
            msg = f"format {col.format!r} has no % directive; expected e.g. '%Y-%m-%d %H:%M:%S'"
            out.append(((*at, "format"), False, msg))
    if col.value is not None and (col.values is not None or col.default is not None):
        msg = "a constant 'value' takes no 'values' map or 'default'"
        out.append(((*at, "value"), False, msg))
    targets: list[tuple[Path_, Any]] = []
    if col.value is not None:
        targets.append(((*at, "value"), col.value))
    if col.default is not None:
        targets.append(((*at, "default"), col.default))
    for raw, target in (col.values or {}).items():
        if target is not None:
            targets.append(((*at, "values", raw), target))
    for path, target in targets:
        problem = check_constant(target, ftype, arrow, ENUMS.get((m.table, field)), col.format)
        if problem:
            out.append((path, False, f"{field}: {target!r} is not {problem}"))
    return out


def _arrow_words(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return "a date and time"
    if pa.types.is_boolean(t):
        return "yes/no values"
    if pa.types.is_floating(t):
        return "numbers"
    return "text"


def mapping_from(data: Any, origin: str, pos: _Positions | None = None) -> Mapping:
    """Validate already-loaded mapping data; errors carry positions when ``pos`` is given."""
    if not isinstance(data, dict):
        where = _where(origin, pos, ())
        raise MappingError([f"{where}: a mapping file is a set of keys (table, columns, …)"])
    problems: list[tuple[Path_, bool, str]] = []
    try:
        m = Mapping.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            sentence, key = _sentence(err)
            problems.append((tuple(str(p) for p in err["loc"]), key, sentence))
    else:
        problems = _check(m)
    if problems:

        def order(problem: tuple[Path_, bool, str]) -> tuple[int, int]:
            return (pos.at(problem[0], key=problem[1]) if pos else None) or (0, 0)

        problems.sort(key=order)  # in file order, as a compiler lists them
        raise MappingError([f"{_where(origin, pos, p, key=k)}: {s}" for p, k, s in problems])
    m._origin = origin
    if pos:
        m._lines = {p: line for p, (line, _col) in pos.keys.items()}
    return m


def load_mapping(source: Path | str | dict[str, Any] | Mapping) -> Mapping:
    """Load and check a mapping: a YAML file path, YAML text (anything with a newline), a dict,
    or an already-loaded :class:`Mapping`. Raises :class:`MappingError` (a ConnectorError) with
    one ``file:line:column: sentence`` per mistake."""
    if isinstance(source, Mapping):
        return source
    if isinstance(source, dict):
        return mapping_from(source, "<mapping>")
    if isinstance(source, str) and "\n" in source:
        text, origin = source, "<mapping>"
    else:
        path = Path(source)
        try:
            text = path.read_text("utf-8-sig")
        except FileNotFoundError:
            raise ConnectorError(f"mapping file {path} does not exist") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConnectorError(f"cannot read mapping file {path}: {exc}") from None
        origin = str(path)
    data, pos = _compose(text, origin)
    if pos.duplicates:
        raise MappingError([f"{origin}:{d}" for d in pos.duplicates])
    return mapping_from(data, origin, pos)


__all__ = ["ColumnMapping", "Mapping", "MappingError", "load_mapping"]
