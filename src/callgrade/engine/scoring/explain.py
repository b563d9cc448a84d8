"""One sentence per result row: a template code plus parameters, rendered in English or Chinese.

The parameters of an item sentence are the row's own columns (value, points, weight …), so a
front end can render the code in any language; :func:`render` does English and Chinese.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

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
    """Display parameters of an item row (the columns of the items table)."""
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


PARAM_COLUMNS = (
    "template", "item", "unit", "value", "raw_value", "numerator", "denominator", "points",
    "floor", "target", "weight", "contribution", "band", "peers", "worst", "best",
    "sample_size", "min_sample", "peer_mean", "shrink_k",
)  # fmt: skip


def item_sentences(items: pd.DataFrame, lang: str = "en") -> list[str]:
    """One rendered sentence per row of an items frame."""
    columns = [items[c].tolist() for c in PARAM_COLUMNS]
    return [
        render(row[0], item_params(dict(zip(PARAM_COLUMNS, row, strict=True))), lang)
        for row in zip(*columns, strict=True)
    ]
