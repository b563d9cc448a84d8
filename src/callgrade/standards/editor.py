"""The form editor of a draft standard: the settings HR changes most — scorecard weights, targets
and floors, rating bands, bonus coefficients and bases, level allowances — as form fields.

A saved form is written back into the draft's own YAML text by replacing exactly the changed
values (found by their YAML node's position), so comments and layout stay and the text
difference shows only what was changed. The result then goes through the same validation as an
upload. Every check a field can fail is said here first, in the reader's language, next to the
field; the upload's validation stays the final word.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.utils.translation import gettext as _

from callgrade.engine.kpis import REGISTRY
from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import Absolute, Linear
from callgrade.standards.fieldwords import VALUE_WORDS
from callgrade.standards.models import PolicyVersion
from callgrade.standards.text import kpi_label, text

CURRENCY = {"CNY": "¥", "USD": "$", "EUR": "€", "HKD": "HK$", "JPY": "¥", "GBP": "£"}
Path = tuple[str | int, ...]


@dataclass
class Field:
    """One number of the form: where it sits in the YAML, how it is shown and checked."""

    name: str
    path: Path
    value: float
    label: str = ""
    unit: str = ""  # "%", "¥", "s": shown after the box
    scale: float = 1.0  # shown = stored × scale (a ratio shown as a percent)
    low: float | None = 0.0
    high: float | None = None
    entered: str = ""
    error: str = ""

    @property
    def shown(self) -> str:
        if self.entered:
            return self.entered
        return f"{round(self.value * self.scale, 6):g}"


@dataclass
class Item:
    label: str
    hint: str
    weight: Field
    floor: Field | None = None
    target: Field | None = None
    direction: str = ""


@dataclass
class Dimension:
    label: str
    weight: Field
    items: list[Item]
    error: str = ""


@dataclass
class Card:
    label: str
    positions: str
    dimensions: list[Dimension]
    error: str = ""


@dataclass
class EditorForm:
    version: str
    cards: list[Card]
    bands: list[Field]
    bands_kind: str  # "absolute": minimum scores; "forced": largest shares
    coefficients: list[Field]
    bases: list[Field]
    allowances: list[tuple[str, list[Field]]]
    currency: str
    errors: list[str] = field(default_factory=list)
    version_error: str = ""

    def fields(self) -> list[Field]:
        out: list[Field] = []
        for c in self.cards:
            for d in c.dimensions:
                out.append(d.weight)
                for it in d.items:
                    out += [f for f in (it.weight, it.floor, it.target) if f is not None]
        out += self.bands + self.coefficients + self.bases
        for _label, fs in self.allowances:
            out += fs
        return out

    def has_errors(self) -> bool:
        return bool(
            self.errors
            or self.version_error
            or any(f.error for f in self.fields())
            or any(c.error or any(d.error for d in c.dimensions) for c in self.cards)
        )


def _grade_name(policy: Policy, code: str, lang: str) -> str:
    g = next((g for g in policy.ratings.grades if g.code == code), None)
    if g is None:
        return code
    label = text(g.label, lang)
    return f"{code}（{label}）" if lang.startswith("zh") else f"{code} ({label})"


def next_version(version: PolicyVersion) -> str:
    """A free version name after ``version``'s: 2026.2 → 2026.3, else a suffix."""
    taken = set(PolicyVersion.objects.filter(code=version.code).values_list("version", flat=True))
    m = re.match(r"^(.*?)(\d+)$", version.version)
    for n in range(1, 200):
        candidate = f"{m.group(1)}{int(m.group(2)) + n}" if m else f"{version.version}-{n}"
        if candidate not in taken:
            return candidate
    return f"{version.version}-new"


