"""Thresholds from data: each floor, target and rating band of a standard against the actual
distribution of its positions — the share of people who meet it today — and suggested values at
a chosen percentile.

For a scorecard item at percentile P (25 by default) the suggested **floor** is the value that
(100 − P) % of the people reach (the P-th percentile when higher is better, the (100 − P)-th when
lower is better) and the suggested **target** the value only P % reach. The minimum scores of the
absolute rating bands above the lowest are put at evenly spaced percentiles of the total scores,
from 100 − P for the best down to P (one band: the median). Percentiles interpolate linearly
between the sorted values (NumPy's default): the p-th percentile of n sorted values x is
x[k] + f·(x[k+1] − x[k]) with k + f = p/100 · (n − 1).

The distributions are read from one rating period: the KPI values of the employees of each
scorecard's positions (those with enough sample when the item asks for one) and their total
scores under the standard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from callgrade.engine.kpis import REGISTRY
from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import Absolute, Linear

DEFAULT_PERCENTILE = 25.0


@dataclass(frozen=True)
class Distributions:
    """What the suggestions are computed from: per scorecard item (``card.dimension.index``, the
    form editor's name for it) the sorted values, and the sorted total scores."""

    period: str
    items: dict[str, list[float]] = field(default_factory=dict)
    totals: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    field: str  # the form editor's field: floor.<item>, target.<item>, band.<rating>
    kind: str  # floor, target or band
    scorecard: str
    dimension: str
    kpi: str  # the item's KPI (blank for a band)
    rating: str  # the band's rating (blank for an item)
    unit: str
    current: float
    share_now: float | None  # of the people, who meet the current value
    suggested: float | None
    share_suggested: float | None
    percentile: float  # the percentile the suggestion sits at
    n: int


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0–100) of ``values``, interpolating linearly."""
    if not len(values):
        raise ValueError("no values")
    return float(np.percentile(np.asarray(values, dtype=float), p))


def share_meeting(values: Sequence[float], threshold: float, direction: str) -> float | None:
    """The share of ``values`` at or beyond ``threshold`` in the better direction."""
    if not len(values):
        return None
    v = np.asarray(values, dtype=float)
    met = v <= threshold if direction == "lower_better" else v >= threshold
    return float(met.mean())


def distributions(
    policy: Policy, kpis: pa.Table, roster: pa.Table, totals: pa.Table, period: str
) -> Distributions:
    """The values the suggestions read, from the KPI long table (``entity_id``, ``period``,
    ``kpi``, ``value``, ``sample_size``), the roster (``employee_id``, ``position``) and the
    scorecard totals (``employee_id``, ``period``, ``total``) of rating period ``period``."""
    positions = dict(
        zip(roster["employee_id"].to_pylist(), roster["position"].to_pylist(), strict=True)
    )
    rows = kpis.filter(pc.equal(kpis["period"], period)).select(
        ["entity_id", "kpi", "value", "sample_size"]
    )
    by_kpi: dict[str, list[tuple[str, float, int]]] = {}
    for r in rows.to_pylist():
        if r["value"] is not None and not np.isnan(r["value"]):
            by_kpi.setdefault(r["kpi"], []).append(
                (r["entity_id"], float(r["value"]), int(r["sample_size"] or 0))
            )
    items: dict[str, list[float]] = {}
    for card in policy.scorecards:
        members = {p.code for p in policy.positions if p.scorecard == card.code}
        for dim in card.dimensions:
            for i, m in enumerate(dim.items):
                if m.kpi is None:
                    continue
                least = m.min_sample or 0
                items[f"{card.code}.{dim.code}.{i}"] = sorted(
                    v
                    for emp, v, n in by_kpi.get(m.kpi, [])
                    if positions.get(emp) in members and n >= least
                )
    mine = totals.filter(pc.equal(totals["period"], period))
    scores = sorted(float(t) for t in mine["total"].to_pylist() if t is not None)
    return Distributions(period=period, items=items, totals=scores)


def _rounded(value: float, unit: str) -> float:
    return round(value, 4) if unit == "ratio" else round(value, 1)


def suggestions(
    policy: Policy, data: Distributions, percentile_: float = DEFAULT_PERCENTILE
) -> list[Suggestion]:
    """Every linear item's floor and target and every absolute band above the lowest, with the
    share meeting it today and the suggested value at ``percentile_`` (see the module)."""
    if not 0 < percentile_ < 50:
        raise ValueError("the percentile must lie between 0 and 50 (exclusive)")
    low, high = percentile_, 100 - percentile_
    out: list[Suggestion] = []
    for card in policy.scorecards:
        for dim in card.dimensions:
            for i, m in enumerate(dim.items):
                name = f"{card.code}.{dim.code}.{i}"
                if not isinstance(m.scoring, Linear) or m.floor is None or m.target is None:
                    continue
                if name not in data.items:
                    continue
                values = data.items[name]
                direction = m.direction or "higher_better"
                unit = REGISTRY[m.kpi].unit if m.kpi in REGISTRY else "score"
                lower = direction == "lower_better"
                at = {"floor": high if lower else low, "target": low if lower else high}
                found: dict[str, float | None] = {"floor": None, "target": None}
                if values:
                    found = {k: _rounded(percentile(values, p), unit) for k, p in at.items()}
                    if found["floor"] == found["target"]:  # no spread: nothing to suggest
                        found = {"floor": None, "target": None}
                for kind, current in (("floor", m.floor), ("target", m.target)):
                    suggested = found[kind]
                    out.append(
                        Suggestion(
                            field=f"{kind}.{name}",
                            kind=kind,
                            scorecard=card.code,
                            dimension=dim.code,
                            kpi=m.kpi or "",
                            rating="",
                            unit=unit,
                            current=current,
                            share_now=share_meeting(values, current, direction),
                            suggested=suggested,
                            share_suggested=None
                            if suggested is None
                            else share_meeting(values, suggested, direction),
                            percentile=at[kind],
                            n=len(values),
                        )
                    )
    assignment = policy.ratings.assignment
    if isinstance(assignment, Absolute):
        cuts = band_percentiles(len(assignment.bands) - 1, percentile_)
        scores = data.totals
        for band, at_p in zip(assignment.bands, cuts, strict=False):
            suggested = _rounded(percentile(scores, at_p), "score") if scores else None
            out.append(
                Suggestion(
                    field=f"band.{band.rating}",
                    kind="band",
                    scorecard="",
                    dimension="",
                    kpi="",
                    rating=band.rating,
                    unit="score",
                    current=band.min_score,
                    share_now=share_meeting(scores, band.min_score, "higher_better"),
                    suggested=suggested,
                    share_suggested=None
                    if suggested is None
                    else share_meeting(scores, suggested, "higher_better"),
                    percentile=at_p,
                    n=len(scores),
                )
            )
    return out


def band_percentiles(bands: int, percentile_: float) -> list[float]:
    """The percentiles of the ``bands`` minimum scores above the lowest band, best first:
    evenly spaced from 100 − P down to P (one band: the median)."""
    if bands <= 0:
        return []
    if bands == 1:
        return [50.0]
    high = 100 - percentile_
    step = (high - percentile_) / (bands - 1)
    return [round(high - k * step, 6) for k in range(bands)]


def suggestions_table(rows: Sequence[Suggestion]) -> pa.Table:
    """The suggestions as a table (the command line prints it)."""
    columns = [f for f in Suggestion.__dataclass_fields__]
    return pa.table({c: [getattr(r, c) for r in rows] for c in columns})
