"""Pay lines for both example policies on the golden data, and commission tiers."""

from __future__ import annotations

import numpy as np
import pytest
from test_grading_golden import decide_four
from test_scoring_golden import build_four, build_spec

from callgrade.engine.policy.model import Commission
from callgrade.engine.scoring import pay
from callgrade.engine.scoring.pay import commission_amount


@pytest.fixture(scope="module")
def four():
    return build_four()


@pytest.fixture(scope="module")
def spec():
    return build_spec()


def lines_by(result) -> dict[tuple[str, str], dict]:
    return {(r["employee_id"], r["kind"]): r for r in result.lines.to_pylist()}


def test_four_positions_pay_march(four):
    policy, roster, kpis, cards = four
    got = lines_by(pay(policy, cards[2], None, kpis, roster, period_label="2026-03"))
    expected = {
        # allowance by roster level: junior 0, intermediate 200, senior 500, expert 900
        ("cs1", "allowance"): 0.0,
        ("cs2", "allowance"): 200.0,
        ("fd1", "allowance"): 500.0,
        ("ts3", "allowance"): 900.0,
        # bonus = base by level × coefficient of the rating
        ("cs1", "bonus"): 480.0,  # junior 800 × C 0.6
        ("cs2", "bonus"): 1500.0,  # intermediate 1,000 × S 1.5
        ("cs3", "bonus"): 0.0,  # 800 × D 0
        ("fd1", "bonus"): 720.0,  # senior 1,200 × C 0.6
        ("ts1", "bonus"): 960.0,  # 800 × A 1.2
        ("ts3", "bonus"): 2250.0,  # expert 1,500 × S 1.5
        ("tech1", "bonus"): 1440.0,  # 1,200 × A 1.2
        # marginal commission: 50,000 × 2% + 50,000 × 3% + 20,000 × 5% = 3,500
        ("ts1", "commission"): 3500.0,
        ("ts2", "commission"): 800.0,  # 40,000 × 2%
        ("ts3", "commission"): 600.0,  # 30,000 × 2%
        # tenure award 1,200 per completed year: cs1 hired 2025-01-15 → 14 months → 1 year
        ("cs1", "long_term"): 1200.0,
        # ts3 hired 2020-05-01 → 70 months → 5 completed years
        ("ts3", "long_term"): 6000.0,
        # tech2 hired 2024-09-01 → 18 months → 1 year
        ("tech2", "long_term"): 1200.0,
    }
    for key, amount in expected.items():
        assert got[key]["amount"] == pytest.approx(amount), key
    # only telesales earn commission
    assert {k[0] for k in got if k[1] == "commission"} == {"ts1", "ts2", "ts3"}
    assert got["ts1", "commission"]["explanation"] == (
        "Commission telesales_revenue on sales revenue 120,000: marginal tiers "
        "50,000 × 2.00% + 50,000 × 3.00% + 20,000 × 5.00% = 3,500"
    )
    # cs1: 14/12 = 1.1667 of 3 vesting years, past the 1-year cliff → 38.9% vested
    assert got["cs1", "long_term"]["rate"] == pytest.approx(14 / 36)
    assert got["cs1", "long_term"]["cash"] is False
    # fd2: hired 2026-02-01, 1 month: under the cliff → nothing vests
    assert got["fd2", "long_term"]["amount"] == 0 and got["fd2", "long_term"]["rate"] == 0
    assert (
        got["cs1", "bonus"]["explanation"] == "Bonus: base 800 × coefficient 0.6 for rating C = 480"
    )


def test_four_positions_pay_follows_decided_level(four):
    policy, roster, kpis, cards = four
    decided = decide_four(four)
    got = lines_by(pay(policy, cards[2], decided, kpis, roster, period_label="2026-03"))
    # ts1 promoted to intermediate: allowance 200 and bonus base 1,000 × A 1.2
    assert got["ts1", "allowance"]["amount"] == 200.0
    assert got["ts1", "bonus"]["amount"] == 1200.0
    # tech1 demoted to intermediate: allowance 200
    assert got["tech1", "allowance"]["amount"] == 200.0


def test_specialist_pay(spec):
    policy, roster, kpis, card = spec
    got = lines_by(pay(policy, card, None, kpis, roster, period_label="2026-06"))
    assert got["s3", "allowance"]["amount"] == 600.0  # senior
    assert got["s3", "bonus"]["amount"] == 1200.0  # base 800 × S 1.5
    assert got["s1", "allowance"]["amount"] == 300.0  # intermediate
    assert got["s1", "bonus"]["amount"] == 0.0  # C 0
    assert not any(k[1] in ("commission", "long_term") for k in got)


TIERS = [
    {"above": 0, "rate": 0.02},
    {"above": 50000, "rate": 0.03},
    {"above": 100000, "rate": 0.05},
]


@pytest.mark.parametrize(
    ("mode", "revenue", "expected"),
    [
        ("marginal", 120000, 3500.0),  # the docs' example
        ("whole", 120000, 6000.0),  # 120,000 × 5%
        ("marginal", 50000, 1000.0),  # exactly at a boundary: all in the first tier
        ("whole", 50000, 1500.0),  # the 3% tier is reached at 50,000
        ("marginal", 0, 0.0),
        ("whole", 99999, 2999.97),
        ("marginal", 100000, 2500.0),  # 1,000 + 1,500
    ],
)
def test_commission_tiers(mode, revenue, expected):
    c = Commission(code="c", positions=("telesales",), mode=mode, tiers=TIERS)
    amount, _ = commission_amount(np.array([float(revenue)]), c)
    assert amount[0] == pytest.approx(expected)
