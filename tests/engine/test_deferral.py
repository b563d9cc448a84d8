"""Deferred bonus pools: schedule arithmetic, vesting, forfeiture and validation by hand."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from callgrade.engine.policy.load import load_policy, validate_text
from callgrade.engine.scoring.deferral import (
    Earned,
    Event,
    LocalPeriod,
    add_months,
    balances,
    defer_and_vest,
    schedule,
)

EXAMPLE = (
    Path(__file__).parents[2] / "src/callgrade/engine/policy/examples/four_positions.yaml"
).read_text("utf-8")


def policy_with(plans: str):
    text = EXAMPLE.replace("  deferred_bonus:\n", plans + "  old_deferred_bonus:\n", 1)
    # keep the document valid: drop the shipped plan, keep only the ones under test
    start = text.index("  old_deferred_bonus:\n")
    end = text.index("\ninstant_rewards:")
    text = text[:start] + text[end + 1 :]
    return load_policy(text)


GRADED = """  deferred_bonus:
    - code: pool
      label: {zh: 递延, en: Deferred}
      share: 30
      vesting:
        - {months: 12, percent: 33.33}
        - {months: 24, percent: 33.33}
        - {months: 36, percent: 33.34}
"""
CLIFF = """  deferred_bonus:
    - code: cliff
      label: {zh: 递延, en: Cliff pool}
      amount_by_rating: {S: 500, A: 200}
      vesting:
        - {months: 24, percent: 100}
      forfeit_on: [leaving, demotion]
