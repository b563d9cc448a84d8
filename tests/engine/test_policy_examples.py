"""The shipped example policies validate and say what the published standards say."""

from pathlib import Path

import pytest
import yaml

from callgrade.engine.policy import Policy, check_policy, load_policy
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
