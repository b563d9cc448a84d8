"""The current-state report (现状调研): what the loaded data says before any standard exists.

Over explicit inputs — the staff (position, team, hire date), the KPI long table of the period
and of each of its months, and which agents have records of each source in each month — it
answers four questions, every figure with the count behind it:

1. **Staffing**: headcount by position, team and tenure band on the report's day.
2. **KPI distributions per position**: percentiles (10, 25, 50, 75, 90; linear interpolation,
   NumPy's default) of the agents' values over the whole period; the spread between the
   medians of teams with at least ``MIN_TEAM`` agents; and month-to-month stability, the mean
   Pearson correlation of the agents' values between consecutive months (agents present in
   both, at least ``MIN_PAIRS`` of them). A KPI whose values barely carry over from one month to
   the next measures chance more than the person, and a threshold on it grades noise.
3. **Coverage and gaps**: per source, the staff without any record in the period and the months
   with no record at all.
4. **Findings**: short structured facts (a code and its numbers), put into sentences by
   :func:`finding_text` in Chinese or English.

Only agents with a value and a sample of at least one count in a KPI's distribution.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence, Set
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

PERCENTILES = (10, 25, 50, 75, 90)
MIN_TEAM = 3  # agents a team needs for its median to enter the spread between teams
MIN_PAIRS = 3  # agents two months need in common for their correlation to count
MIN_POSITION = 5  # fewer agents than this: percentiles are too thin to set a threshold on
UNSTABLE = 0.3  # mean month-to-month correlation below this: values barely carry over
WIDE_TEAMS = 0.5  # team-median spread above this share of the position's spread (p90 − p10)
MOST = 5  # findings of one kind at most (the strongest)
NEW_STAFF = 0.2  # share of staff under three months' tenure worth saying
# The sources whose absence for an agent is worth saying (issue: "agents without surveys or QA").
EXPECTED = ("interactions", "surveys", "qa_evaluations")
# Tenure bands, in months: [from, to).
TENURE_BANDS = (("lt3m", 0, 3), ("3to12m", 3, 12), ("1to3y", 12, 36), ("3yplus", 36, 10**6))


@dataclass(frozen=True)
class Staff:
    employee_id: str
    position: str
    team: str = ""
    hire_date: dt.date | None = None


@dataclass(frozen=True)
class StaffRow:
    dimension: str  # position, team or tenure
    group: str  # the position or team code, or the tenure band's code
    n: int
    share: float


@dataclass(frozen=True)
class KpiSpread:
    position: str
    kpi: str
    unit: str
    n: int
    mean: float | None
    percentiles: dict[str, float | None]  # "p10" … "p90"
    team_medians: dict[str, float]  # teams with at least MIN_TEAM agents
    team_spread: float | None  # highest team median − lowest
    stability: float | None  # mean correlation between consecutive months
    month_pairs: int  # the pairs of months behind it
    monthly_medians: dict[str, float | None]


@dataclass(frozen=True)
class Coverage:
    source: str
    staff: int
    without: int  # staff with no record of the source in the period
    without_ids: list[str]  # the first few, for people to look up
    months_missing: list[str]


@dataclass(frozen=True)
class Finding:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Baseline:
    period: str
    months: list[str]
    as_of: str
    headcount: int
    staffing: list[StaffRow]
    kpis: list[KpiSpread]
    coverage: list[Coverage]
    findings: list[Finding]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def tenure_band(hire: dt.date | None, as_of: dt.date) -> str:
    if hire is None:
        return "unknown"
    months = (as_of.year - hire.year) * 12 + as_of.month - hire.month - (as_of.day < hire.day)
    for code, lo, hi in TENURE_BANDS:
        if lo <= months < hi:
            return code
    return "lt3m"  # hired after the report's day


def staffing(staff: Sequence[Staff], as_of: dt.date) -> list[StaffRow]:
    total = len(staff) or 1
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for s in staff:
        counts[("position", s.position)] += 1
        counts[("team", s.team)] += 1
        counts[("tenure", tenure_band(s.hire_date, as_of))] += 1
    order = {"position": 0, "team": 1, "tenure": 2}
    bands = [b[0] for b in TENURE_BANDS] + ["unknown"]

    def key(item: tuple[tuple[str, str], int]) -> tuple[int, int, str]:
        (dim, group), _n = item
        return (order[dim], bands.index(group) if dim == "tenure" else 0, group)

    return [
        StaffRow(dim, group, n, n / total) for (dim, group), n in sorted(counts.items(), key=key)
    ]


def _values(kpis: pa.Table, period: str) -> dict[str, dict[str, tuple[float, str]]]:
    """kpi → agent → (value, unit) for one period label: rows with a value and a sample."""
    out: dict[str, dict[str, tuple[float, str]]] = defaultdict(dict)
    cols = kpis.select(["period", "entity_id", "kpi", "value", "sample_size", "unit"]).to_pydict()
    for p, agent, kpi, value, n, unit in zip(
        cols["period"], cols["entity_id"], cols["kpi"], cols["value"], cols["sample_size"],
        cols["unit"], strict=True,
    ):  # fmt: skip
        if p == period and value is not None and n and not np.isnan(value):
            out[kpi][agent] = (float(value), unit)
    return out


def _median(values: Sequence[float]) -> float | None:
    return float(np.median(values)) if len(values) else None


def _correlation(a: Mapping[str, float], b: Mapping[str, float]) -> float | None:
    common = sorted(set(a) & set(b))
    if len(common) < MIN_PAIRS:
        return None
    x = np.array([a[k] for k in common])
    y = np.array([b[k] for k in common])
    if x.std() == 0 or y.std() == 0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def kpi_spreads(
    staff: Sequence[Staff], kpis: pa.Table, period: str, months: Sequence[str]
) -> list[KpiSpread]:
    """Each KPI's distribution per position over ``period`` and its months."""
    who = {s.employee_id: s for s in staff}
    whole = _values(kpis, period)
    monthly = {m: _values(kpis, m) for m in months}
    out: list[KpiSpread] = []
    for kpi in sorted(whole):
        by_position: dict[str, dict[str, float]] = defaultdict(dict)
        unit = ""
        for agent, (value, unit) in whole[kpi].items():  # noqa: B007  (the KPI has one unit)
            if agent in who:
                by_position[who[agent].position][agent] = value
        for position in sorted(by_position):
            values = by_position[position]
            v = np.array(list(values.values()))
            teams: dict[str, list[float]] = defaultdict(list)
            for agent, value in values.items():
                teams[who[agent].team].append(value)
            medians = {t: float(np.median(xs)) for t, xs in sorted(teams.items())}
            medians = {t: m for t, m in medians.items() if len(teams[t]) >= MIN_TEAM}
            month_values = [
                {
                    a: x
                    for a, (x, _u) in monthly[m].get(kpi, {}).items()
                    if a in who and who[a].position == position
                }
                for m in months
            ]
            rs = [
                r
                for r in (_correlation(a, b) for a, b in itertools.pairwise(month_values))
                if r is not None
            ]
            out.append(
                KpiSpread(
                    position=position,
                    kpi=kpi,
                    unit=unit,
                    n=len(v),
                    mean=float(v.mean()),
                    percentiles={f"p{p}": float(np.percentile(v, p)) for p in PERCENTILES},
                    team_medians=medians,
                    team_spread=max(medians.values()) - min(medians.values())
                    if len(medians) >= 2
                    else None,
                    stability=float(np.mean(rs)) if rs else None,
                    month_pairs=len(rs),
                    monthly_medians={
                        m: _median(list(mv.values()))
                        for m, mv in zip(months, month_values, strict=True)
                    },
                )
            )
    return out


