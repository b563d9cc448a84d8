"""One sentence per result row: a template code plus parameters, rendered in English or Chinese.

The parameters of an item sentence are the row's own columns (value, points, weight …), so a
front end can render the code in any language; :func:`render` does English and Chinese.
"""

from __future__ import annotations

import math
import string
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.kpis.registry import REGISTRY
from callgrade.engine.scoring import vformat as vf

# What a KPI's sample counts, so a sentence can say "912/1,000 calls" instead of "samples".
SAMPLE_NOUNS = {
    "answer_rate": "calls",
    "abandon_rate": "calls",
    "service_level": "calls",
    "aht": "calls",
    "asa": "calls",
    "csat": "responses",
    "csat_mean": "responses",
    "nps": "responses",
    "fcr_survey": "responses",
    "fcr_repeat": "contacts",
    "qa_score": "evaluations",
    "sales_conversion": "calls",
    "sales_revenue": "sales",
    "adherence": "scheduled seconds",
    "occupancy": "logged-in seconds",
}

TEMPLATES_EN = {
    "linear": "{label} {value}{basis} scored {points} linearly between floor {floor} and target "
    "{target}; weight {weight} → {contribution} points",
    "bands": "{label} {value}{basis} scored {points} in the band from {band}; "
    "weight {weight} → {contribution} points",
    "bands_otherwise": "{label} {value}{basis} reached no band and scored {points}; "
    "weight {weight} → {contribution} points",
    "percentile": "{label} {value}{basis} ranks at percentile {points} among {peers} peers; "
    "weight {weight} → {contribution} points",
    "minmax": "{label} {value}{basis} scored {points} between the peer group's worst {worst} and "
    "best {best}; weight {weight} → {contribution} points",
    "excluded_sample": "{label}: only {sample_size} {noun} (< {min_sample} required): excluded, "
    "other weights renormalized",
    "excluded_missing": "{label}: no value this period: excluded, other weights renormalized",
    "shrunk": "{label} {raw_value} on only {sample_size} {noun} (< {min_sample}) shrunk toward the "
    "peer mean {peer_mean} with k = {shrink_k} to {value}, scored {points}; "
    "weight {weight} → {contribution} points",
}

TEMPLATES_ZH = {
    "linear": "{label} {value}{basis}，在下限 {floor} 与目标 {target} 之间线性计分 {points}；"
    "权重 {weight} → {contribution} 分",
    "bands": "{label} {value}{basis}，落在 {band} 档，得 {points}；"
    "权重 {weight} → {contribution} 分",
    "bands_otherwise": "{label} {value}{basis}，未达任何档位，得 {points}；"
    "权重 {weight} → {contribution} 分",
    "percentile": "{label} {value}{basis}，在 {peers} 名同组人员中百分位 {points}；"
    "权重 {weight} → {contribution} 分",
    "minmax": "{label} {value}{basis}，在同组最差 {worst} 与最佳 {best} 之间得 {points}；"
    "权重 {weight} → {contribution} 分",
    "excluded_sample": "{label}：样本仅 {sample_size}（< {min_sample}），不计入，其余权重重新归一",
    "excluded_missing": "{label}：本期无数据，不计入，其余权重重新归一",
    "shrunk": "{label} {raw_value} 样本仅 {sample_size}（< {min_sample}），按 k = {shrink_k} "
    "向同组均值 {peer_mean} 收缩为 {value}，得 {points}；权重 {weight} → {contribution} 分",
}

LABELS = {
    "answer_rate": "Answer rate",
    "abandon_rate": "Abandon rate",
    "service_level": "Service level",
    "aht": "AHT",
    "asa": "ASA",
    "csat": "CSAT",
    "csat_mean": "CSAT mean",
    "nps": "NPS",
    "fcr_repeat": "First-contact resolution",
    "fcr_survey": "First-contact resolution (survey)",
    "qa_score": "QA score",
    "sales_conversion": "Sales conversion",
    "sales_revenue": "Sales revenue",
    "adherence": "Adherence",
    "occupancy": "Occupancy",
    "tenure_years": "Tenure",
}


# The Chinese page names what a sample counts in Chinese too.
LABELS_ZH = {"tenure_years": "司龄"}
NOUNS_ZH = {
    "calls": "通电话",
    "responses": "份回复",
    "evaluations": "次质检",
    "contacts": "次接触",
    "sales": "笔销售",
    "scheduled seconds": "排班秒",
    "logged-in seconds": "登录秒",
    "samples": "个样本",
}


