"""The column-mapping file: a pydantic model, loaded from YAML so every mistake names its place.

YAML is composed into nodes (not loaded straight to Python) so each key and value keeps its
line and column; pydantic's error locations and our own checks are mapped back onto those
positions, giving ``file:line:column: sentence`` messages a user can act on without reading code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from callgrade.engine.connectors.base import ConnectorError
from callgrade.engine.connectors.mapped.checks import Problem, check_mapping, closest, unknown
from callgrade.engine.connectors.mapped.convert import FieldType, default_type
from callgrade.engine.connectors.reasons import reason as say
from callgrade.engine.schemas import TABLES

Scalar = str | bool | int | float
Path_ = tuple[str, ...]
FIELD_TYPES = get_args(FieldType)


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
    time_from: str | None = None
    time_format: str | None = None
    values: dict[str, Scalar | None] | None = None
    default: Scalar | None = None
    minimum: float | None = Field(default=None, alias="min")
    maximum: float | None = Field(default=None, alias="max")
    allowed: list[Scalar] | None = None

    _source_check = field_validator("source", "format", "time_from", "time_format", mode="before")(
        _as_text
    )


class RowCondition(BaseModel):
    """What one source column must hold for a row to be kept: ``[a, b]`` is short for
    ``{in: [a, b]}``; all keys given must hold."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    within: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    empty: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, list):
            return {"in": data}
        if isinstance(data, str | int | float) and not isinstance(data, bool):
            return {"in": [data]}
        return data


class MappingHeader(BaseModel):
    """The keys of a mapping file other than ``columns`` and ``where``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    format: Literal["csv", "xlsx"] | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    header_row: int = Field(default=1, ge=1)
    timezone: str | None = None
    source_name: str = "mapped"

    _text_check = field_validator("sheet", "source_name", "delimiter", mode="before")(_as_text)


class Mapping(MappingHeader):
    """A whole mapping file. Field names are the file format: keep them stable."""

    columns: dict[str, ColumnMapping]
    where: dict[str, RowCondition] = Field(default_factory=dict)

    _origin: str = PrivateAttr(default="<mapping>")
    _lines: dict[Path_, int] = PrivateAttr(default_factory=dict)
    _places: dict[Path_, tuple[int, int]] = PrivateAttr(default_factory=dict)
    _keys: dict[Path_, tuple[int, int]] = PrivateAttr(default_factory=dict)

    @property
    def origin(self) -> str:
        """File name the mapping came from (``<mapping>`` for a dict)."""
        return self._origin

    def line_of(self, *path: str) -> int | None:
        """1-based line of a key in the mapping file, e.g. ``line_of("columns", "csat")``."""
        return self._lines.get(tuple(path))

    def place(self, *path: str, key: bool = False) -> str:
        """``file:line:column`` of the value at ``path``, or of its key with ``key=True``
        (``<mapping>: a.b`` for a mapping given as a dict)."""
        at = (self._keys if key else self._places).get(path)
        if at:
            return f"{self._origin}:{at[0]}:{at[1]}"
        return f"{self._origin}: {'.'.join(path)}"

    def field_type(self, field: str) -> FieldType:
        spec = self.columns[field]
        return spec.type or default_type(TABLES[self.table].schema.field(field).type)


COLUMN_KEYS = tuple(f.alias or n for n, f in ColumnMapping.model_fields.items())
CONDITION_KEYS = tuple(f.alias or n for n, f in RowCondition.model_fields.items())
TOP_KEYS = (*MappingHeader.model_fields, "columns", "where")


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
        raise MappingError([f"{where}: {say('mf_yaml', error=problem)}"]) from None
    pos = _Positions()
    if root is None:
        raise MappingError([f"{origin}:1:1: {say('mf_empty')}"])
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


def _sentence(err: Any, known: tuple[str, ...]) -> tuple[str, bool]:
    """A plain sentence for one pydantic error, and whether it points at a key. ``known`` are
    the keys allowed where the error is (for "did you mean")."""
    loc = [str(p) for p in err["loc"]]
    name = loc[-1] if loc else "mapping"
    kind = err["type"]
    if kind == "extra_forbidden":
        return unknown("key", name, known), True
    if kind == "missing":
        return say("mf_missing_key", name=repr(name)), False
    if kind == "literal_error":
        near = closest(str(err["input"]), FIELD_TYPES) if name == "type" else None
        hint = f"; did you mean {near!r}?" if near else ""
        return f"{name} is {err['input']!r}; expected {err['ctx']['expected']}{hint}", False
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{name} should be a mapping of keys to values, not {err['input']!r}", False
    return f"{name}: {err['msg'][0].lower()}{err['msg'][1:]}", False


def _where(origin: str, pos: _Positions | None, path: Path_, *, key: bool = False) -> str:
    at = pos.at(path, key=key) if pos else None
    if at:
        return f"{origin}:{at[0]}:{at[1]}"
    return f"{origin}: {'.'.join(path) or 'top level'}"


def _validate(
    model: type[BaseModel], data: Any, at: Path_, known: tuple[str, ...], out: list[Problem]
) -> Any:
    """``model`` validated from ``data``, or None with its mistakes added to ``out``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            sentence, key = _sentence(err, known)
            out.append(((*at, *(str(p) for p in err["loc"])), key, sentence))
        return None


