"""The training effect's rows (``engine.analysis.training_effect``) in the reader's words: the
development report and the program dashboard show the same table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from callgrade.engine.kpis import REGISTRY
from callgrade.standards.text import kpi_label, value_text


@dataclass
class EffectRow:
    course: str
    kpi: str
    trained_n: int
    comparison_n: int
    excluded_n: int
    cohorts: str
    trained: str  # before → after
    comparison: str
    improvement: str
    improvement_value: float | None
    verdict: str
    sample: str
    small_sample: bool


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh"


def _fmt(value: float | None, unit: str) -> str:
    return value_text(value, unit, _lang()) if value is not None else "—"


def _signed(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    text = _fmt(abs(value), unit)
    return ("+" if value > 0 else "−" if value < 0 else "") + text


def effect_text_rows(
    rows: Iterable[Mapping[str, Any]], titles: Mapping[str, str], *, min_sample: int
) -> list[EffectRow]:
    """One row per course and KPI of the engine's table; ``titles``: course code → its name
    (a course without one is "a training", never its code)."""
    out = []
    for r in rows:
        unit = REGISTRY[r["kpi"]].unit if r["kpi"] in REGISTRY else ""
        better = r["improvement"]
        if better is None:
            verdict = _("no trainee with values before and after")
        elif better > 0:
            verdict = _("better than the comparison group")
        elif better < 0:
            verdict = _("worse than the comparison group")
        else:
            verdict = _("no difference")
        sample = (
            _("small sample (fewer than %(n)s people on a side): do not rely on it")
            if r["small_sample"]
            else _("enough people on both sides")
        ) % {"n": min_sample}
        out.append(EffectRow(
            course=titles.get(r["course"]) or _("a training"),
            kpi=kpi_label(r["kpi"], _lang()),
            trained_n=r["trained_n"], comparison_n=r["comparison_n"],
            excluded_n=r["excluded_n"], cohorts=r["cohorts"],
            trained=f"{_fmt(r['trained_before'], unit)} → {_fmt(r['trained_after'], unit)}",
            comparison=f"{_fmt(r['comparison_before'], unit)} → "
                       f"{_fmt(r['comparison_after'], unit)}",
            improvement=_signed(better, unit), improvement_value=better,
            verdict=verdict, sample=sample, small_sample=r["small_sample"],
        ))  # fmt: skip
    return out


def effect_header() -> list[str]:
    return [
        _("Course"), _("KPI"), _("Trainees"), _("Comparison colleagues"), _("Left out"),
        _("Months of training"), _("Trainees before → after"), _("Comparison before → after"),
        _("Improvement"), _("Reading"), _("Sample"),
    ]  # fmt: skip


def effect_table_rows(rows: list[EffectRow]) -> list[list[Any]]:
    return [
        [r.course, r.kpi, r.trained_n, r.comparison_n, r.excluded_n, r.cohorts, r.trained,
         r.comparison, r.improvement, r.verdict, r.sample]
        for r in rows
    ]  # fmt: skip
