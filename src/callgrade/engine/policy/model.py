"""The grading standard as data: frozen Pydantic models, one per YAML mapping.

Every model forbids unknown keys, so a typo is an error rather than a silently ignored rule.
Checks that need only one mapping (weight sums, band order, a KPI code) live here as validators;
checks that follow references across the document (a position's ladder, a level code) live in
:mod:`callgrade.engine.policy.consistency` because they must also run on a document whose other
parts failed validation, so that every mistake is reported at once.

Validation context (optional): ``{"kpis": {code: (direction, unit)}}`` enables KPI code checks and
direction defaults; ``{"defer_references": True}`` leaves reference checks to the caller.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from callgrade.engine.policy.coaching import CoachingRules
from callgrade.engine.policy.consistency import consistency_problems, weights_problem
from callgrade.engine.policy.training_rules import KpiGap, TrainingRule

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Percent = Annotated[float, Field(ge=0, le=100)]
Points = Annotated[float, Field(ge=0, le=100)]
Money = Annotated[float, Field(ge=0)]
Direction = Literal["higher_better", "lower_better"]
Op = Literal[">=", ">", "<=", "<", "==", "!="]
Grain = Literal["day", "week", "month", "quarter", "half", "year"]
GRAIN_ORDER: tuple[Grain, ...] = ("day", "week", "month", "quarter", "half", "year")
PeerKey = Literal["position", "queue", "team", "track", "level"]
PeerGroup = tuple[PeerKey, ...]
Window = Literal["rating_period", "grading_period"]
RankBy = Literal["rating_points", "score"]
TieKey = Literal["score_desc", "samples_desc", "tenure_desc", "employee_id_asc"]
InputKind = Literal["tenure_years", "competency", "exam", "assessment"]

# Counters that are not KPIs but may be counted in conditions (from HR/discipline records).
EXTRA_COUNTERS = frozenset({"rule_violations"})


def at_least(n: int) -> BeforeValidator:
    """A minimum length checked on the raw list, so that one bad entry does not also raise a
    misleading "too short" error (a field-level min_length counts only the valid entries)."""

    def check(value: Any) -> Any:
        if isinstance(value, list | tuple | dict) and len(value) < n:
            raise ValueError(f"needs at least {n} {'entry' if n == 1 else 'entries'}")
        return value

    return BeforeValidator(check)


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def close_match(word: str, choices: Iterable[str]) -> str | None:
    """The likeliest intended spelling: a near-identical word first ('scorcard' → 'scorecard'),
    then a known code that starts the word ('csat_score' → 'csat', authors add suffixes), then a
    looser likeness."""
    options = sorted(choices)
    near = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    if near:
        return near[0]
    prefixed = [c for c in options if word.startswith(c) or c.startswith(word)]
    if prefixed:
        return max(prefixed, key=len)
    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def _kpis(info: ValidationInfo) -> Mapping[str, tuple[str, str]] | None:
    return (info.context or {}).get("kpis")


def _check_kpi(code: str, info: ValidationInfo, *, units: set[str] | None = None) -> str:
    kpis = _kpis(info)
    if kpis is None:
        return code
    if code not in kpis:
        hint = close_match(code, kpis)
        tail = f"; did you mean '{hint}'?" if hint else f"; known KPIs: {', '.join(sorted(kpis))}"
        raise ValueError(f"unknown KPI '{code}'{tail}")
    if units is not None and kpis[code][1] not in units:
        raise ValueError(f"KPI '{code}' is a {kpis[code][1]}, not a count")
    return code


def _weights_sum(weights: list[float], what: str) -> None:
    problem = weights_problem(list(weights), what)
    if problem:
        raise ValueError(problem)


def _unique(codes: list[str], what: str) -> None:
    seen: set[str] = set()
    for c in codes:
        if c in seen:
            raise ValueError(f"{what} '{c}' is defined twice")
        seen.add(c)


def _as_tuple(v: Any) -> Any:
    return [v] if isinstance(v, str) else v


def compare(left: float, op: Op, right: float) -> bool:
    """The comparison a condition states, written once so every evaluator agrees."""
    return {
        ">=": left >= right,
        ">": left > right,
        "<=": left <= right,
        "<": left < right,
        "==": left == right,
        "!=": left != right,
    }[op]


# --- labels and catalog -------------------------------------------------------------------------


class Text(Model):
    zh: NonEmpty
    en: NonEmpty


class Track(Model):
    code: Code
    label: Text
    description: Text | None = None


class Level(Model):
    code: Code
    label: Text
    rank: int = Field(ge=1)


class Ladder(Model):
    code: Code
    label: Text
    levels: Annotated[tuple[Level, ...], at_least(1)]

    @field_validator("levels")
    @classmethod
    def _levels_ordered(cls, levels: tuple[Level, ...]) -> tuple[Level, ...]:
        _unique([lv.code for lv in levels], "level")
        ranks = [lv.rank for lv in levels]
        if len(set(ranks)) != len(ranks):
            raise ValueError("two levels share a rank; each level needs its own rank")
        return levels

    def ordered(self) -> tuple[Level, ...]:
        """Levels from the lowest rank to the highest."""
        return tuple(sorted(self.levels, key=lambda lv: lv.rank))

    def lowest(self) -> Level:
        return self.ordered()[0]

    def above(self, code: str) -> Level | None:
        """The next level up from ``code``, or None at the top."""
        codes = [lv.code for lv in self.ordered()]
        i = codes.index(code)
        return self.ordered()[i + 1] if i + 1 < len(codes) else None

    def below(self, code: str) -> Level | None:
        """The next level down from ``code``, or None at the bottom."""
        i = [lv.code for lv in self.ordered()].index(code)
        return self.ordered()[i - 1] if i > 0 else None


class Competency(Model):
    code: Code
    label: Text
    scale_min: float = 0
    scale_max: float = 100
    assessed_by: Literal["exam", "observation", "exam_and_observation"] = "exam"

    @model_validator(mode="after")
    def _scale(self) -> Competency:
        if self.scale_max <= self.scale_min:
            raise ValueError("scale_max must be greater than scale_min")
        return self


class Training(Model):
    code: Code
    label: Text
    kind: Literal["course", "certification"] = "course"
    competencies: tuple[Code, ...] = ()


class CompetencyRequirement(Model):
    level: Code
    requires: Annotated[dict[Code, float], at_least(1)]


class Position(Model):
    code: Code
    label: Text
    track: Code
    ladder: Code
    scorecard: Code
    duties: Annotated[tuple[Text, ...], at_least(1)]
    competencies: tuple[CompetencyRequirement, ...] = ()
    description: Text | None = None


# --- scorecards ---------------------------------------------------------------------------------


class Linear(Model):
    method: Literal["linear"] = "linear"


class Band(Model):
    value: float
    points: Points


class Bands(Model):
    method: Literal["bands"]
    bands: Annotated[tuple[Band, ...], at_least(1)]
    otherwise: Points = 0

    @field_validator("bands")
    @classmethod
    def _increasing(cls, bands: tuple[Band, ...]) -> tuple[Band, ...]:
        values = [b.value for b in bands]
        if any(b <= a for a, b in itertools.pairwise(values)):
            raise ValueError("band values must be listed in strictly increasing order")
        return bands


class Percentile(Model):
    method: Literal["percentile"]
    group: PeerGroup | None = None


class MinMax(Model):
    method: Literal["minmax"]
    group: PeerGroup | None = None


Scoring = Annotated[Linear | Bands | Percentile | MinMax, Field(discriminator="method")]


class Measure(Model):
    kpi: Code | None = None
    input: InputKind | None = None
    ref: Code | None = None
    weight: Percent
    direction: Direction | None = None
    floor: float | None = None
    target: float | None = None
    scoring: Scoring = Linear()
    min_sample: int | None = Field(default=None, ge=1)
    below_min_sample: Literal["exclude", "shrink"] = "exclude"
    shrink_k: float | None = Field(default=None, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _default_direction(cls, data: Any, info: ValidationInfo) -> Any:
        # The registry knows whether a lower AHT is better; the author need not repeat it.
        if isinstance(data, dict) and data.get("direction") is None:
            kpis = _kpis(info)
            code = data.get("kpi")
            if "input" in data and code is None:
                return {**data, "direction": "higher_better"}
            if kpis and isinstance(code, str) and code in kpis:
                return {**data, "direction": kpis[code][0]}
        return data

    @field_validator("kpi")
    @classmethod
    def _known_kpi(cls, code: str | None, info: ValidationInfo) -> str | None:
        return None if code is None else _check_kpi(code, info)

    @model_validator(mode="after")
    def _consistent(self) -> Measure:
        if (self.kpi is None) == (self.input is None):
            raise ValueError("an item measures exactly one thing: give either 'kpi' or 'input'")
        if self.input in ("competency", "exam", "assessment") and self.ref is None:
            raise ValueError(f"input '{self.input}' needs 'ref' (which {self.input})")
        if self.input is not None and self.min_sample is not None:
            raise ValueError("min_sample applies to KPIs only")
        if self.below_min_sample == "shrink" and self.shrink_k is None:
            raise ValueError("below_min_sample: shrink needs shrink_k (the credibility constant)")
        if self.below_min_sample == "shrink" and self.min_sample is None:
            raise ValueError("below_min_sample: shrink needs min_sample (when to shrink)")
        if isinstance(self.scoring, Linear):
            if self.floor is None or self.target is None:
                raise ValueError("linear scoring needs both 'floor' and 'target'")
            if self.direction is None:
                # no registry to say which way is better: only a zero-width range is wrong
                if self.target == self.floor:
                    raise ValueError("target and floor must differ")
                return self
            lower = self.direction == "lower_better"
            if (self.target <= self.floor) if not lower else (self.target >= self.floor):
                better = "below" if lower else "above"
                raise ValueError(
                    f"target {self.target:g} must lie {better} floor {self.floor:g} "
                    f"for a {self.direction} measure"
                )
        return self


class Dimension(Model):
    code: Code
    label: Text
    weight: Percent
    items: Annotated[tuple[Measure, ...], at_least(1)]

    @field_validator("items")
    @classmethod
    def _items_sum(cls, items: tuple[Measure, ...], info: ValidationInfo) -> tuple[Measure, ...]:
        _weights_sum([m.weight for m in items], f"dimension '{info.data.get('code', '?')}'")
        return items


class Scorecard(Model):
    code: Code
    label: Text
    peer_group: PeerGroup = ("position",)
    dimensions: Annotated[tuple[Dimension, ...], at_least(1)]

    @field_validator("dimensions")
    @classmethod
    def _dimensions_sum(
        cls, dims: tuple[Dimension, ...], info: ValidationInfo
    ) -> tuple[Dimension, ...]:
        _unique([d.code for d in dims], "dimension")
        _weights_sum([d.weight for d in dims], f"scorecard '{info.data.get('code', '?')}'")
        return dims


# --- ratings ------------------------------------------------------------------------------------


class Grade(Model):
    code: Code
    label: Text
    points: float


class RatingBand(Model):
    rating: Code
    min_score: float


class Absolute(Model):
    method: Literal["absolute"]
    bands: Annotated[tuple[RatingBand, ...], at_least(1)]

    @field_validator("bands")
    @classmethod
    def _descending(cls, bands: tuple[RatingBand, ...]) -> tuple[RatingBand, ...]:
        scores = [b.min_score for b in bands]
        if any(b >= a for a, b in itertools.pairwise(scores)):
            raise ValueError("rating bands must be listed best first, min_score strictly falling")
        if scores[-1] > 0:
            raise ValueError("the last rating band must start at 0 so that every score is rated")
        return bands


class Quota(Model):
    rating: Code
    max_percent: Percent
    min_score: float | None = None


class Forced(Model):
    method: Literal["forced"]
    group: PeerGroup = ("position",)
    quotas: Annotated[tuple[Quota, ...], at_least(1)]
    remainder: Code
    tie_break: tuple[TieKey, ...] = ("score_desc", "samples_desc", "employee_id_asc")

    @field_validator("quotas")
    @classmethod
    def _shares(cls, quotas: tuple[Quota, ...]) -> tuple[Quota, ...]:
        total = math.fsum(q.max_percent for q in quotas)
        if total > 100 + 1e-6:
            raise ValueError(f"quotas sum to {round(total, 4):g}%; they may not exceed 100%")
        return quotas

    @field_validator("tie_break")
    @classmethod
    def _deterministic(cls, keys: tuple[TieKey, ...]) -> tuple[TieKey, ...]:
        if not keys or keys[-1] != "employee_id_asc" or len(set(keys)) != len(keys):
            raise ValueError(
                "tie_break must list each key once and end with employee_id_asc, "
                "so that no two employees ever tie"
            )
        return keys


class Ratings(Model):
    period: Grain = "month"
    grades: Annotated[tuple[Grade, ...], at_least(2)]
    assignment: Annotated[Absolute | Forced, Field(discriminator="method")]

    @field_validator("grades")
    @classmethod
    def _unique_grades(cls, grades: tuple[Grade, ...]) -> tuple[Grade, ...]:
        _unique([g.code for g in grades], "rating")
        return grades


# --- cycle --------------------------------------------------------------------------------------


class Probation(Model):
    months: int = Field(ge=0)
    start_level: Code | None = None
    graded_at_end: bool = True


class Cycle(Model):
    rating_period: Grain = "month"
    grading_period: Grain = "half"
    max_steps_per_cycle: int = Field(default=1, ge=1)
    probation: Probation | None = None

    @model_validator(mode="after")
    def _nested(self) -> Cycle:
        if GRAIN_ORDER.index(self.grading_period) < GRAIN_ORDER.index(self.rating_period):
            raise ValueError(
                f"grading_period '{self.grading_period}' is shorter than "
                f"rating_period '{self.rating_period}'"
            )
        return self


# --- conditions ---------------------------------------------------------------------------------


class KpiCondition(Model):
    kind: Literal["kpi"]
    kpi: Code
    op: Op
    value: float
    window: Window = "grading_period"
    min_sample: int | None = Field(default=None, ge=1)

    @field_validator("kpi")
    @classmethod
    def _known(cls, code: str, info: ValidationInfo) -> str:
        return _check_kpi(code, info)


class ScoreCondition(Model):
    kind: Literal["score"]
    of: Code = "total"
    op: Op
    value: float
    window: Window = "grading_period"


def _one_end(top: float | None, bottom: float | None) -> None:
    if (top is None) == (bottom is None):
        raise ValueError("give exactly one of 'top' or 'bottom'")


class RankPercentile(Model):
    kind: Literal["rank_percentile"]
    by: RankBy = "rating_points"
    group: PeerGroup | None = None
    top: float | None = Field(default=None, gt=0, le=100)
    bottom: float | None = Field(default=None, gt=0, le=100)

    @model_validator(mode="after")
    def _ends(self) -> RankPercentile:
        _one_end(self.top, self.bottom)
        return self


class RankPosition(Model):
    kind: Literal["rank_position"]
    by: RankBy = "rating_points"
    group: PeerGroup | None = None
    top: int | None = Field(default=None, ge=1)
    bottom: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ends(self) -> RankPosition:
        _one_end(self.top, self.bottom)
        return self


class CountCondition(Model):
    kind: Literal["count"]
    of: Annotated[tuple[Code, ...], at_least(1)]
    op: Op
    value: float
    per: Literal["month", "rating_period", "grading_period"] = "grading_period"

    _wrap = field_validator("of", mode="before")(_as_tuple)

    @field_validator("of")
    @classmethod
    def _counters(cls, codes: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        for code in codes:
            if code not in EXTRA_COUNTERS:
                _check_kpi(code, info, units={"count"})
        return codes


class TenureCondition(Model):
    kind: Literal["tenure"]
    at: Literal["level", "position", "company"] = "level"
    op: Op
    months: float = Field(ge=0)


class TrainingCondition(Model):
    kind: Literal["training"]
    completed: Annotated[tuple[Code, ...], at_least(1)]

    _wrap = field_validator("completed", mode="before")(_as_tuple)


class CompetencyCondition(Model):
    kind: Literal["competency"]
    competency: Code
    op: Op
    value: float


class IndicatorsCondition(Model):
    kind: Literal["indicators"]
    met: bool = True


class RatingCountCondition(Model):
    kind: Literal["rating_count"]
    ratings: Annotated[tuple[Code, ...], at_least(1)]
    op: Op
    value: int = Field(ge=0)
    window: Window = "grading_period"

    _wrap = field_validator("ratings", mode="before")(_as_tuple)


Condition = Annotated[
    KpiCondition
    | ScoreCondition
    | RankPercentile
    | RankPosition
    | CountCondition
    | TenureCondition
    | TrainingCondition
    | CompetencyCondition
    | IndicatorsCondition
    | RatingCountCondition,
    Field(discriminator="kind"),
]


# --- grading rules ------------------------------------------------------------------------------


class LevelIndicators(Model):
    level: Code
    indicators: Annotated[tuple[Condition, ...], at_least(1)]


class Promotion(Model):
    all: Annotated[tuple[Condition, ...], at_least(1)]


class Demotion(Model):
    any: Annotated[tuple[Condition, ...], at_least(1)]
    action: Literal["demote", "retrain", "demote_and_retrain"] = "demote"


class Retraining(Model):
    any: Annotated[tuple[Condition, ...], at_least(1)]


class GradingRules(Model):
    code: Code
    positions: Annotated[tuple[Code, ...], at_least(1)]
    levels: tuple[LevelIndicators, ...] = ()
    promotion: Promotion | None = None
    demotion: Demotion | None = None
    retraining: Retraining | None = None


# --- pay ----------------------------------------------------------------------------------------


class Allowance(Model):
    ladder: Code
    monthly: Annotated[dict[Code, Money], at_least(1)]


class Bonus(Model):
    period: Grain = "month"
    base: Money
    base_by_level: dict[Code, Money] = {}
    coefficients: Annotated[dict[Code, Annotated[float, Field(ge=0)]], at_least(1)]


class Tier(Model):
    above: Money
    rate: float = Field(ge=0, le=1)


class Commission(Model):
    code: Code
    positions: Annotated[tuple[Code, ...], at_least(1)]
    kpi: Code = "sales_revenue"
    period: Grain = "month"
    mode: Literal["marginal", "whole"]
    tiers: Annotated[tuple[Tier, ...], at_least(1)]

    @field_validator("kpi")
    @classmethod
    def _known(cls, code: str, info: ValidationInfo) -> str:
        return _check_kpi(code, info)

    @field_validator("tiers")
    @classmethod
    def _tiers(cls, tiers: tuple[Tier, ...]) -> tuple[Tier, ...]:
        if tiers[0].above != 0:
            raise ValueError("the first commission tier must start at above: 0")
        if any(b.above <= a.above for a, b in itertools.pairwise(tiers)):
            raise ValueError("commission tiers must be listed with strictly increasing 'above'")
        return tiers


class LongTermPlan(Model):
    code: Code
    label: Text
    kind: Literal["tenure_accrual"] = "tenure_accrual"
    positions: tuple[Code, ...] = ()
    amount_per_year: Money
    vesting_years: float = Field(default=0, ge=0)
    cliff_years: float = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _cliff(self) -> LongTermPlan:
        if self.cliff_years > self.vesting_years:
            raise ValueError("cliff_years cannot exceed vesting_years")
        return self


class VestingStep(Model):
    """One step of a vesting schedule: ``percent`` of a deferral vests ``months`` after it."""

    months: int = Field(ge=1, le=240)
    percent: float = Field(gt=0, le=100)


class DeferredBonus(Model):
    """A deferred bonus pool (递延奖金): part of each rating period's pay goes into a pool per
    employee and is paid out on the vesting schedule, or forfeited (docs/policy.md)."""

    code: Code
    label: Text
    positions: tuple[Code, ...] = ()
    share: float | None = Field(default=None, gt=0, le=100)
    amount_by_rating: dict[Code, Money] = {}
    vesting: Annotated[tuple[VestingStep, ...], at_least(1)]
    forfeit_on: tuple[Literal["leaving", "demotion"], ...] = ("leaving",)

    @model_validator(mode="after")
    def _source_and_schedule(self) -> DeferredBonus:
        if (self.share is None) == (not self.amount_by_rating):
            raise ValueError(
                "a deferred bonus needs exactly one of share (percent of the bonus deferred) "
                "or amount_by_rating (an amount per rating put into the pool)"
            )
        months = [s.months for s in self.vesting]
        if any(b <= a for a, b in itertools.pairwise(months)):
            raise ValueError(
                f"vesting steps must be listed with strictly increasing months, got {months}"
            )
        total = sum(s.percent for s in self.vesting)
        if abs(total - 100) > 1e-6:
            raise ValueError(f"vesting percents must sum to 100, got {total:g}")
        return self


class Pay(Model):
    allowances: tuple[Allowance, ...] = ()
    bonus: Bonus | None = None
    commissions: tuple[Commission, ...] = ()
    long_term: tuple[LongTermPlan, ...] = ()
    deferred_bonus: tuple[DeferredBonus, ...] = ()

    @model_validator(mode="after")
    def _deferred_needs_bonus(self) -> Pay:
        shared = [d.code for d in self.deferred_bonus if d.share is not None]
        if shared and self.bonus is None:
            raise ValueError(
                f"deferred bonus {', '.join(shared)} defers a share of the bonus, "
                "but pay has no bonus"
            )
        return self


# --- instant rewards ----------------------------------------------------------------------------


class Trigger(Model):
    """What an instant reward watches (docs/policy.md, *Trigger*): the KPI over a window
    (``threshold``), how many single observations meet the comparison (``count``), or how many
    in a row do (``streak``)."""

    kind: Literal["threshold", "count", "streak"] = "threshold"
    kpi: Code
    op: Op
    value: float
    window: Literal["day", "week", "month"] = "day"
    min_sample: int | None = Field(default=None, ge=1)
    count: int | None = Field(default=None, ge=1)

    @field_validator("kpi")
    @classmethod
    def _known(cls, code: str, info: ValidationInfo) -> str:
        return _check_kpi(code, info)

    @model_validator(mode="after")
    def _count(self) -> Trigger:
        if self.kind == "threshold" and self.count is not None:
            raise ValueError("count applies to the count and streak kinds only")
        if self.kind != "threshold" and self.count is None:
            raise ValueError(f"a {self.kind} trigger needs count (how many observations)")
        if self.kind == "streak" and self.min_sample is not None:
            raise ValueError("min_sample does not apply to a streak (count says how many)")
        return self


class Gate(Model):
    """A quality gate: the reward is granted only while this KPI, over its window up to the
    triggering event, meets the comparison (e.g. QA ≥ 85 this week)."""

    kpi: Code
    op: Op
    value: float
    window: Literal["day", "week", "month"] = "week"
    min_sample: int | None = Field(default=None, ge=1)

    @field_validator("kpi")
    @classmethod
    def _known(cls, code: str, info: ValidationInfo) -> str:
        return _check_kpi(code, info)


class Award(Model):
    points: float = Field(default=0, ge=0)
    amount: Money = 0

    @model_validator(mode="after")
    def _something(self) -> Award:
        if self.points == 0 and self.amount == 0:
            raise ValueError("an award needs points or an amount")
        return self


class InstantReward(Model):
    code: Code
    label: Text
    positions: tuple[Code, ...] = ()
    when: Trigger
    gates: tuple[Gate, ...] = ()
    award: Award
    max_per_day: int | None = Field(default=None, ge=1)
    max_per_month: int | None = Field(default=None, ge=1)
    # the most money the rule pays everyone together in a calendar month
    budget_per_month: Money | None = None


# --- the document -------------------------------------------------------------------------------


class Policy(Model):
    code: Code
    version: NonEmpty
    effective_from: dt.date
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    time_zone: str
    label: Text
    description: Text | None = None
    tracks: Annotated[tuple[Track, ...], at_least(1)]
    ladders: Annotated[tuple[Ladder, ...], at_least(1)]
    competencies: tuple[Competency, ...] = ()
    trainings: tuple[Training, ...] = ()
    positions: Annotated[tuple[Position, ...], at_least(1)]
    scorecards: Annotated[tuple[Scorecard, ...], at_least(1)]
    ratings: Ratings
    cycle: Cycle = Cycle()
    grading: tuple[GradingRules, ...] = ()
    pay: Pay = Pay()
    instant_rewards: tuple[InstantReward, ...] = ()
    coaching_rules: CoachingRules | None = None
    training_rules: tuple[TrainingRule, ...] = ()

    @field_validator("training_rules")
    @classmethod
    def _training_kpis(
        cls, rules: tuple[TrainingRule, ...], info: ValidationInfo
    ) -> tuple[TrainingRule, ...]:
        _unique([r.code for r in rules], "training rule")
        for r in rules:
            if isinstance(r.when, KpiGap):
                _check_kpi(r.when.kpi, info)
        return rules

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, v: Any) -> Any:
        # YAML reads `version: 1.0` as a float; the author meant the text "1.0".
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, tz: str) -> str:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone '{tz}' (use an IANA name such as Asia/Shanghai)"
            ) from None
        return tz

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Policy:
        if (info.context or {}).get("defer_references"):
            return self
        problems = consistency_problems(self.model_dump(mode="python"))
        if problems:
            raise ValueError("; ".join(msg for _, msg in problems))
        return self

    def position(self, code: str) -> Position:
        return next(p for p in self.positions if p.code == code)

    def ladder(self, code: str) -> Ladder:
        return next(lad for lad in self.ladders if lad.code == code)

    def scorecard(self, code: str) -> Scorecard:
        return next(s for s in self.scorecards if s.code == code)

    def kpi_codes(self) -> tuple[str, ...]:
        """Every KPI the standard names (scorecard items, grading conditions and counts, pay,
        instant rewards), sorted: what a grading cycle has to compute."""
        return tuple(sorted(_kpi_references(self)))


def _kpi_references(node: object) -> set[str]:
    """The KPI codes in a policy subtree: ``kpi`` fields and a count condition's counters."""
    found: set[str] = set()
    if isinstance(node, CountCondition):
        found.update(c for c in node.of if c not in EXTRA_COUNTERS)
    if isinstance(node, BaseModel):
        kpi = getattr(node, "kpi", None)
        if isinstance(kpi, str):
            found.add(kpi)
        for name in type(node).model_fields:
            found |= _kpi_references(getattr(node, name))
    elif isinstance(node, tuple | list):
        for item in node:
            found |= _kpi_references(item)
    elif isinstance(node, dict):
        for item in node.values():
            found |= _kpi_references(item)
    return found