"""


def month(y: int, m: int) -> LocalPeriod:
    last = add_months(dt.date(y, m, 1), 1) - dt.timedelta(days=1)
    return LocalPeriod(f"{y}-{m:02d}", dt.date(y, m, 1), last)


def test_add_months_keeps_the_day_or_the_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 1, 31), 12) == dt.date(2027, 1, 31)
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)


def test_graded_schedule_adds_up_exactly():
    plan = policy_with(GRADED).pay.deferred_bonus[0]
    # 1000 × 33.33% = 333.30, 333.30, then 1000 − 666.60 = 333.40
    assert schedule(plan, 1000) == [(12, 333.3), (24, 333.3), (36, 333.4)]
    # 100.01: 33.33 (3333.333 cents → 3333), 33.33, the rest 33.35
    assert schedule(plan, 100.01) == [(12, 33.33), (24, 33.33), (36, 33.35)]


def test_graded_deferral_withholds_cash_and_vests_a_third_a_year():
    policy = policy_with(GRADED)
    jan = month(2026, 1)
    earned = [Earned("2026-01", "E1", "customer_service", "junior", 1200.0, "A")]
    led = defer_and_vest(policy, [jan], earned, [], [])
    [line] = led.lines
    assert line["kind"] == "deferral" and line["cash"] is True
    assert line["amount"] == -360.0  # 30% of 1200 withheld from this month's cash
    # 36 000 cents × 33.33% = 11 998.8 → 119.99 twice, the last step 360 − 239.98 = 120.02
    assert [(s.due_on, s.amount) for s in led.steps] == [
        (dt.date(2027, 1, 31), 119.99),
        (dt.date(2028, 1, 31), 119.99),
        (dt.date(2029, 1, 31), 120.02),
    ]
    assert "30% of the bonus 1,200 = 360 deferred" in line["explanation"]
    assert led.settlements == []
    assert balances(led.steps, led.settlements) == {"E1": 360.0}

    # a year later the first step vests in the period holding its due day
    jan27 = month(2027, 1)
    later = defer_and_vest(policy, [jan27], [], led.steps, [])
    [paid] = later.lines
    assert (paid["kind"], paid["period"], paid["amount"], paid["cash"]) == (
        "vesting",
        "2027-01",
        119.99,
        True,
    )
    assert "step 1/3 of the 2026-01 deferral (360): 119.99 due 2027-01-31" in paid["explanation"]
    assert paid["steps"][0]["step"] == 1
    assert balances(led.steps, later.settlements) == {"E1": 240.01}


def test_a_step_due_before_the_cycle_vests_in_its_first_period():
    policy = policy_with(GRADED)
    led = defer_and_vest(
        policy, [month(2026, 1)], [Earned("2026-01", "E1", "x", "", 1000.0, "B")], [], []
    )
    # no cycle ran in early 2027; the next one starts in March 2028: two steps catch up
    later = defer_and_vest(policy, [month(2028, 3)], [], led.steps, [])
    assert [(s.period, s.step.step) for s in later.settlements] == [("2028-03", 1), ("2028-03", 2)]
    assert later.lines[0]["amount"] == 199.98  # 30% of 1000 = 300; 99.99 twice


def test_cliff_by_rating_is_not_cash_and_forfeits_on_leaving():
    policy = policy_with(CLIFF)
    periods = [month(2026, 1), month(2026, 2)]
    earned = [
        Earned("2026-01", "E1", "telesales", "junior", 900.0, "S"),
        Earned("2026-01", "E2", "telesales", "junior", 900.0, "B"),  # B puts nothing in
        Earned("2026-02", "E1", "telesales", "junior", 900.0, "A"),
    ]
    led = defer_and_vest(policy, periods, earned, [], [])
    assert [(x["period"], x["amount"], x["cash"]) for x in led.lines] == [
        ("2026-01", 500.0, False),
        ("2026-02", 200.0, False),
    ]
    assert [(s.due_on, s.amount) for s in led.steps] == [
        (dt.date(2028, 1, 31), 500.0),
        (dt.date(2028, 2, 28), 200.0),  # granted 2026-02-28: the day is kept
    ]
    # E1 leaves on 2028-02-10: the January deferral has vested, the February one is forfeited
    left = [Event("E1", dt.date(2028, 2, 10), "leaving")]
    later = defer_and_vest(policy, [month(2028, 1), month(2028, 2)], [], led.steps, left)
    assert [(s.kind, s.period, s.step.source_period) for s in later.settlements] == [
        ("vest", "2028-01", "2026-01"),
        ("forfeit", "2028-02", "2026-02"),
    ]
    assert "forfeited: leaving on 2028-02-10" in later.settlements[1].reason
    assert [x["amount"] for x in later.lines] == [500.0]
    assert balances(led.steps, later.settlements) == {}


def test_demotion_forfeits_only_when_the_plan_says_so():
    demoted = [Event("E1", dt.date(2026, 6, 1), "demotion")]
    for plans, forfeited in ((GRADED, False), (CLIFF, True)):
        policy = policy_with(plans)
        earned = [Earned("2026-01", "E1", "telesales", "", 1000.0, "S")]
        led = defer_and_vest(policy, [month(2026, 1)], earned, [], [])
        later = defer_and_vest(policy, [month(2026, 6)], [], led.steps, demoted)
        assert bool(later.settlements) is forfeited
    # a demotion before the deferral does not touch it
    policy = policy_with(CLIFF)
    led = defer_and_vest(
        policy, [month(2026, 7)], [Earned("2026-07", "E1", "telesales", "", 1000.0, "S")], [], []
    )
    assert defer_and_vest(policy, [month(2026, 8)], [], led.steps, demoted).settlements == []


def test_positions_limit_who_defers():
    policy = load_policy(EXAMPLE)  # the shipped pool: customer service and telesales only
    led = defer_and_vest(
        policy,
        [month(2026, 1)],
        [
            Earned("2026-01", "E1", "front_desk", "", 1000.0, "A"),
            Earned("2026-01", "E2", "telesales", "", 1000.0, "A"),
        ],
        [],
        [],
    )
    assert [x["employee_id"] for x in led.lines] == ["E2"]
    assert led.lines[0]["amount"] == -200.0


@pytest.mark.parametrize(
    ("plans", "message"),
    [
        (GRADED.replace("      share: 30\n", ""), "exactly one of share"),
        (GRADED.replace("share: 30", "share: 30\n      amount_by_rating: {S: 1}"), "one of"),
        (GRADED.replace("percent: 33.34", "percent: 30"), "must sum to 100, got 96.66"),
        (GRADED.replace("months: 24", "months: 6"), "strictly increasing months"),
        (CLIFF.replace("S: 500", "Z: 500"), "refers to rating 'Z', which is not defined"),
        (CLIFF.replace("[leaving, demotion]", "[quitting]"), "'leaving' or 'demotion'"),
    ],
)
def test_invalid_plans_are_explained(plans, message):
    text = EXAMPLE.replace("  deferred_bonus:\n", plans + "  old_deferred_bonus:\n", 1)
    start = text.index("  old_deferred_bonus:\n")
    text = text[:start] + text[text.index("\ninstant_rewards:") + 1 :]
    policy, errors = validate_text(text)
    assert policy is None
    shown = " | ".join(str(e) for e in errors)
    assert message in shown, shown
    assert re.match(r"line 2[23]\d, column", shown), shown  # points into the plan
