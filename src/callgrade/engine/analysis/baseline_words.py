"""The current-state report's words, in both languages, in this one place: the findings'
sentences, the names of sources and tenure bands, and the report as workbook sheets. The command
line and the web pages both read them; names of positions, teams and KPIs and the writing of
values are the caller's (``name``, ``number``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from callgrade.engine.analysis.baseline import PERCENTILES, Finding
from callgrade.engine.kpis import REGISTRY

Name = Callable[[str, str], str]
Number = Callable[[float, str], str]


def _plain_name(kind: str, code: str) -> str:
    """KPIs by the registry's English name; positions and teams by their codes (no standard
    names them before one exists)."""
    if kind == "kpi" and code in REGISTRY:
        return REGISTRY[code].label_en
    return code


def _plain_number(value: float, unit: str) -> str:
    return f"{value:.4g}"


SOURCES = {
    "interactions": ("contacts", "通话/会话记录"),
    "surveys": ("customer surveys", "客户满意度调查"),
    "qa_evaluations": ("QA evaluations", "质检评分"),
    "attendance": ("attendance", "考勤"),
    "sales": ("sales", "销售记录"),
    "complaints": ("complaints", "投诉"),
}
TENURE = {
    "lt3m": ("under 3 months", "不满 3 个月"),
    "3to12m": ("3 to 12 months", "3–12 个月"),
    "1to3y": ("1 to 3 years", "1–3 年"),
    "3yplus": ("3 years or more", "3 年及以上"),
    "unknown": ("hire date not recorded", "未记录入职日期"),
}
SENTENCES = {
    "months_missing": (
        "{source}: no record at all in {months} — the data for those months is missing.",
        "{source}：{months} 没有任何记录，这些月份的数据缺失。",
    ),
    "source_empty": (
        "{source}: nothing is loaded for the period; KPIs that read it cannot be judged.",
        "{source}：本期没有加载任何数据，依赖它的指标无法评估。",
    ),
    "staff_without": (
        "{n} of {staff} staff have no {source} in the period.",
        "{staff} 名员工中有 {n} 名本期没有{source}。",
    ),
    "thin": (
        "{position}: at most {n} people have a value of any KPI — too few for percentiles to"
        " set a threshold on.",
        "{position}：任一指标有数值的人数最多 {n} 人，人数太少，不宜按分位数设定标准。",
    ),
    "unstable": (
        "{kpi} for {position} barely carries over from one month to the next (correlation "
        "{r}): a one-month threshold on it would grade chance more than the person.",
        "{position}的{kpi}月度之间相关性很低（相关系数 {r}），"
        "按单月设定标准更多反映偶然波动而非个人表现。",
    ),
    "teams_apart": (
        "{kpi} for {position} differs widely between teams: median {low} in {low_team}, "
        "{high} in {high_team} — team practice matters as much as the person.",
        "{position}的{kpi}在班组之间差异很大：{low_team} 中位数 {low}，{high_team} 中位数 "
        "{high}，班组做法的影响不亚于个人。",
    ),
    "many_new": (
        "{n} staff ({share}) have less than three months' tenure: a standard should allow "
        "for people still learning.",
        "{n} 名员工（{share}）入职不满三个月，标准应考虑仍在学习期的员工。",
    ),
    "nothing_stands_out": (
        "Nothing stands out: the data covers the period and the KPIs are steady.",
        "未发现突出问题：数据覆盖完整，指标稳定。",
    ),
}


def _side(lang: str) -> int:
    return 1 if lang.startswith("zh") else 0


def source_name(code: str, lang: str) -> str:
    words = SOURCES.get(code)
    return words[_side(lang)] if words else code


def tenure_name(code: str, lang: str) -> str:
    return TENURE.get(code, (code, code))[_side(lang)]


def finding_text(
    f: Finding | Mapping[str, Any],
    lang: str,
    *,
    name: Name = _plain_name,
    number: Number = _plain_number,
) -> str:
    """One finding as a sentence in ``lang``. ``name(kind, code)`` names positions, teams and
    KPIs (kind ``position``, ``team`` or ``kpi``); ``number(value, unit)`` writes a KPI value."""
    code, p = (f.code, f.params) if isinstance(f, Finding) else (f["code"], f["params"])
    side = _side(lang)
    values: dict[str, Any] = dict(p)
    if "source" in p:
        values["source"] = source_name(p["source"], lang)
    if "months" in p:
        values["months"] = ("、" if side else ", ").join(p["months"])
    for kind in ("position", "kpi"):
        if kind in p:
            values[kind] = name(kind, p[kind])
    for key in ("low_team", "high_team"):
        if key in p:
            values[key] = name("team", p[key])
    for key in ("low", "high"):
        if key in p:
            values[key] = number(p[key], p.get("unit", ""))
    if "r" in p:
        values["r"] = f"{p['r']:.2f}"
    if "share" in p:
        values["share"] = f"{p['share'] * 100:.0f}%"
    return SENTENCES[code][side].format(**values)


HEADERS = {
    "findings": ("Findings", "主要发现"),
    "finding": ("Finding", "发现"),
    "staffing": ("Staffing", "人员配置"),
    "by": ("By", "维度"),
    "position": ("Position", "岗位"),
    "team": ("Team", "班组"),
    "tenure": ("Tenure", "司龄"),
    "group": ("Group", "分组"),
    "people": ("People", "人数"),
    "share": ("Share", "占比"),
    "indicators": ("Indicators", "指标分布"),
    "indicator": ("Indicator", "指标"),
    "mean": ("Mean", "平均值"),
    "teams": ("Teams compared", "参与比较的班组数"),
    "spread": ("Spread between teams", "班组间差距"),
    "stability": ("Month-to-month stability", "月度稳定性"),
    "median": ("Median {month}", "{month} 中位数"),
    "coverage": ("Coverage", "数据覆盖"),
    "source": ("Source", "数据来源"),
    "staff": ("Staff", "员工数"),
    "without": ("Without any record", "无任何记录"),
    "first": ("First of them", "其中前几位"),
    "missing": ("Months without any record", "无任何记录的月份"),
}


def word(key: str, lang: str, **values: str) -> str:
    return HEADERS[key][_side(lang)].format(**values)


def report_sheets(
    r: Mapping[str, Any], lang: str, *, name: Name = _plain_name, number: Number = _plain_number
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """A report (``Baseline.to_dict()``) as workbook sheets (title, header, rows): findings,
    staffing, KPI distributions, coverage. Numbers stay numbers; words are in ``lang``."""

    def w(key: str, **values: str) -> str:
        return word(key, lang, **values)

    findings = [[finding_text(f, lang, name=name, number=number)] for f in r["findings"]]
    staffing = [
        [
            w(s["dimension"]),
            tenure_name(s["group"], lang)
            if s["dimension"] == "tenure"
            else name(s["dimension"], s["group"]),
            s["n"],
            round(s["share"], 4),
        ]
        for s in r["staffing"]
    ]
    kpi_header = [
        w("position"), w("indicator"), w("people"), w("mean"),
        *[f"P{p}" for p in PERCENTILES], w("teams"), w("spread"), w("stability"),
        *[w("median", month=m) for m in r["months"]],
    ]  # fmt: skip
    kpi_rows = [
        [
            name("position", k["position"]),
            name("kpi", k["kpi"]),
            k["n"],
            k["mean"],
            *[k["percentiles"][f"p{p}"] for p in PERCENTILES],
            len(k["team_medians"]),
            k["team_spread"],
            k["stability"],
            *[k["monthly_medians"].get(m) for m in r["months"]],
        ]
        for k in r["kpis"]
    ]
    coverage = [
        [
            source_name(c["source"], lang),
            c["staff"],
            c["without"],
            ", ".join(c["without_ids"]),
            ", ".join(c["months_missing"]),
        ]
        for c in r["coverage"]
    ]
    return [
        (w("findings"), [w("finding")], findings),
        (w("staffing"), [w("by"), w("group"), w("people"), w("share")], staffing),
        (w("indicators"), kpi_header, kpi_rows),
        (
            w("coverage"),
            [w("source"), w("staff"), w("without"), w("first"), w("missing")],
            coverage,
        ),
    ]
