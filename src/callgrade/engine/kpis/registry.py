"""What a KPI is: labels, unit, direction, levels, and per-row contributions.

Each KPI is a set of *parts*. A part names one prepared source table and gives, per row, the
amount it adds to the numerator and to the denominator and whether the row counts in the sample.
The engine sums every part of every KPI on a table in one aggregate pass; the value is derived
afterwards from the sums. The same row expressions drive drill-down (``kpi_records``), so the rows
shown behind a number are exactly the rows that were summed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import ibis.expr.types as ir

from callgrade.engine.kpis.options import KpiOptions

Unit = Literal["ratio", "seconds", "count", "score", "money", "per_1000"]
Direction = Literal["higher_better", "lower_better"]
Level = Literal["agent", "team", "queue", "center"]
LEVELS: tuple[Level, ...] = ("agent", "team", "queue", "center")
PEOPLE: tuple[Level, ...] = ("agent", "team", "center")

RowAmount = Callable[[ir.Table, KpiOptions], ir.FloatingValue]
RowFlag = Callable[[ir.Table, KpiOptions], ir.BooleanValue]


@dataclass(frozen=True)
class Part:
    """Per-row contributions of one source to a KPI. Without ``sample`` (on every part of the
    KPI), the denominator — the numerator for totals — must count rows (0 or 1 per row): it is
    then the sample size too. ``levels`` limits the part to some of the KPI's levels, for a KPI
    whose honest definition differs by level (an agent's answer rate counts the calls that rang
    at that agent; a queue's counts the calls offered to the queue)."""

    source: str  # prepared source: a canonical table name, or "fcr" (interactions + look-ahead)
    numerator: RowAmount | None = None
    denominator: RowAmount | None = None
    sample: RowFlag | None = None
    levels: tuple[Level, ...] | None = None  # None: every level of the KPI

    def applies(self, level: str) -> bool:
        return self.levels is None or level in self.levels


@dataclass(frozen=True)
class KpiDef:
    code: str
    label_en: str
    label_zh: str
    unit: Unit
    direction: Direction
    source: str  # the canonical table(s) it reads, for people
    levels: tuple[Level, ...]
    parts: tuple[Part, ...]
    # "rate": value = numerator / denominator × scale; "total": value = numerator, no denominator
    kind: Literal["rate", "total"] = "rate"
    scale: float = 1.0


REGISTRY: dict[str, KpiDef] = {}


def register(*defs: KpiDef) -> None:
    for d in defs:
        if d.code in REGISTRY:
            raise ValueError(f"KPI {d.code!r} is registered twice.")
        REGISTRY[d.code] = d
