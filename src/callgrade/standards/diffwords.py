"""What changes between two versions of the standard, as sentences people read.

Each change is found by walking both documents side by side (list entries matched by what names
them, so a reordering is no change) and said with the names the standard gives its positions,
levels, ratings and KPIs, in the reader's language: "前台坐席 · 满意度 权重 20% → 25%". A change
also says which positions it concerns (None: everyone), so an employee can be shown their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from callgrade.engine.kpis import REGISTRY
from callgrade.engine.policy import Policy
from callgrade.standards.fieldwords import FIELD_WORDS, VALUE_WORDS
from callgrade.standards.text import condition_text, kpi_label, text, value_text

MISSING: Any = object()
CURRENCY = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥", "GBP": "£"}
PERCENT_FIELDS = {"weight", "max_percent"}
MONEY_FIELDS = {"base", "amount", "amount_per_year", "above", "monthly", "base_by_level"}
UNIT_FIELDS = {"floor", "target", "value"}
CONDITION_LISTS = {"all", "any", "indicators"}
CODE_DICTS = {"monthly", "base_by_level", "coefficients", "requires"}  # keyed by codes
# A lowercase identifier is a code: shown only by the name the standard or the words give it.
CODE_LOOKING = re.compile(r"^[a-z][a-z0-9_.-]*$")


class Key(str):
    """A list entry in a path, named by its code (or its 1-based position); ``by`` is the field
    that named it."""

    by: str = ""

    @classmethod
    def of(cls, name: str, by: str) -> Key:
        k = cls(name)
        k.by = by
        return k


# What kind of thing a field or list names, so that a code is looked up among its own kind (a
# grading rule and a ladder may share a code).
FIELD_KIND = {
    "ladder": "ladder",
    "ladders": "ladder",
    "scorecard": "scorecard",
    "scorecards": "scorecard",
    "grading": "rule",
    "positions": "position",
    "levels": "level",
    "level": "level",
    "start_level": "level",
    "monthly": "level",
    "base_by_level": "level",
    "track": "track",
    "tracks": "track",
    "grades": "rating",
    "rating": "rating",
    "ratings": "rating",
    "remainder": "rating",
    "coefficients": "rating",
    "bands": "rating",
    "quotas": "rating",
    "competencies": "competency",
    "competency": "competency",
    "requires": "competency",
    "ref": "competency",
    "trainings": "training",
    "completed": "training",
    "commissions": "commission",
    "long_term": "long_term",
    "instant_rewards": "reward",
    "dimensions": "dimension",
    "kpi": "kpi",
    "items": "kpi",
    "input": "kpi",
}


@dataclass(frozen=True)
class Change:
    text: str
    positions: frozenset[str] | None  # the positions it concerns; None: everyone


def _lg(lang: str) -> str:
    return "zh" if lang.startswith("zh") else "en"


def _keyed(items: list[Any]) -> tuple[str, list[tuple[str, Any]]] | None:
    """(the field that names the entries, [(name, entry)]), or None when nothing names them."""
    for key in ("code", "kpi", "level", "rating", "ladder", "input"):
        if items and all(isinstance(i, dict) and i.get(key) is not None for i in items):
            names = [str(i[key]) + (f"/{i['ref']}" if i.get("ref") else "") for i in items]
            if len(set(names)) == len(names):
                return key, list(zip(names, items, strict=True))
    return None


class _Words:
    """The names and value formats of one comparison, in one language."""

    def __init__(self, old: Policy, new: Policy, lang: str) -> None:
        self.lg = _lg(lang)
        self.lang = lang
        self.old, self.new = old, new
        self.money = CURRENCY.get(new.currency, f"{new.currency} ")
        kinds: dict[str, dict[str, str]] = {}
        self.card_positions: dict[str, set[str]] = {}
        self.ladder_positions: dict[str, set[str]] = {}
        for p in (old, new):
            for k in REGISTRY:
                kinds.setdefault("kpi", {})[k] = kpi_label(k, lang)
            for k in ("tenure_years", "competency", "exam", "assessment"):
                kinds["kpi"][k] = kpi_label(k, lang)
            named: list[tuple[str, Any]] = [
                ("track", p.tracks),
                ("competency", p.competencies),
                ("training", p.trainings),
                ("ladder", p.ladders),
                ("level", [lv for lad in p.ladders for lv in lad.levels]),
                ("dimension", [d for s in p.scorecards for d in s.dimensions]),
                ("long_term", p.pay.long_term),
                ("reward", p.instant_rewards),
                ("position", p.positions),
            ]
            for kind, things in named:
                for thing in things:
                    kinds.setdefault(kind, {})[thing.code] = text(thing.label, lang)
            for pos in p.positions:
                self.card_positions.setdefault(pos.scorecard, set()).add(pos.code)
                self.ladder_positions.setdefault(pos.ladder, set()).add(pos.code)
            for g in p.ratings.grades:
                label = text(g.label, lang)
                kinds.setdefault("rating", {})[g.code] = (
                    f"{g.code}（{label}）" if self.lg == "zh" else f"{g.code} ({label})"
                )
        pos_names = kinds.get("position", {})
        for p in (old, new):
            for s in p.scorecards:
                users = self.card_positions.get(s.code)
                kinds.setdefault("scorecard", {})[s.code] = (
                    self.join(pos_names.get(c, c) for c in sorted(users))
                    if users
                    else text(s.label, lang)
                )
            for com in p.pay.commissions:
                kinds.setdefault("commission", {})[com.code] = self.join(
                    pos_names.get(c, c) for c in com.positions
                )
            for rule in p.grading:
                kinds.setdefault("rule", {})[rule.code] = self.join(
                    pos_names.get(c, c) for c in rule.positions
                )
        self.kinds = kinds

    def join(self, words: Any) -> str:
        return ("、" if self.lg == "zh" else ", ").join(words)

    def name(self, code: str, kind: str | None = None) -> str:
        """A code by the name the standard (or the words) give it; "" for an unknown code."""
        if kind and code in self.kinds.get(kind, {}):
            return self.kinds[kind][code]
        words = VALUE_WORDS.get(code)
        if words:
            return words[self.lg]
        if kind is None:
            for names in self.kinds.values():
                if code in names:
                    return names[code]
        return code if not CODE_LOOKING.match(code) else ""

    def field(self, key: str) -> str:
        words = FIELD_WORDS.get(key)
        return words[self.lg] if words else self.name(key)

    def value(self, v: Any, key: str, unit: str | None) -> str:
        if v is MISSING or v is None or v == [] or v == {}:
            return "—"
        if isinstance(v, bool):
            return ("是" if v else "否") if self.lg == "zh" else ("yes" if v else "no")
        if isinstance(v, int | float):
            if key in PERCENT_FIELDS:
                return f"{v:g}%"
            if key == "rate":
                return f"{v * 100:g}%"
            if key in MONEY_FIELDS:
                return f"{self.money}{v:,.0f}" if v == int(v) else f"{self.money}{v:,.2f}"
            if key in UNIT_FIELDS and unit:
                return value_text(v, unit, self.lang)
            return f"{v:g}"
        if isinstance(v, str):
            return self.name(v, FIELD_KIND.get(key)) or "—"
        if isinstance(v, list):
            return self.join(self.value(x, key, unit) for x in v)
        if isinstance(v, dict):
            if "zh" in v and "en" in v:
                return str(v[self.lg])
            kind = FIELD_KIND.get(key)
            return self.join(
                f"{self.name(k, kind)} {self.value(x, key, unit)}" for k, x in v.items()
            )
        return "—"


def _entry_name(w: _Words, seg: Key, parent: Any) -> str:
    if seg.isdigit():
        return f"第 {seg} 条" if w.lg == "zh" else f"entry {seg}"
    code, _sep, ref = seg.partition("/")
    kind = seg.by if seg.by in ("level", "rating", "ladder", "kpi", "input") else None
    kind = "kpi" if kind == "input" else kind or FIELD_KIND.get(str(parent))
    name = w.name(code, kind) or w.name(code)
    return name + (f"（{w.name(ref, 'competency') or w.name(ref)}）" if ref else "")


def _scope(w: _Words, path: tuple[Any, ...]) -> frozenset[str] | None:
    head, entry = path[0], str(path[1]) if len(path) > 1 else ""
    if head == "scorecards":
        return frozenset(w.card_positions.get(entry, set()))
    if head == "positions":
        return frozenset({entry})
    if head == "ladders":
        return frozenset(w.ladder_positions.get(entry, set()))
    if head == "pay" and len(path) > 2 and path[1] == "allowances":
        return frozenset(w.ladder_positions.get(str(path[2]), set()))
    for policy in (w.new, w.old):
        if head == "grading":
            rule = next((g for g in policy.grading if g.code == entry), None)
            if rule is not None:
                return frozenset(rule.positions)
        if head == "pay" and len(path) > 2 and path[1] == "commissions":
            com = next((c for c in policy.pay.commissions if c.code == str(path[2])), None)
            if com is not None:
                return frozenset(com.positions)
    return None


def _unit(path: tuple[Any, ...], entry: dict[str, Any] | None) -> str | None:
    kpi = (entry or {}).get("kpi")
    if isinstance(kpi, str) and kpi in REGISTRY:
        return REGISTRY[kpi].unit
    return "score" if entry else None


def _subject(w: _Words, path: tuple[Any, ...], *, entry: bool = False) -> str:
    """Who or what a change is about, then the setting: "客户服务 · 服务表现 · 接通率 权重".
    A section's name is left out where the entry's own name says enough ("scorecards",
    "items"), except before an entry added or removed as a whole."""
    parts: list[str] = []
    last = len(path) - 1
    for i, seg in enumerate(path):
        prev = path[i - 1] if i else None
        nxt = path[i + 1] if i < last else None
        if isinstance(seg, Key):
            parts.append(_entry_name(w, seg, prev))
        elif prev in CODE_DICTS:
            parts.append(w.name(str(seg), FIELD_KIND.get(str(prev))) or w.name(str(seg)))
        elif (
            isinstance(nxt, Key) and not (entry and i + 1 == last) and not str(nxt).isdigit()
        ) or (seg in ("pay", "dimensions", "assignment", "grades") and i < last):
            continue
        else:
            parts.append(w.field(str(seg)) if str(seg) in FIELD_WORDS else w.name(str(seg)))
    parts = [p for p in parts if p]
    if (
        len(parts) > 1
        and not entry
        and not isinstance(path[-1], Key)
        and path[-2] not in CODE_DICTS
    ):
        return " · ".join(parts[:-1]) + " " + parts[-1]
    return " · ".join(parts)


class _Walker:
    def __init__(self, w: _Words) -> None:
        self.w = w
        self.out: list[Change] = []

    def emit(self, path: tuple[Any, ...], sentence: str) -> None:
        sentence = sentence[:1].upper() + sentence[1:]
        self.out.append(Change(sentence, _scope(self.w, path)))

    def walk(self, a: Any, b: Any, path: tuple[Any, ...], entry: dict[str, Any] | None) -> None:
        if a == b:
            return
        w = self.w
        key = str(path[-1]) if path else ""
        if key in ("zh", "en"):
            if key == w.lg:
                self.leaf(a, b, path[:-1], entry)
            return
        if key in CONDITION_LISTS and isinstance(a, list | type(MISSING)):
            self.conditions(path)
            return
        if isinstance(a, dict) and isinstance(b, dict):
            if "zh" in a and "en" in a and set(a) == set(b):
                self.leaf(a, b, path, entry)
                return
            for k in [*b, *(k for k in a if k not in b)]:
                self.walk(a.get(k, MISSING), b.get(k, MISSING), (*path, k), entry)
            return
        if isinstance(a, list) and isinstance(b, list):
            ka, kb = _keyed(a), _keyed(b)
            if ka is not None and kb is not None and ka[0] == kb[0]:
                da, db = dict(ka[1]), dict(kb[1])
                for name in [*db, *(n for n in da if n not in db)]:
                    x, y = da.get(name, MISSING), db.get(name, MISSING)
                    sub = (*path, Key.of(name, ka[0]))
                    if x is MISSING or y is MISSING:
                        self.entry(sub, added=x is MISSING)
                    else:
                        self.walk(x, y, sub, y if isinstance(y, dict) else entry)
                return
            if len(a) == len(b) and all(isinstance(x, dict) for x in [*a, *b]):
                for n, (x, y) in enumerate(zip(a, b, strict=True), start=1):
                    self.walk(x, y, (*path, Key(str(n))), entry)
                return
        self.leaf(a, b, path, entry)

    def entry(self, path: tuple[Any, ...], *, added: bool) -> None:
        subject = _subject(self.w, path, entry=True)
        if self.w.lg == "zh":
            self.emit(path, f"{'新增' if added else '删除'}：{subject}")
        else:
            self.emit(path, f"{'Added' if added else 'Removed'}: {subject}")

    def leaf(self, a: Any, b: Any, path: tuple[Any, ...], entry: dict[str, Any] | None) -> None:
        w = self.w
        key = str(path[-1])
        unit = _unit(path, entry)
        if len(path) > 1 and path[-2] in CODE_DICTS:
            # a dict keyed by codes (allowance per level, coefficient per rating): the key names
            # the entry, the dict names the setting
            field_key = str(path[-2])
            before, after = w.value(a, field_key, unit), w.value(b, field_key, unit)
        else:
            before, after = w.value(a, key, unit), w.value(b, key, unit)
        if before == after:
            return  # nothing the reader could tell apart (a code with no name)
        self.emit(path, f"{_subject(w, path)} {before} → {after}")

    def conditions(self, path: tuple[Any, ...]) -> None:
        """A list of grading conditions: the sentences that leave and those that come."""
        w = self.w

        def sentences(policy: Policy) -> list[str]:
            node: Any = policy
            for seg in path:
                if isinstance(node, tuple):
                    code = str(seg)
                    node = next(
                        (
                            x
                            for x in node
                            if getattr(x, "code", None) == code or getattr(x, "level", None) == code
                        ),
                        None,
                    )
                else:
                    node = getattr(node, str(seg), None)
                if node is None:
                    return []
            return [condition_text(c, policy, w.lang) for c in node]

        before, after = sentences(w.old), sentences(w.new)
        subject = _subject(w, path)
        for s in before:
            if s not in after:
                self.emit(
                    path, f"{subject}：删除「{s}」" if w.lg == "zh" else f"{subject}: removed “{s}”"
                )
        for s in after:
            if s not in before:
                self.emit(
                    path, f"{subject}：新增「{s}」" if w.lg == "zh" else f"{subject}: added “{s}”"
                )


def change_sentences(old: Policy, new: Policy, lang: str) -> list[Change]:
    """Every difference between two validated policies, one sentence each (defaults filled in,
    so a value written out that equals the default is no change)."""
    walker = _Walker(_Words(old, new, lang))
    a, b = old.model_dump(mode="json"), new.model_dump(mode="json")
    for doc in (a, b):
        doc.pop("version", None)
    walker.walk(a, b, (), None)
    return walker.out


def concerning(changes: list[Change], position: str | None) -> list[Change]:
    """The changes that concern someone in ``position``: theirs and everyone's."""
    if not position:
        return changes
    return [c for c in changes if c.positions is None or position in c.positions]