def editor_form(version: PolicyVersion, lang: str) -> EditorForm:
    """The form of ``version``'s current values, in the reader's language."""
    policy = version.policy()
    money = CURRENCY.get(policy.currency, policy.currency)
    seconds = "秒" if lang.startswith("zh") else "s"
    lg = "zh" if lang.startswith("zh") else "en"
    pos_names: dict[str, list[str]] = {}
    for p in policy.positions:
        pos_names.setdefault(p.scorecard, []).append(text(p.label, lang))
    sep = "、" if lg == "zh" else ", "
    cards = []
    for ci, card in enumerate(policy.scorecards):
        dims = []
        for di, dim in enumerate(card.dimensions):
            base: Path = ("scorecards", ci, "dimensions", di)
            items = []
            for ii, m in enumerate(dim.items):
                at: Path = (*base, "items", ii)
                name = f"{card.code}.{dim.code}.{ii}"
                code = m.kpi or m.input or ""
                label = kpi_label(code, lang)
                if m.ref:
                    comp = next((c for c in policy.competencies if c.code == m.ref), None)
                    label += f"（{text(comp.label, lang)}）" if comp else ""
                item = Item(
                    label=label,
                    hint=VALUE_WORDS[m.direction][lg] if m.direction else "",
                    weight=Field(f"weight.{name}", (*at, "weight"), m.weight, label, "%", high=100),
                    direction=m.direction or "",
                )
                if isinstance(m.scoring, Linear) and m.floor is not None and m.target is not None:
                    unit = REGISTRY[m.kpi].unit if m.kpi in REGISTRY else "score"
                    shown, scale, high = "", 1.0, None
                    if unit == "ratio":
                        shown, scale, high = "%", 100.0, 100.0
                    elif unit == "seconds":
                        shown = seconds
                    elif unit == "money":
                        shown = money
                    low = None if m.kpi == "nps" else 0.0
                    item.floor = Field(
                        f"floor.{name}", (*at, "floor"), m.floor, label, shown, scale, low, high
                    )
                    item.target = Field(
                        f"target.{name}", (*at, "target"), m.target, label, shown, scale, low, high
                    )
                items.append(item)
            dims.append(
                Dimension(
                    text(dim.label, lang),
                    Field(
                        f"weight.{card.code}.{dim.code}", (*base, "weight"), dim.weight, high=100
                    ),
                    items,
                )
            )
        cards.append(Card(text(card.label, lang), sep.join(pos_names.get(card.code, [])), dims))
    a = policy.ratings.assignment
    if isinstance(a, Absolute):
        bands = [
            Field(
                f"band.{b.rating}",
                ("ratings", "assignment", "bands", i, "min_score"),
                b.min_score,
                _grade_name(policy, b.rating, lang),
                high=100,
            )
            for i, b in enumerate(a.bands)
        ]
        kind = "absolute"
    else:
        bands = [
            Field(
                f"quota.{q.rating}",
                ("ratings", "assignment", "quotas", i, "max_percent"),
                q.max_percent,
                _grade_name(policy, q.rating, lang),
                "%",
                high=100,
            )
            for i, q in enumerate(a.quotas)
        ]
        kind = "forced"
    level_names = {lv.code: text(lv.label, lang) for lad in policy.ladders for lv in lad.levels}
    coefficients: list[Field] = []
    bases: list[Field] = []
    bonus = policy.pay.bonus
    if bonus is not None:
        coefficients = [
            Field(f"coef.{r}", ("pay", "bonus", "coefficients", r), v, _grade_name(policy, r, lang))
            for r, v in bonus.coefficients.items()
        ]
        bases = [Field("base", ("pay", "bonus", "base"), bonus.base, _("Default"), money)]
        bases += [
            Field(
                f"base.{lv}",
                ("pay", "bonus", "base_by_level", lv),
                v,
                level_names.get(lv, lv),
                money,
            )
            for lv, v in bonus.base_by_level.items()
        ]
    allowances = []
    for ai, al in enumerate(policy.pay.allowances):
        lad = next((x for x in policy.ladders if x.code == al.ladder), None)
        allowances.append(
            (
                text(lad.label, lang) if lad else "",
                [
                    Field(
                        f"allowance.{al.ladder}.{lv}",
                        ("pay", "allowances", ai, "monthly", lv),
                        v,
                        level_names.get(lv, lv),
                        money,
                    )
                    for lv, v in al.monthly.items()
                ],
            )
        )
    return EditorForm(
        version="",
        cards=cards,
        bands=bands,
        bands_kind=kind,
        coefficients=coefficients,
        bases=bases,
        allowances=allowances,
        currency=money,
    )


