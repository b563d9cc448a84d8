"""The fairness audit of one grading cycle, over explicit inputs.

Three questions, each answered with the numbers behind it and a finding when something stands
out:

1. **Raters.** Is the rating distribution of a team, of a lead's teams or of an approver's
   calibrated ratings different from its position's? Each group is tested against the rest of
   its position (a 2 × K table over the ratings): Pearson's chi-square when every expected
   count is at least 5, otherwise a seeded permutation test; a group with fewer than
   ``min_sample`` ratings is flagged as too small to judge instead. A group whose distribution
   differs (p < ``alpha``) is lenient when its mean rating is better than the rest's, severe
   when worse.
2. **Changes by who made them.** Calibrations and departures from the engine's proposal, per
   person, raised against lowered, with an exact sign test.
3. **Adverse impact (four-fifths rule).** For every roster attribute recorded (gender, age band,
   shift …) and each outcome (promotion, top rating), each group's rate divided by the highest
   group's rate; a ratio below 0.8 is flagged, with Fisher's exact test against the highest
   group saying whether chance could explain it, and groups too small to judge are said to be.

Ratings are scored by their place in the standard's order: the best 1, the worst 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from callgrade.engine.analysis.stats import (
    chi2_sf,
    contingency_chi2,
    fisher_exact_p,
    permutation_p,
    sign_test_p,
)

DIMENSIONS = ("team", "lead", "approver")
OUTCOMES = ("promotion", "top_rating")
FOUR_FIFTHS = 0.8
MIN_SAMPLE = 5
ALPHA = 0.05
MIN_EXPECTED = 5.0


@dataclass(frozen=True)
class RatingRecord:
    """One final rating of one employee in one rating period, with who stands behind it."""

    employee_id: str
    position: str
    period: str
    rating: str  # the final rating (calibrated, else computed)
    team: str = ""
    lead: str = ""
    approver: str = ""  # who calibrated it; blank when the engine's rating stands


@dataclass(frozen=True)
class Change:
    """A calibration or a departure from the proposal: who made it and which way it went."""

    kind: str  # "calibration" or "departure"
    actor: str
    direction: int  # +1 raised, -1 lowered, 0 neither


@dataclass(frozen=True)
class Person:
    """An employee's outcomes in the cycle and the roster attributes recorded for them."""

    employee_id: str
    attributes: Mapping[str, str]
    promoted: bool
    top_rated: bool


@dataclass(frozen=True)
class GroupTest:
    dimension: str
    group: str
    position: str
    n: int
    counts: list[int]  # per rating, best first
    position_counts: list[int]
    mean: float  # mean rating score of the group
    rest_mean: float | None  # of the rest of the position
    top_share: float
    position_top_share: float
    statistic: float | None
    df: int
    p_value: float | None
    method: str  # "chi2", "permutation" or "" (not tested)
    verdict: str  # "lenient", "severe", "in_line", "small", "alone" (the whole position)


@dataclass(frozen=True)
class ActorTally:
    kind: str
    actor: str
    n: int
    up: int
    down: int
    same: int
    p_value: float
    verdict: str  # "raises", "lowers", "balanced", "small"


@dataclass(frozen=True)
class ImpactRow:
    outcome: str
    attribute: str
    value: str
    n: int
    selected: int
    rate: float
    ratio: float | None  # rate / the highest group's rate; None when nobody was selected
    reference: bool  # the group with the highest rate
    verdict: str  # "adverse", "ok", "small", "none"
    p_value: float | None = None  # Fisher's exact test against the highest group


@dataclass(frozen=True)
class Finding:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FairnessAudit:
    grades: list[str]
    groups: list[GroupTest]
    changes: list[ActorTally]
    impact: list[ImpactRow]
    findings: list[Finding]
    min_sample: int
    alpha: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _scores(grades: Sequence[str]) -> dict[str, float]:
    last = max(len(grades) - 1, 1)
    return {g: 1 - i / last for i, g in enumerate(grades)}


