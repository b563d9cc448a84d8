"""Reading a policy from YAML, with the line and column of every mistake.

The text is composed once into YAML nodes (which carry marks) and constructed into plain data.
Pydantic reports each error at a location tuple such as ``("positions", 2, "ladder")``; walking the
same tuple through the nodes finds the line and column. Errors are collected, never stopped at:
syntax, duplicate keys, model errors and cross-references all land in one list.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from callgrade.engine.policy.consistency import Loc, consistency_problems
from callgrade.engine.policy.model import Policy, close_match

KpiInfo = tuple[str, str]  # (direction, unit)
# libyaml is several times faster and keeps the same marks (columns counted in characters).
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TAG_KEYS = ("kind", "method")
# A standard is a few hundred values. Aliases can make a tiny text stand for billions of them
# (a "billion laughs" document): everything after composing walks the expanded tree, so the
# expansion is counted first and a document over this limit is refused before any such walk.
MAX_VALUES = 100_000


@dataclass(frozen=True)
class PolicyError:
    file: str | None
    line: int  # 1-based
    column: int  # 1-based
    path: str  # e.g. "positions[2].ladder"; "" for the whole document
    message: str
    kind: str = ""  # "expansion" for a document refused by MAX_VALUES; "" for any other error

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.message}"


class PolicyInvalid(ValueError):
    def __init__(self, errors: list[PolicyError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(e) for e in errors))


def registry_kpis() -> dict[str, KpiInfo] | None:
    """KPI codes from the KPI engine's registry, or None when the engine is not importable."""
    try:
        from callgrade.engine.kpis import REGISTRY
    except ImportError:
        return None
    return {code: (d.direction, d.unit) for code, d in REGISTRY.items()}


def dotted(loc: Loc) -> str:
    out = ""
    for seg in loc:
        out += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if out else str(seg))
    return out


