"""Which values a numeric canonical field can hold, and how to say it.

Some canonical fields have a fixed meaning (see the field docs in :mod:`callgrade.engine.schemas`):
a duration is never negative, a satisfaction score is on a 1–5 scale, a QA score is 0–100. Those
bounds are built in, so a score of 7 or a negative speed of answer is rejected with its reason
instead of being counted. A mapping's ``min``/``max`` narrow a built-in range (or set one where
there is none); they cannot widen it, since KPIs read the field with its canonical meaning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from callgrade.engine.connectors.reasons import reason as say

# (table, field) -> (lowest, highest); None is open. Fields ending in ``_s`` (seconds) are
# durations everywhere and get (0, None) without being listed.
BUILT_IN: dict[tuple[str, str], tuple[float | None, float | None]] = {
    ("surveys", "csat"): (1.0, 5.0),
    ("surveys", "nps"): (0.0, 10.0),
    ("qa_evaluations", "score"): (0.0, 100.0),
    ("competency_assessments", "score"): (0.0, 100.0),
    ("trainings", "exam_score"): (0.0, 100.0),
    ("attendance", "minutes"): (0.0, None),
}


def built_in(table: str, field: str) -> tuple[float | None, float | None]:
    """The canonical bounds of a field, ``(None, None)`` when its values are not bounded."""
    if (table, field) in BUILT_IN:
        return BUILT_IN[(table, field)]
    if field.endswith("_s"):
        return (0.0, None)
    return (None, None)


@dataclass(frozen=True)
class Bounds:
    """The range one field's values are checked against, and where it comes from."""

    low: float | None
    high: float | None
    from_mapping: bool  # the mapping set or narrowed it (reasons then point at its line)

    @property
    def open(self) -> bool:
        return self.low is None and self.high is None

    def words(self) -> str:
        return range_words(self.low, self.high)


def bounds(table: str, field: str, minimum: float | None, maximum: float | None) -> Bounds:
    """The built-in range of ``field`` narrowed by a mapping's ``min``/``max`` (already checked
    to lie inside it)."""
    low, high = built_in(table, field)
    return Bounds(
        low=minimum if minimum is not None else low,
        high=maximum if maximum is not None else high,
        from_mapping=minimum is not None or maximum is not None,
    )


def number_text(v: float) -> str:
    return str(int(v)) if math.isfinite(v) and v.is_integer() else repr(v)


def range_words(low: float | None, high: float | None) -> str:
    """``a value from 1 to 5``, ``a value of at least 0``, ``a value of at most 10``."""
    if low is not None and high is not None:
        return say("mp_range", low=number_text(low), high=number_text(high))
    if low is not None:
        return say("mp_at_least", low=number_text(low))
    if high is not None:
        return say("mp_at_most", high=number_text(high))
    return say("mp_any")