def rater_tests(
    records: Sequence[RatingRecord],
    grades: Sequence[str],
    *,
    min_sample: int = MIN_SAMPLE,
    alpha: float = ALPHA,
    seed: int = 0,
) -> list[GroupTest]:
    """Every team, lead and approver group of every position tested against the rest of its
    position (see the module's description)."""
    score = _scores(grades)
    index = {g: i for i, g in enumerate(grades)}
    by_position: dict[str, list[RatingRecord]] = defaultdict(list)
    for r in records:
        if r.rating in index:
            by_position[r.position].append(r)
    out: list[GroupTest] = []
    for position in sorted(by_position):
        rows = by_position[position]
        totals = [0] * len(grades)
        for r in rows:
            totals[index[r.rating]] += 1
        position_top = totals[0] / len(rows)
        position_sum = sum(score[r.rating] for r in rows)
        for dimension in DIMENSIONS:
            members: dict[str, list[RatingRecord]] = defaultdict(list)
            for r in rows:
                key = getattr(r, dimension)
                if key:
                    members[key].append(r)
            for group in sorted(members):
                mine = members[group]
                counts = [0] * len(grades)
                for r in mine:
                    counts[index[r.rating]] += 1
                mine_sum = sum(score[r.rating] for r in mine)
                rest_n = len(rows) - len(mine)
                mean = mine_sum / len(mine)
                rest_mean = (position_sum - mine_sum) / rest_n if rest_n else None
                stat: float | None = None
                df, p, method = 0, None, ""
                if len(mine) < min_sample or not rest_n:
                    # too few to judge, or the group is the whole position: nothing to compare
                    verdict = "small" if len(mine) < min_sample else "alone"
                else:
                    stat, df, least = contingency_chi2(counts, totals)
                    if df == 0:
                        p, method = 1.0, "chi2"
                    elif least >= MIN_EXPECTED:
                        p, method = chi2_sf(stat, df), "chi2"
                    else:
                        p, method = permutation_p(counts, totals, seed=seed), "permutation"
                    verdict = "in_line"
                    if p < alpha and rest_mean is not None and mean != rest_mean:
                        verdict = "lenient" if mean > rest_mean else "severe"
                out.append(
                    GroupTest(
                        dimension=dimension,
                        group=group,
                        position=position,
                        n=len(mine),
                        counts=counts,
                        position_counts=list(totals),
                        mean=round(mean, 6),
                        rest_mean=None if rest_mean is None else round(rest_mean, 6),
                        top_share=round(counts[0] / len(mine), 6),
                        position_top_share=round(position_top, 6),
                        statistic=None if stat is None else round(stat, 6),
                        df=df,
                        p_value=None if p is None else round(p, 6),
                        method=method,
                        verdict=verdict,
                    )
                )
    return out


def change_tallies(
    changes: Sequence[Change], *, min_sample: int = MIN_SAMPLE, alpha: float = ALPHA
) -> list[ActorTally]:
    """Calibrations and departures per person: raised, lowered, neither, and whether they lean
    one way beyond chance (exact sign test of raised against lowered)."""
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for c in changes:
        slot = 0 if c.direction > 0 else 1 if c.direction < 0 else 2
        tally[(c.kind, c.actor)][slot] += 1
    out = []
    for (kind, actor), (up, down, same) in sorted(tally.items()):
        n = up + down + same
        p = sign_test_p(up, down)
        if n < min_sample:
            verdict = "small"
        elif p < alpha:
            verdict = "raises" if up > down else "lowers"
        else:
            verdict = "balanced"
        out.append(ActorTally(kind, actor, n, up, down, same, round(p, 6), verdict))
    return out


def adverse_impact(people: Sequence[Person], *, min_sample: int = MIN_SAMPLE) -> list[ImpactRow]:
    """The four-fifths rule for every attribute recorded and every outcome: each group's rate of
    promotion (or of the top rating) against the highest group's rate."""
    names = sorted({name for p in people for name in p.attributes})
    out: list[ImpactRow] = []
    for outcome in OUTCOMES:
        for name in names:
            groups: dict[str, list[bool]] = defaultdict(list)
            for p in people:
                value = p.attributes.get(name, "")
                if value:
                    groups[value].append(p.promoted if outcome == "promotion" else p.top_rated)
            if len(groups) < 2:
                continue
            rates = {v: sum(s) / len(s) for v, s in groups.items()}
            # the reference is the highest rate among the groups large enough to judge
            judged = {v: r for v, r in rates.items() if len(groups[v]) >= min_sample}
            pool = judged or rates
            reference = max(sorted(pool), key=lambda v: pool[v])
            best = pool[reference]
            ref_sel = groups[reference]
            for value in sorted(groups):
                sel = groups[value]
                rate = rates[value]
                ratio = rate / best if best > 0 else None
                chance: float | None = None
                if best > 0 and value != reference:
                    chance = fisher_exact_p(
                        sum(sel), len(sel) - sum(sel), sum(ref_sel), len(ref_sel) - sum(ref_sel)
                    )
                if best == 0:
                    verdict = "none"
                elif len(sel) < min_sample:
                    verdict = "small"
                elif ratio is not None and ratio < FOUR_FIFTHS:
                    verdict = "adverse"
                else:
                    verdict = "ok"
                out.append(
                    ImpactRow(
                        outcome=outcome,
                        attribute=name,
                        value=value,
                        n=len(sel),
                        selected=sum(sel),
                        rate=round(rate, 6),
                        ratio=None if ratio is None else round(ratio, 6),
                        reference=value == reference and best > 0,
                        verdict=verdict,
                        p_value=None if chance is None else round(chance, 6),
                    )
                )
    return out