def coverage(
    staff: Sequence[Staff], activity: Mapping[str, Mapping[str, Set[str]]], months: Sequence[str]
) -> list[Coverage]:
    """Per source (``activity``: source → month → agents with a record), who of the staff has
    none in the whole period and which months hold no record at all."""
    ids = [s.employee_id for s in staff]
    out = []
    for source in sorted(activity):
        by_month = activity[source]
        seen: set[str] = set().union(*by_month.values()) if by_month else set()
        without = [i for i in ids if i not in seen]
        out.append(
            Coverage(
                source=source,
                staff=len(ids),
                without=len(without),
                without_ids=without[:20],
                months_missing=[m for m in months if not by_month.get(m)],
            )
        )
    return out


def findings(
    staffing_rows: Sequence[StaffRow], spreads: Sequence[KpiSpread], gaps: Sequence[Coverage]
) -> list[Finding]:
    """What stands out, most consequential first: gaps in the data, then KPIs a threshold would
    be unreliable on, then differences between teams, then the staff's tenure."""
    out: list[Finding] = []
    for c in gaps:
        if c.staff and c.without == c.staff:
            if c.source in EXPECTED:  # sales or complaints may rightly be absent
                out.append(Finding("source_empty", {"source": c.source}))
            continue
        if c.months_missing:
            out.append(Finding("months_missing", {"source": c.source, "months": c.months_missing}))
        if c.without and c.source in EXPECTED:
            out.append(
                Finding("staff_without", {"source": c.source, "n": c.without, "staff": c.staff})
            )
    most: dict[str, int] = {}
    for s in spreads:
        most[s.position] = max(most.get(s.position, 0), s.n)
    thin = {p: n for p, n in most.items() if n < MIN_POSITION}
    unstable: list[Finding] = []
    apart: list[Finding] = []
    for s in spreads:
        if s.n < MIN_POSITION:
            continue
        if s.stability is not None and s.stability < UNSTABLE:
            unstable.append(
                Finding(
                    "unstable",
                    {"position": s.position, "kpi": s.kpi, "r": s.stability, "n": s.n},
                )
            )
        width = (s.percentiles["p90"] or 0.0) - (s.percentiles["p10"] or 0.0)
        if s.team_spread is not None and width > 0 and s.team_spread > WIDE_TEAMS * width:
            low = min(s.team_medians, key=lambda t: s.team_medians[t])
            high = max(s.team_medians, key=lambda t: s.team_medians[t])
            apart.append(
                Finding(
                    "teams_apart",
                    {
                        "position": s.position,
                        "kpi": s.kpi,
                        "unit": s.unit,
                        "low_team": low,
                        "low": s.team_medians[low],
                        "high_team": high,
                        "high": s.team_medians[high],
                        "ratio": s.team_spread / width,
                    },
                )
            )
    # a short list: each kind's strongest few
    out += [Finding("thin", {"position": p, "n": n}) for p, n in sorted(thin.items())]
    out += sorted(unstable, key=lambda f: f.params["r"])[:MOST]
    out += sorted(apart, key=lambda f: -f.params["ratio"])[:MOST]
    new = next((r for r in staffing_rows if r.dimension == "tenure" and r.group == "lt3m"), None)
    if new is not None and new.share >= NEW_STAFF:
        out.append(Finding("many_new", {"n": new.n, "share": new.share}))
    if not out:
        out.append(Finding("nothing_stands_out"))
    return out


def baseline_report(
    staff: Sequence[Staff],
    kpis: pa.Table,
    activity: Mapping[str, Mapping[str, Set[str]]],
    *,
    period: str,
    months: Sequence[str],
    as_of: dt.date,
) -> Baseline:
    """The report over explicit inputs: ``kpis`` in the engine's long form holding rows for
    ``period`` and for each of ``months`` (agent level)."""
    rows = staffing(staff, as_of)
    spreads = kpi_spreads(staff, kpis, period, months)
    gaps = coverage(staff, activity, months)
    return Baseline(
        period=period,
        months=list(months),
        as_of=as_of.isoformat(),
        headcount=len(staff),
        staffing=rows,
        kpis=spreads,
        coverage=gaps,
        findings=findings(rows, spreads, gaps),
    )