# --- YAML nodes ---------------------------------------------------------------------------------


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _lookup(node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


def _is_tag(node: yaml.MappingNode, seg: str) -> bool:
    # Pydantic puts the discriminator value of a tagged union into the location.
    for key in TAG_KEYS:
        hit = _lookup(node, key)
        if hit and isinstance(hit[1], yaml.ScalarNode) and hit[1].value == seg:
            return True
    return False


def locate(root: yaml.Node, loc: tuple[Any, ...], *, at_key: bool = False) -> tuple[yaml.Node, Loc]:
    """The deepest node on ``loc`` and the location with union tags removed."""
    node, clean, last = root, list[str | int](), len(loc) - 1
    tagged: yaml.Node | None = None  # a mapping's tag is skipped once: {kind: kpi, kpi: …}
    for i, seg in enumerate(loc):
        if seg == "[key]":
            continue
        if isinstance(node, yaml.MappingNode) and isinstance(seg, str):
            if node is not tagged and _is_tag(node, seg):
                tagged = node
                continue
            hit = _lookup(node, seg)
            clean.append(seg)
            if hit is None:
                clean.extend(s for s in loc[i + 1 :] if s != "[key]")
                break
            key_wanted = (at_key and i == last) or (i + 1 <= last and loc[i + 1] == "[key]")
            node = hit[0] if key_wanted else hit[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(seg, int) and seg >= 0:
            clean.append(seg)
            if seg >= len(node.value):
                break
            node = node.value[seg]
        else:
            clean.append(seg)
    return node, tuple(clean)


def _children(node: yaml.Node) -> list[tuple[yaml.Node, str | int | None]]:
    """(child, its segment in a location) in document order; keys have segment None."""
    if isinstance(node, yaml.MappingNode):
        out: list[tuple[yaml.Node, str | int | None]] = []
        for k, v in node.value:
            out += [(k, None), (v, str(k.value))]
        return out
    if isinstance(node, yaml.SequenceNode):
        return [(item, i) for i, item in enumerate(node.value)]
    return []


def expanded_size(root: yaml.Node, limit: int = MAX_VALUES) -> int | None:
    """How many nodes the document stands for once every alias is written out, or None when
    that is more than ``limit`` (or infinite: an alias inside its own anchor). Each node is
    visited once: a shared (aliased) node's size is remembered by identity."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            size = 1 + sum(sizes[id(c)] for c, _ in _children(node))
            if size > limit:
                return None
            sizes[key] = size
        elif key in open_:
            return None  # a cycle: the node contains itself
        elif key not in sizes:
            open_.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c, _ in _children(node))
    return sizes[id(root)]


def _first_alias(text: str) -> tuple[int, int]:
    for event in yaml.parse(text, Loader=Loader):
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent) and mark is not None:
            return mark.line + 1, mark.column + 1
    return 1, 1


def _duplicate_keys(root: yaml.Node) -> list[tuple[yaml.Node, Loc, str]]:
    """Keys written twice in one mapping. A mapping reached again through an alias is the same
    node with the same keys: it is checked once, at its first location."""
    out: list[tuple[yaml.Node, Loc, str]] = []
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for k, _ in node.value:
                key = str(k.value)
                if key in keys:
                    out.append((k, (*loc, key), f"key '{key}' appears twice in the same mapping"))
                keys.add(key)
        children = [(c, (*loc, seg)) for c, seg in _children(node) if seg is not None]
        stack.extend(reversed(children))
    return out


# --- model introspection for "did you mean" ---------------------------------------------------


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _union_members(tp: Any) -> tuple[Any, ...]:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return tuple(_unwrap(a) for a in typing.get_args(tp) if a is not type(None))
    return ()


def model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class whose mapping sits at ``loc`` (pydantic's location, tags included)."""
    tp: Any = Policy
    for seg in loc:
        tp = _unwrap(tp)
        members = _union_members(tp)
        if len(members) == 1:
            tp = members[0]
        elif members:
            tp = next((m for m in members if _has_tag(m, seg)), None)
            if tp is None:
                return None
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = tp.model_fields.get(seg) if isinstance(seg, str) else None
            if field is None:
                return None
            tp = field.annotation
        elif typing.get_origin(tp) in (tuple, list) and isinstance(seg, int):
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict and isinstance(seg, str):
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _unwrap(tp)
    members = _union_members(tp)
    tp = members[0] if len(members) == 1 else tp
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _has_tag(model: Any, tag: Any) -> bool:
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return False
    for key in TAG_KEYS:
        field = model.model_fields.get(key)
        if field is not None and tag in typing.get_args(field.annotation):
            return True
    return False


# --- messages -----------------------------------------------------------------------------------


def _message(err: ErrorDetails, clean: Loc) -> str:
    kind, loc = err["type"], err["loc"]
    name = str(clean[-1]) if clean else "policy"
    where = dotted(clean[:-1]) or "the policy"
    if kind == "missing":
        return f"required key '{name}' is missing in {where}"
    if kind == "extra_forbidden":
        model = model_at(loc[:-1])
        hint = close_match(name, model.model_fields) if model else None
        tail = f"; did you mean '{hint}'?" if hint else ""
        return f"unknown key '{name}' in {where}{tail}"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx") or {}
        tag, key = str(ctx.get("tag")), str(ctx.get("discriminator", "")).strip("'")
        expected = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        hint = close_match(tag, expected)
        tail = f"did you mean '{hint}'?" if hint else f"expected one of: {', '.join(expected)}"
        return f"unknown {key} '{tag}' in {dotted(clean)}; {tail}"
    if kind == "union_tag_not_found":
        key = str((err.get("ctx") or {}).get("discriminator", "")).strip("'")
        return f"required key '{key}' is missing in {dotted(clean)}"
    msg = err["msg"].removeprefix("Value error, ")
    if kind in ("value_error", "assertion_error"):
        return msg
    got = err.get("input")
    shown = f" (got {got!r})" if isinstance(got, str | int | float | bool) else ""
    return f"{name}: {msg[:1].lower()}{msg[1:]}{shown}"


def _from_validation(root: yaml.Node, exc: ValidationError, file: str | None) -> list[PolicyError]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        node, clean = locate(root, loc, at_key=err["type"] == "extra_forbidden")
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            node = next(
                (
                    hit[1]
                    for k in TAG_KEYS
                    if isinstance(node, yaml.MappingNode) and (hit := _lookup(node, k))
                ),
                node,
            )
        line, col = _mark(node)
        out.append(PolicyError(file, line, col, dotted(clean), _message(err, clean)))
    return out


# --- entry points -------------------------------------------------------------------------------


def read_source(source: str | Path) -> tuple[str, str | None]:
    """(text, file name). A Path, or a one-line string that names an existing file or holds no
    ": " (so cannot be a policy), is read as a file; any other string is the YAML text itself."""
    one_line = isinstance(source, str) and "\n" not in source and bool(source.strip())
    if isinstance(source, Path) or (one_line and (Path(source).is_file() or ": " not in source)):
        path = Path(source)
        return path.read_text("utf-8"), str(path)
    return source, None


def validate_text(
    text: str, *, file: str | None = None, kpis: Mapping[str, KpiInfo] | None = None
) -> tuple[Policy | None, list[PolicyError]]:
    """The policy and no errors, or None and every error found."""
    loader = Loader(text)
    try:
        root = loader.get_single_node()
        if root is not None and expanded_size(root) is None:
            message = (
                f"the standard expands to more than {MAX_VALUES:,} values (YAML aliases);"
                " write the values out instead of repeating aliases"
            )
            line, col = _first_alias(text)
            return None, [PolicyError(file, line, col, "", message, "expansion")]
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(str(p) for p in (e.context, e.problem) if p)
        return None, [PolicyError(file, line, col, "", f"YAML syntax error: {problem}")]
    finally:
        loader.dispose()
    if root is None or not isinstance(data, dict):
        line, col = _mark(root) if root is not None else (1, 1)
        return None, [PolicyError(file, line, col, "", "a policy must be a YAML mapping")]

    errors: list[PolicyError] = []
    dups = _duplicate_keys(root)
    errors += [PolicyError(file, *_mark(n), dotted(loc), msg) for n, loc, msg in dups]

    context = {"kpis": registry_kpis() if kpis is None else kpis, "defer_references": True}
    policy = None
    try:
        policy = Policy.model_validate(data, context=context)
    except ValidationError as exc:
        errors += _from_validation(root, exc, file)
    for loc, msg in consistency_problems(data):
        node, clean = locate(root, loc)
        errors.append(PolicyError(file, *_mark(node), dotted(clean), msg))

    # A weight sum is checked both on the raw document and by the model; report it once.
    errors = sorted(set(errors), key=lambda e: (e.line, e.column, e.message))
    return (policy if not errors else None), errors


def load_policy(source: str | Path, *, kpis: Mapping[str, KpiInfo] | None = None) -> Policy:
    """Parse and validate a policy; raise :class:`PolicyInvalid` listing every error.

    ``kpis`` maps KPI code → (direction, unit); by default the KPI engine's registry.
    """
    text, file = read_source(source)
    policy, errors = validate_text(text, file=file, kpis=kpis)
    if policy is None:
        raise PolicyInvalid(errors)
    return policy
