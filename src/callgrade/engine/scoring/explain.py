"""One sentence per result row: a template code plus parameters, rendered in English or Chinese.

The parameters of an item sentence are the row's own columns (value, points, weight …), so a
front end can render the code in any language; :func:`render` does English and Chinese.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from callgrade.engine.kpis.registry import REGISTRY

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


def _nan(x: float) -> bool:
    return x != x


def _value_formatter(unit: str) -> Callable[[float], str]:
    spec = {"ratio": None, "seconds": "{:.0f} s", "money": "{:,.0f}", "count": "{:,.0f}",
            "years": "{:.2f} years"}.get(unit, "{:.1f}")  # fmt: skip
    if spec is None:
        return lambda x: "n/a" if x != x else f"{x * 100:.1f}%"
    return lambda x: "n/a" if x != x else spec.format(x)


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


def _column(part: pd.DataFrame, field: str, item: str, unit: str, lang: str = "en") -> list[str]:
    """One display parameter for every row of a group of rows sharing template and item."""
    if field == "label":
        return [_label(item, lang)] * len(part)
    if field == "noun":
        return [_noun(item, lang)] * len(part)
    col = part[field].to_numpy() if field in part else None
    if field in ("value", "raw_value", "floor", "target", "band", "worst", "best", "peer_mean"):
        f = _value_formatter(unit)
        return [f(x) for x in col.tolist()]  # type: ignore[union-attr]
    if field == "points":
        return ["n/a" if _nan(x) else f"{x:.1f}" for x in col.tolist()]  # type: ignore[union-attr]
    if field == "weight":
        return ["0%" if _nan(x) else f"{x:.1f}%" for x in col.tolist()]  # type: ignore[union-attr]
    if field == "contribution":
        return ["0" if _nan(x) else f"{x:.1f}" for x in col.tolist()]  # type: ignore[union-attr]
    if field in ("peers", "min_sample"):
        return ["" if _nan(x) else f"{x:.0f}" for x in col.tolist()]  # type: ignore[union-attr]
    if field == "sample_size":
        return [f"{x:,}" for x in col.tolist()]  # type: ignore[union-attr]
    if field == "shrink_k":
        return [fmt_number(x) for x in col.tolist()]  # type: ignore[union-attr]
    if field == "basis":
        noun = _noun(item, lang)
        num = part["numerator"].tolist()
        den = part["denominator"].tolist()
        return [
            f" ({fmt_number(a)}/{fmt_number(b)} {noun})" if not (_nan(a) or _nan(b)) and b else ""
            for a, b in zip(num, den, strict=True)
        ]
    raise KeyError(field)


def _positional(template: str) -> tuple[str, list[str]]:
    fields: list[str] = []
    out = []
    for text, name, _, _ in string.Formatter().parse(template):
        out.append(text.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            out.append("{" + str(len(fields)) + "}")
            fields.append(name)
    return "".join(out), fields


def item_sentences(items: pd.DataFrame, lang: str = "en") -> list[str]:
    """One rendered sentence per row of an items frame, formatted group by group (template ×
    item) so that constant parameters are formatted once."""
    table = TEMPLATES_ZH if lang == "zh" else TEMPLATES_EN
    out = np.empty(len(items), dtype=object)
    pos = np.arange(len(items))
    for (template, item, unit), idx in items.groupby(
        ["template", "item", "unit"], sort=True
    ).indices.items():
        part = items.iloc[idx]
        pattern, fields = _positional(table[template])
        cols = [_column(part, f, item, unit, lang) for f in fields]
        out[pos[idx]] = [pattern.format(*row) for row in zip(*cols, strict=True)]
    return out.tolist()
