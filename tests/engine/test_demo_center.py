"""The demo's people: positions, teams, leads, statuses and persistent skill."""

from __future__ import annotations

from collections import Counter
from datetime import date

import numpy as np

from callgrade.engine.demo.center import LEVELS, build_center

START, END = date(2026, 1, 1), date(2026, 7, 1)


def _center(seed: int = 42):
    return build_center(np.random.default_rng(seed), 200, START, END)


def test_positions_and_teams():
    c = _center()
    codes = Counter(c.position_code(i) for i in range(c.n))
    # floor(200 × 12/25/40/23 %) with the remainder in customer service
    assert codes == {
        "front_desk": 24,
        "telesales": 50,
        "customer_service": 80,
        "technical_support": 46,
    }
    teams = Counter(c.team)
    assert all(10 <= size <= 15 for size in teams.values()), teams
    assert len(teams) == 2 + 4 + 6 + 4
    for team in teams:
        members = [i for i in range(c.n) if c.team[i] == team]
        leads = [i for i in members if c.team_lead[i] is None]
        assert len(leads) == 1
        (lead,) = leads
        assert LEVELS[c.level[lead]] in ("senior", "expert") and c.status[lead] != "left"
        assert {c.team_lead[i] for i in members if i != lead} == {c.ids[lead]}
        assert len({c.position[i] for i in members}) == 1


def test_status_follows_dates():
    c = _center()
    for i in range(c.n):
        if c.status[i] == "left":
            assert c.left_date[i] is not None and START < c.left_date[i] < END
        elif c.status[i] == "probation":
            assert (END - c.hire_date[i]).days < 90 and c.left_date[i] is None
        else:
            assert (END - c.hire_date[i]).days >= 90 and c.left_date[i] is None
    assert Counter(c.status)["probation"] >= 5 and Counter(c.status)["left"] >= 1
    years = [(START - h).days / 365 for h in c.hire_date]
    assert max(years) > 5 and min(years) < 0  # veterans and hires during the period


def test_stars_and_strugglers_are_clear_and_skill_is_consistent():
    c = _center()
    qa_rank = np.argsort(-c.qa_mean)
    top, bottom = qa_rank[:5], qa_rank[-5:]
    # The best QA agents also please customers more and complain-generate less than the worst.
    assert c.csat_mean[top].min() > c.csat_mean[bottom].max()
    assert c.complaint_rate[top].max() < c.complaint_rate[bottom].min()
    assert c.qa_mean[top].min() - c.qa_mean[bottom].max() > 15
    # The exported skill is the one the facts follow.
    assert c.skill[top].min() > c.skill[bottom].max()
    assert np.corrcoef(c.skill, c.qa_mean)[0, 1] > 0.9
    # Different seeds, different people; same seed, same people.
    assert _center(1).names != c.names and _center(42).names == c.names