def _number(raw: str) -> float | None:
    cleaned = raw.strip().replace(",", "").replace("，", "").rstrip("%").strip()
    for sign in ("¥", "$", "€", "£"):
        cleaned = cleaned.replace(sign, "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _total_text(total: float) -> str:
    return f"{round(total, 4):g}"


def bind(form: EditorForm, data: Any) -> dict[Path, float]:
    """Read the posted values into ``form``, check them (messages next to their fields) and
    return the stored values that change, by their YAML path."""
    changed: dict[Path, float] = {}
    form.version = str(data.get("version", "")).strip()
    for f in form.fields():
        raw = str(data.get(f.name, "")).strip()
        f.entered = raw
        if raw == "":
            f.error = _("Enter a number.")
            continue
        shown = _number(raw)
        if shown is None:
            f.error = _("Enter a number, such as 25 or 0.5.")
            continue
        if f.low is not None and shown < f.low:
            f.error = _("This value cannot be negative.")
            continue
        if f.high is not None and shown > f.high:
            f.error = _("This value cannot be above %(high)s.") % {"high": f"{f.high:g}"}
            continue
        stored = round(shown / f.scale, 6)
        if not math.isclose(stored, f.value, abs_tol=1e-9):
            changed[f.path] = stored
        f.value = stored
    for card in form.cards:
        if all(not d.weight.error for d in card.dimensions) and len(card.dimensions) > 1:
            total = math.fsum(d.weight.value for d in card.dimensions)
            if abs(total - 100) > 1e-6:
                card.error = _(
                    "The dimension weights add up to %(total)s%%; they must add up to 100%%."
                ) % {"total": _total_text(total)}
        for d in card.dimensions:
            if all(not it.weight.error for it in d.items):
                total = math.fsum(it.weight.value for it in d.items)
                if abs(total - 100) > 1e-6:
                    d.error = _(
                        "The item weights of %(dimension)s add up to %(total)s%%; they must add "
                        "up to 100%%."
                    ) % {"dimension": d.label, "total": _total_text(total)}
            for it in d.items:
                fl, tg = it.floor, it.target
                if fl is None or tg is None or fl.error or tg.error:
                    continue
                if math.isclose(fl.value, tg.value):
                    tg.error = _("The target must differ from the floor.")
                elif it.direction == "higher_better" and tg.value < fl.value:
                    tg.error = _("Higher is better here: the target must be above the floor.")
                elif it.direction == "lower_better" and tg.value > fl.value:
                    tg.error = _("Lower is better here: the target must be below the floor.")
    if form.bands_kind == "absolute" and not any(b.error for b in form.bands):
        for above, below in zip(form.bands, form.bands[1:], strict=False):
            if below.value >= above.value:
                below.error = _(
                    "Each rating needs a lower minimum score than the rating above it (%(above)s)."
                ) % {"above": f"{above.value:g}"}
        if form.bands and form.bands[-1].value != 0 and not form.bands[-1].error:
            form.bands[-1].error = _(
                "The lowest rating must start at 0 so that every score is rated."
            )
    elif form.bands_kind == "forced" and not any(b.error for b in form.bands):
        total = math.fsum(b.value for b in form.bands)
        if total > 100 + 1e-6:
            form.bands[-1].error = _(
                "The shares add up to %(total)s%%; they may not exceed 100%%."
            ) % {"total": _total_text(total)}
    if not form.version:
        form.version_error = _("Name the new version, for example 2026.3.")
    return changed


def _node(root: yaml.Node, path: Path) -> yaml.Node | None:
    node: yaml.Node | None = root
    for seg in path:
        if isinstance(node, yaml.MappingNode):
            node = next(
                (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == seg),
                None,
            )
        elif isinstance(node, yaml.SequenceNode) and isinstance(seg, int):
            node = node.value[seg] if seg < len(node.value) else None
        else:
            return None
    return node


def _yaml_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def rewrite(text_: str, changes: dict[Path, float], version: str) -> str:
    """``text_`` with each changed value and the version replaced where they are written."""
    # The pure-Python loader: its marks count characters, which the slicing below needs.
    root = yaml.compose(text_, Loader=yaml.SafeLoader)
    if root is None:
        raise ValueError("empty document")
    edits: list[tuple[int, int, str]] = []
    targets: list[tuple[Path, str]] = [(p, _yaml_number(v)) for p, v in changes.items()]
    targets.append((("version",), json.dumps(version, ensure_ascii=False)))
    for path, new in targets:
        node = _node(root, path)
        if not isinstance(node, yaml.ScalarNode):
            raise ValueError(f"no value at {path}")
        edits.append((node.start_mark.index, node.end_mark.index, new))
    out = text_
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return out