def _entries(
    data: dict[str, Any],
    name: str,
    model: type[BaseModel],
    known: tuple[str, ...],
    out: list[Problem],
) -> dict[str, Any]:
    """The valid entries of the ``columns`` or ``where`` section; mistakes go to ``out``."""
    section = data.get(name, {})
    if not isinstance(section, dict):
        msg = f"{name} should be a mapping of keys to values, not {section!r}"
        out.append(((name,), False, msg))
        return {}
    valid = {}
    for key, entry in section.items():
        checked = _validate(model, entry, (name, key), known, out)
        if checked is not None:
            valid[key] = checked
    return valid


def mapping_from(data: Any, origin: str, pos: _Positions | None = None) -> Mapping:
    """Validate already-loaded mapping data; errors carry positions when ``pos`` is given.

    The header keys, every ``columns`` entry and every ``where`` entry are checked on their own,
    so one mistake never hides another: all of them are reported at once, in file order."""
    if not isinstance(data, dict):
        where = _where(origin, pos, ())
        raise MappingError([f"{where}: a mapping file is a set of keys (table, columns, …)"])
    problems: list[Problem] = []
    top = {k: v for k, v in data.items() if k not in ("columns", "where")}
    before = len(problems)
    header = _validate(MappingHeader, top, (), TOP_KEYS, problems)
    if header is None:
        # Check the columns against whatever header keys are sound (an unknown or bad key
        # must not hide the columns' own mistakes).
        bad = {p[0][0] for p in problems[before:] if p[0]}
        try:
            header = MappingHeader.model_validate({k: v for k, v in top.items() if k not in bad})
        except ValidationError:
            header = None
    if "columns" not in data:
        problems.append(((), False, "missing key 'columns'"))
    columns = _entries(data, "columns", ColumnMapping, COLUMN_KEYS, problems)
    conditions = _entries(data, "where", RowCondition, CONDITION_KEYS, problems)
    if header is not None:
        partial = Mapping.model_construct(**dict(header), columns=columns, where=conditions)
        present = set(data["columns"]) if isinstance(data.get("columns"), dict) else None
        problems.extend(check_mapping(partial, present))
    if problems:

        def order(problem: Problem) -> tuple[int, int]:
            return (pos.at(problem[0], key=problem[1]) if pos else None) or (0, 0)

        problems.sort(key=order)  # in file order, as a compiler lists them
        raise MappingError([f"{_where(origin, pos, p, key=k)}: {s}" for p, k, s in problems])
    m = Mapping.model_validate(data)
    m._origin = origin
    if pos:
        m._lines = {p: line for p, (line, _col) in pos.keys.items()}
        m._places = dict(pos.values)
        m._keys = dict(pos.keys)
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