def fmt_value(value: float | None, unit: str) -> str:
    """A KPI value in its unit: ratios as percents, seconds as seconds, money with separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "seconds":
        return f"{value:.0f} s"
    if unit == "money":
        return f"{value:,.0f}"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "years":
        return f"{value:.2f} years"
    return f"{value:.1f}"


def fmt_number(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


def item_params(row: Mapping[str, Any]) -> dict[str, str]:
    """Display parameters of an item row (the columns of the items table; nulls allowed)."""
    row = {k: math.nan if v is None else v for k, v in row.items()}
    unit = row["unit"]
    num, den = row.get("numerator"), row.get("denominator")
    noun = SAMPLE_NOUNS.get(row["item"], "samples")
    has_basis = num is not None and den is not None and not (math.isnan(num) or math.isnan(den))
    basis = f" ({fmt_number(num)}/{fmt_number(den)} {noun})" if has_basis and den else ""
    return {
        "label": LABELS.get(row["item"], row["item"].replace("_", " ").capitalize()),
        "value": fmt_value(row["value"], unit),
        "raw_value": fmt_value(row["raw_value"], unit),
        "basis": basis,
        "noun": noun,
        "points": f"{row['points']:.1f}" if row["points"] == row["points"] else "n/a",
        "floor": fmt_value(row["floor"], unit),
        "target": fmt_value(row["target"], unit),
        "weight": f"{row['weight']:.1f}%" if row["weight"] == row["weight"] else "0%",
        "contribution": f"{row['contribution']:.1f}"
        if row["contribution"] == row["contribution"]
        else "0",
        "band": fmt_value(row["band"], unit),
        "peers": f"{row['peers']:.0f}" if row["peers"] == row["peers"] else "0",
        "worst": fmt_value(row["worst"], unit),
        "best": fmt_value(row["best"], unit),
        "sample_size": f"{row['sample_size']:,}",
        "min_sample": f"{row['min_sample']:.0f}" if row["min_sample"] == row["min_sample"] else "",
        "peer_mean": fmt_value(row["peer_mean"], unit),
        "shrink_k": fmt_number(row["shrink_k"]),
    }


def render(template: str, params: Mapping[str, str], lang: str = "en") -> str:
    """Render a template code with its display parameters (``lang`` = ``en`` or ``zh``)."""
    table = TEMPLATES_ZH if lang == "zh" else TEMPLATES_EN
    return table[template].format(**params)


def _label(item: str, lang: str) -> str:
    if lang == "zh":
        d = REGISTRY.get(item)
        if d is not None:
            return d.label_zh
        if item in LABELS_ZH:
            return LABELS_ZH[item]
    return LABELS.get(item, item.replace("_", " ").capitalize())


def _noun(item: str, lang: str) -> str:
    noun = SAMPLE_NOUNS.get(item, "samples")
    return NOUNS_ZH.get(noun, noun) if lang == "zh" else noun


def _vvalue(x: np.ndarray, unit: str, lang: str = "en") -> pa.Array:
    """:func:`fmt_value` over a column ("n/a" for NaN)."""
    if unit == "ratio":
        with np.errstate(invalid="ignore"):
            text = pc.binary_join_element_wise(vf.fixed(x * 100, 1), "%", "")
    elif unit == "seconds":
        text = pc.binary_join_element_wise(vf.fixed(x, 0), " s", "")
    elif unit in ("money", "count"):
        text = vf.fixed(x, 0, grouping=True)
    elif unit == "years":
        text = pc.binary_join_element_wise(vf.fixed(x, 2), " 年" if lang == "zh" else " years", "")
    else:
        text = vf.fixed(x, 1)
    return pc.fill_null(text, "n/a")


def _vnumber(x: np.ndarray) -> pa.Array:
    """:func:`fmt_number` over a column ("n/a" for NaN)."""
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(x) & (x == np.floor(x))
    if whole.all():  # counts: the two-decimal form is never shown
        text = vf.fixed(x, 0, grouping=True)
    elif not whole.any():
        text = pc.utf8_rtrim(vf.fixed(x, 2, grouping=True), characters="0")
    else:
        text = pc.if_else(
            pa.array(whole),
            vf.fixed(x, 0, grouping=True),
            pc.utf8_rtrim(vf.fixed(x, 2, grouping=True), characters="0"),
        )
    return pc.fill_null(text, "n/a")


# the columns each display parameter is formatted from
_SOURCES = {"basis": ("numerator", "denominator"), "label": (), "noun": ()}


def _same(x: np.ndarray) -> bool:
    """Whether every element of ``x`` is the very same value, bit for bit (so -0.0 and 0.0 differ,
    and they are formatted differently)."""
    if x.dtype.kind == "f":
        bits = x.view(np.int64)
        return bool((bits == bits[0]).all())
    if x.dtype.kind in "iub":
        return bool((x == x[0]).all())
    return False


def _vcolumn(
    columns: Mapping[str, np.ndarray],
    field: str,
    item: str,
    unit: str,
    lang: str,
    labels: Mapping[str, str] | None = None,
) -> pa.Array | pa.Scalar:
    """One display parameter for every row of a group of rows sharing template, item and unit
    (``columns``: the group's rows): an Arrow string array, or one scalar when the figures it
    shows are the same on every row (a floor, a target, a weight: formatted once). ``labels``:
    names of items the caller knows better (a standard's competencies)."""
    if field == "label":
        return pa.scalar((labels or {}).get(item) or _label(item, lang))
    if field == "noun":
        return pa.scalar(_noun(item, lang))
    sources = _SOURCES.get(field, (field,))
    if len(columns[sources[0]]) > 1 and all(_same(columns[c]) for c in sources):
        first = {c: columns[c][:1] for c in sources}
        return _vcolumn(first, field, item, unit, lang, labels)[0]
    if field in ("value", "raw_value", "floor", "target", "band", "worst", "best", "peer_mean"):
        return _vvalue(_floats(columns, field), unit, lang)
    if field == "points":
        return pc.fill_null(vf.fixed(_floats(columns, field), 1), "n/a")
    if field == "weight":
        text = pc.binary_join_element_wise(vf.fixed(_floats(columns, field), 1), "%", "")
        return pc.fill_null(text, "0%")
    if field == "contribution":
        return pc.fill_null(vf.fixed(_floats(columns, field), 1), "0")
    if field in ("peers", "min_sample"):
        return pc.fill_null(vf.fixed(_floats(columns, field), 0), "")
    if field == "sample_size":
        col = columns[field]
        if col.dtype.kind in "iu":
            return vf.grouped_int(col)
        return pa.array([f"{x:,}" for x in col.tolist()], pa.string())
    if field == "shrink_k":
        return _vnumber(_floats(columns, field))
    if field == "basis":
        num, den = _floats(columns, "numerator"), _floats(columns, "denominator")
        shown = ~(np.isnan(num) | np.isnan(den)) & (den != 0)
        if not shown.any():
            return pa.array([""] * len(num), pa.string())
        text = pc.binary_join_element_wise(
            " (", _vnumber(num), "/", _vnumber(den), f" {_noun(item, lang)})", ""
        )
        return text if shown.all() else pc.if_else(pa.array(shown), text, "")
    raise KeyError(field)


def _floats(columns: Mapping[str, np.ndarray], field: str) -> np.ndarray:
    return np.asarray(columns[field], dtype=float)


def _pieces(template: str) -> list[tuple[str, str | None]]:
    """(literal text, field name or None) pieces of a template."""
    return [(text, name) for text, name, _, _ in string.Formatter().parse(template)]


def _groups(keys: list[np.ndarray]) -> list[np.ndarray]:
    """Row numbers of each distinct combination of ``keys`` (rows with a null key in none)."""
    code = np.zeros(len(keys[0]), dtype=np.int64)
    valid = np.ones(len(keys[0]), dtype=bool)
    for k in keys:
        codes, uniques = pd.factorize(k)
        valid &= codes >= 0
        code = code * (len(uniques) + 1) + codes
    rows = np.flatnonzero(valid)
    order = rows[np.argsort(code[rows], kind="stable")]
    cuts = np.flatnonzero(np.diff(code[order])) + 1
    return np.split(order, cuts) if len(order) else []


def item_sentences_arrow(
    items: pd.DataFrame | Mapping[str, np.ndarray],
    lang: str = "en",
    group_by: tuple[str, ...] = ("template", "item", "unit"),
    labels: Mapping[str, str] | None = None,
) -> pa.Array:
    """One rendered sentence per row of an items frame (or of a mapping of equally long columns),
    as an Arrow string array. Each group of rows sharing template, item and unit is rendered
    column by column: numbers are formatted as whole columns and the pieces joined in Arrow.

    ``group_by`` may name cheaper columns that split the rows at least as finely (scoring passes
    the scorecard item's number and the template)."""
    table = TEMPLATES_ZH if lang == "zh" else TEMPLATES_EN
    n = len(items) if isinstance(items, pd.DataFrame) else len(items["template"])
    if not n:
        return pa.array([], pa.string())
    columns = {str(c): np.asarray(items[c]) for c in items}
    chunks: list[pa.Array] = []
    where: list[np.ndarray] = []
    for idx in _groups([columns[k] for k in group_by]):
        template, item, unit = (str(columns[k][idx[0]]) for k in ("template", "item", "unit"))
        pieces = _pieces(table[template])
        part = {
            c: columns[c][idx]
            for _, name in pieces
            if name is not None
            for c in _SOURCES.get(name, (name,))
        }
        args: list[pa.Array | pa.Scalar | str] = []
        for text, name in pieces:
            if text:
                args.append(text)
            if name is not None:
                args.append(_vcolumn(part, name, item, unit, lang, labels))
        if any(isinstance(a, pa.Array | pa.ChunkedArray) for a in args):
            joined = pc.binary_join_element_wise(*args, "")
        else:
            one = "".join(a.as_py() if isinstance(a, pa.Scalar) else str(a) for a in args)
            joined = pa.array([one] * len(idx), pa.string())
        chunks.append(joined)
        where.append(idx)
    if not chunks:
        return pa.nulls(n, pa.string())
    rendered = pa.concat_arrays(chunks)
    # rows of no group (a null key) stay null
    at = np.full(n, -1, dtype=np.int64)
    at[np.concatenate(where)] = np.arange(len(rendered))
    return rendered.take(pa.array(at, mask=at < 0))


def item_sentences(
    items: pd.DataFrame, lang: str = "en", labels: Mapping[str, str] | None = None
) -> list[str]:
    """One rendered sentence per row of an items frame (see :func:`item_sentences_arrow`);
    ``labels`` names items the engine knows only by code (a standard's competencies)."""
    return item_sentences_arrow(items, lang, labels=labels).to_pylist()