def _findings(
    groups: list[GroupTest],
    changes: list[ActorTally],
    impact: list[ImpactRow],
    min_sample: int,
    alpha: float,
) -> list[Finding]:
    found: list[Finding] = []
    for g in groups:
        if g.verdict in ("lenient", "severe"):
            found.append(
                Finding(
                    g.verdict,
                    {
                        "dimension": g.dimension,
                        "group": g.group,
                        "position": g.position,
                        "n": g.n,
                        "top_share": g.top_share,
                        "position_top_share": g.position_top_share,
                        "p_value": g.p_value,
                    },
                )
            )
    for c in changes:
        if c.verdict in ("raises", "lowers"):
            found.append(
                Finding(
                    f"{c.kind}_{c.verdict}",
                    {"actor": c.actor, "n": c.n, "up": c.up, "down": c.down, "p_value": c.p_value},
                )
            )
    refs = {(r.outcome, r.attribute): r for r in impact if r.reference}
    for r in impact:
        if r.verdict == "adverse":
            ref = refs.get((r.outcome, r.attribute))
            # below four fifths either way; whether the numbers could be chance is said too
            chance = r.p_value is not None and r.p_value >= alpha
            found.append(
                Finding(
                    "adverse_impact_chance" if chance else "adverse_impact",
                    {
                        "outcome": r.outcome,
                        "attribute": r.attribute,
                        "value": r.value,
                        "rate": r.rate,
                        "ratio": r.ratio,
                        "n": r.n,
                        "selected": r.selected,
                        "reference": ref.value if ref else "",
                        "reference_rate": ref.rate if ref else None,
                        "p_value": r.p_value,
                    },
                )
            )
    small: dict[str, int] = defaultdict(int)
    for g in groups:
        if g.verdict == "small":
            small[g.dimension] += 1
    for dimension in DIMENSIONS:
        if small[dimension]:
            found.append(
                Finding(
                    "small_groups",
                    {"dimension": dimension, "count": small[dimension], "min_sample": min_sample},
                )
            )
    small_impact = sorted({(r.attribute, r.value) for r in impact if r.verdict == "small"})
    for attribute, value in small_impact:
        found.append(
            Finding(
                "impact_small", {"attribute": attribute, "value": value, "min_sample": min_sample}
            )
        )
    if not any(f.code not in ("small_groups", "impact_small") for f in found):
        found.insert(0, Finding("nothing_stands_out", {}))
    # what stands out beyond chance first, then what may be chance, then what is too small
    later = {"adverse_impact_chance": 1, "small_groups": 2, "impact_small": 2}
    return sorted(found, key=lambda f: later.get(f.code, 0))


def fairness_audit(
    records: Sequence[RatingRecord],
    grades: Sequence[str],
    changes: Sequence[Change] = (),
    people: Sequence[Person] = (),
    *,
    min_sample: int = MIN_SAMPLE,
    alpha: float = ALPHA,
    seed: int = 0,
) -> FairnessAudit:
    """The whole audit: rater tests, changes by who made them, adverse impact and the findings
    in order (what stands out first, then the groups too small to judge)."""
    groups = rater_tests(records, grades, min_sample=min_sample, alpha=alpha, seed=seed)
    tallies = change_tallies(changes, min_sample=min_sample, alpha=alpha)
    impact = adverse_impact(people, min_sample=min_sample)
    return FairnessAudit(
        grades=list(grades),
        groups=groups,
        changes=tallies,
        impact=impact,
        findings=_findings(groups, tallies, impact, min_sample, alpha),
        min_sample=min_sample,
        alpha=alpha,
    )