# --- what every field does ----------------------------------------------------------------------
# Fields no computation reads, and why that is right: text and facts shown to people, or checked
# where records are entered. A test fails when a field is read by no engine code and is listed
# in neither table, so a documented rule can never be silently ignored.
DESCRIPTIVE: dict[tuple[str, str], str] = {
    ("Text", "zh"): "the Chinese side of a label, shown to people",
    ("Track", "description"): "shown in the published standard",
    ("Position", "track"): "the track a new employee of the position starts on (import)",
    ("Position", "duties"): "the position's duties, shown in the published standard",
    ("Position", "description"): "shown in the published standard",
    ("Competency", "scale_min"): "the competency's scale, shown in the published standard",
    ("Competency", "scale_max"): "the competency's scale, shown in the published standard",
    ("Policy", "version"): "names the version people acknowledge",
    ("Policy", "effective_from"): "shown in the published standard",
    ("Policy", "currency"): "the currency pay statements and exports are written in",
    ("Policy", "description"): "shown in the published standard",
}

# Rules the language accepts that no computation applies yet: ``policy check`` says so for a
# document that sets them, instead of letting an author believe they take effect.
NOT_APPLIED: dict[tuple[str, str], str] = {
    ("Training", "competencies"): (
        "trainings[].competencies is shown to people; grading does not read which "
        "competencies a course develops"
    ),
}


def policy_notes(policy: Policy) -> list[str]:
    """One line for each rule the document sets that no computation applies (see NOT_APPLIED)."""
    notes = []
    if any(t.competencies for t in policy.trainings):
        notes.append(NOT_APPLIED["Training", "competencies"])
    return notes
