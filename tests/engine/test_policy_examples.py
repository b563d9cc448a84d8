"""The shipped example policies validate and say what the published standards say."""

from pathlib import Path

import pytest
import yaml

from callgrade.engine.policy import Policy, check_policy, compare, load_policy
from callgrade.engine.policy.model import (
    Bands,
    CountCondition,
    IndicatorsCondition,
    Percentile,
    RankPercentile,
)

EXAMPLES = Path(__file__).parents[2] / "src" / "callgrade" / "engine" / "policy" / "examples"
NAMES = ["four_positions", "customer_specialist_4_levels"]
DEMO_POSITIONS = {"front_desk", "telesales", "customer_service", "technical_support"}
DEMO_LEVELS = ["junior", "intermediate", "senior", "expert"]


@pytest.fixture(scope="module", params=NAMES)
def example(request) -> tuple[Path, Policy]:
    path = EXAMPLES / f"{request.param}.yaml"
    return path, load_policy(path)


def test_examples_check_clean(example):
    path, _ = example
    assert check_policy(path) == []


def test_examples_fit_the_demo_roster(example):
    _, policy = example
    assert {p.code for p in policy.positions} <= DEMO_POSITIONS
    assert {t.code for t in policy.tracks} == {"phone", "technical"}
    for position in policy.positions:
        ladder = policy.ladder(position.ladder)
        ordered = sorted(ladder.levels, key=lambda lv: lv.rank)
        assert [lv.code for lv in ordered] == DEMO_LEVELS
        assert ladder.lowest().code == "junior"
    assert {c.code for c in policy.competencies} == {
        "business_knowledge",
        "communication",
        "teamwork",
        "problem_solving",
    }


def test_round_trip_is_stable(example):
    _, policy = example
    dumped = yaml.safe_dump(policy.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
    again = load_policy(dumped)
    assert again == policy
    assert again.model_dump(mode="json") == policy.model_dump(mode="json")


def test_four_positions_content():
    policy = load_policy(EXAMPLES / "four_positions.yaml")
    assert {p.code for p in policy.positions} == DEMO_POSITIONS
    kpis = {
        card.code: [m.kpi for d in card.dimensions for m in d.items] for card in policy.scorecards
    }
    assert kpis == {
        "front_desk": ["qa_score", "csat"],
        "telesales": ["sales_revenue", "sales_conversion"],
        "customer_service": ["answer_rate", "csat"],
        "technical_support": ["fcr_repeat", "qa_score"],
    }
    assert policy.ratings.period == "month"
    assert policy.ratings.assignment.method == "absolute"
    commission = policy.pay.commissions[0]
    assert commission.positions == ("telesales",)
    assert commission.mode == "marginal"
    assert [(t.above, t.rate) for t in commission.tiers] == [
        (0, 0.02),
        (50000, 0.03),
        (100000, 0.05),
    ]
    assert policy.pay.allowances[0].monthly == {
        "junior": 0,
        "intermediate": 200,
        "senior": 500,
        "expert": 900,
    }
    assert policy.pay.bonus is not None
    assert policy.pay.bonus.coefficients["S"] == 1.5
    reward = policy.instant_rewards[0]
    assert (reward.when.kpi, reward.when.op, reward.when.value) == ("csat", ">=", 0.95)
    assert (reward.when.window, reward.when.min_sample) == ("day", 10)
    assert (reward.award.points, reward.award.amount) == (50, 20)


def test_customer_specialist_encodes_the_published_standard():
    policy = load_policy(EXAMPLES / "customer_specialist_4_levels.yaml")
    assert (policy.cycle.rating_period, policy.cycle.grading_period) == ("month", "half")
    assert policy.cycle.max_steps_per_cycle == 1
    assert policy.cycle.probation is not None
    assert policy.cycle.probation.start_level == "junior"
    assert policy.cycle.probation.graded_at_end is True

    card = policy.scorecard("specialist_grading")
    assert [(d.code, d.weight) for d in card.dimensions] == [
        ("tenure", 10),
        ("skill", 40),
        ("daily", 50),
    ]
    daily = card.dimensions[2]
    # directions come from the KPI registry when the author leaves them out
    assert {m.kpi: m.direction for m in daily.items} == {
        "qa_score": "higher_better",
        "csat": "higher_better",
        "adherence": "higher_better",
        "aht": "lower_better",
    }
    assert isinstance(daily.items[2].scoring, Bands)
    assert isinstance(daily.items[3].scoring, Percentile)
    assert (daily.items[0].below_min_sample, daily.items[0].shrink_k) == ("shrink", 8)

    assert {g.code: g.points for g in policy.ratings.grades} == {"S": 10, "A": 8, "B": 6, "C": 0}

    rules = policy.grading[0]
    assert set(rules.positions) == {"customer_service", "technical_support"}
    assert [lv.level for lv in rules.levels] == ["intermediate", "senior", "expert"]
    assert rules.promotion is not None and rules.demotion is not None
    promo = rules.promotion.all
    assert isinstance(promo[0], IndicatorsCondition)
    assert isinstance(promo[1], RankPercentile)
    assert (promo[1].by, promo[1].top, promo[1].bottom) == ("rating_points", 10, None)
    counts = [(c.of, c.op, c.value, c.per) for c in promo if isinstance(c, CountCondition)]
    assert counts == [
        (("complaints_valid",), "<=", 2, "grading_period"),
        (("leaves",), "<=", 1, "month"),
        (("late_arrivals", "early_departures"), "<=", 2, "month"),
    ]
    demo = rules.demotion.any
    assert isinstance(demo[0], RankPercentile) and demo[0].bottom == 5
    assert [(c.of, c.op, c.value) for c in demo if isinstance(c, CountCondition)] == [
        (("rule_violations",), ">=", 2),
        (("major_complaints",), ">=", 1),
    ]


def test_models_are_frozen():
    policy = load_policy(EXAMPLES / "four_positions.yaml")
    with pytest.raises(ValueError, match="frozen"):
        policy.code = "other"  # type: ignore[misc]


STARS = """\
code: star_agents
version: 3
effective_from: 2026-07-01
currency: CNY
time_zone: Asia/Shanghai
label: {zh: 星级坐席, en: Star agents}
tracks: [{code: phone, label: {zh: 话务岗, en: Phone}}]
ladders:
  - code: stars
    label: {zh: 星级, en: Stars}
    levels:
      - {code: star_1, rank: 1, label: {zh: 一星坐席, en: One-star agent}}
      - {code: star_2, rank: 2, label: {zh: 二星坐席, en: Two-star agent}}
      - {code: star_3, rank: 3, label: {zh: 三星坐席, en: Three-star agent}}
      - {code: star_4, rank: 4, label: {zh: 四星坐席, en: Four-star agent}}
      - {code: star_5, rank: 5, label: {zh: 五星坐席, en: Five-star agent}}
positions:
  - code: customer_service
    label: {zh: 客户服务, en: Customer service}
    track: phone
    ladder: stars
    scorecard: service
    duties: [{zh: 接听来电, en: Answer calls}]
scorecards:
  - code: service
    label: {zh: 服务, en: Service}
    peer_group: [position, queue]
    dimensions:
      - code: all
        label: {zh: 综合, en: Overall}
        weight: 100
        items:
          - {kpi: aht, weight: 50, scoring: {method: percentile, group: [position, queue]}}
          - kpi: csat
            weight: 50
            scoring:
              method: bands
              otherwise: 0
              bands: [{value: 0.8, points: 50}, {value: 0.9, points: 100}]
ratings:
  period: month
  grades:
    - {code: S, points: 10, label: {zh: 卓越, en: Outstanding}}
    - {code: A, points: 8, label: {zh: 优秀, en: Excellent}}
    - {code: B, points: 6, label: {zh: 良好, en: Good}}
  assignment:
    method: forced
    group: [position, team]
    quotas:
      - {rating: S, max_percent: 10, min_score: 80}
      - {rating: A, max_percent: 20}
    remainder: B
    tie_break: [score_desc, samples_desc, employee_id_asc]
cycle: {rating_period: month, grading_period: quarter, max_steps_per_cycle: 2}
grading:
  - code: stars
    positions: [customer_service]
    promotion:
      all: [{kind: rank_position, by: score, top: 1, group: [position, team]}]
    demotion:
      action: retrain
      any: [{kind: rank_position, by: score, bottom: 1, group: [position, team]}]
    retraining:
      any: [{kind: kpi, kpi: qa_score, op: "<", value: 70, window: rating_period}]
pay:
  allowances:
    - ladder: stars
      monthly: {star_1: 0, star_2: 100, star_3: 200, star_4: 400, star_5: 800}
"""


def test_star_levels_forced_distribution_and_first_last_rules():
    """一星…五星 with a star allowance, forced quotas, 首位晋升 / 末位培训 — no code changes."""
    policy = load_policy(STARS)
    assert policy.version == "3"  # a YAML number, kept as text
    assert [lv.code for lv in policy.ladder("stars").levels][-1] == "star_5"
    forced = policy.ratings.assignment
    assert forced.method == "forced"
    assert [(q.rating, q.max_percent, q.min_score) for q in forced.quotas] == [
        ("S", 10, 80),
        ("A", 20, None),
    ]
    rules = policy.grading[0]
    assert rules.promotion is not None and rules.demotion is not None
    first = rules.promotion.all[0]
    assert (first.kind, first.top, first.bottom, first.group) == (
        "rank_position",
        1,
        None,
        ("position", "team"),
    )
    assert rules.demotion.action == "retrain"
    assert policy.cycle.max_steps_per_cycle == 2
    stars = policy.ladder("stars")
    assert stars.above("star_1").code == "star_2"
    assert stars.above("star_5") is None
    assert stars.below("star_2").code == "star_1"
    assert stars.below("star_1") is None
    assert policy.pay.allowances[0].monthly["star_5"] == 800
    items = policy.scorecards[0].dimensions[0].items
    assert items[0].direction == "lower_better"  # aht, from the registry


def test_compare_states_each_operator():
    assert [compare(2, op, 2) for op in (">=", ">", "<=", "<", "==", "!=")] == [
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    assert compare(1, "<", 2) and compare(3, ">", 2) and compare(1, "!=", 2)
