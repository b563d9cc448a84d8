"""The points store in a browser: HR opens the store and adds a reward, the agent redeems it
(the points are held at once), HR approves, the stock goes down and the agent's points are spent.
"""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.browser

# The agent has points to spend: an award of 30 points (what a contest prize would give).
POINTS = """
import datetime as dt
import django; django.setup()
from django.utils import timezone
from callgrade.engagement.models import Award
from callgrade.people.models import Employee
me = Employee.objects.get(user__username="agent")
Award.objects.get_or_create(key="browser-store:agent", defaults=dict(
    kind=Award.SUGGESTION, employee=me, rule="browser", label_en="Store test",
    label_zh="积分商城测试", points=30, day=dt.date.today(), at=timezone.now()))
"""


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text) or 0)


def test_an_agent_redeems_hr_approves_stock_and_points_follow(
    page_as: Any, app_server: dict[str, Any]
) -> None:
    base = app_server["base"]
    given = subprocess.run([sys.executable, "-c", POINTS], env=app_server["env"],
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert given.returncode == 0, given.stderr[-2000:]

    hr = page_as("hr")
    hr.goto(f"{base}/store/")
    if hr.locator("#store-switch input[name=open][value='1']").count():
        with hr.expect_navigation():
            hr.click("#store-switch button")
    form = hr.locator("#store-item-new")
    form.locator("input[name=name_zh]").fill("测试马克杯")
    form.locator("input[name=name_en]").fill("Browser mug")
    form.locator("input[name=cost]").fill("12")
    form.locator("input[name=stock]").fill("3")
    with hr.expect_navigation():
        form.locator("button[type=submit]").click()
    item = hr.locator("#store-items tr", has=hr.locator("input[value='Browser mug']"))
    assert item.locator("input[name=stock]").input_value() == "3"

    agent = page_as("agent")
    agent.goto(f"{base}/me/store/")
    before = _number(agent.inner_text("#store-available"))
    spent = _number(agent.locator("#store-balance strong").nth(2).inner_text())
    assert before >= 12
    row = agent.locator("#store-catalog tr", has_text="Browser mug")
    assert _number(row.locator("td").nth(2).inner_text()) == 3  # left
    with agent.expect_navigation():
        row.locator("button[type=submit]").click()
    assert _number(agent.inner_text("#store-available")) == before - 12  # held at once
    assert _number(agent.locator("#store-catalog tr", has_text="Browser mug")
                   .locator("td").nth(2).inner_text()) == 2  # fmt: skip
    mine = agent.locator("#store-requests tr", has_text="Browser mug").first
    assert mine.get_attribute("data-state") == "pending"

    hr.goto(f"{base}/store/")
    waiting = hr.locator("#store-pending tr", has_text="Browser mug")
    assert waiting.count() == 1
    with hr.expect_navigation():
        waiting.locator("button[value=approve]").click()
    assert hr.locator("#store-pending tr", has_text="Browser mug").count() == 0
    item = hr.locator("#store-items tr", has=hr.locator("input[value='Browser mug']"))
    assert item.locator("input[name=stock]").input_value() == "2"  # taken on approval
    decided = hr.locator("#store-decided tr", has_text="Browser mug").first
    assert decided.get_attribute("data-state") == "approved"

    agent.goto(f"{base}/me/store/")
    mine = agent.locator("#store-requests tr", has_text="Browser mug").first
    assert mine.get_attribute("data-state") == "approved"
    assert _number(agent.inner_text("#store-available")) == before - 12
    # the points are spent now, no longer held by a request
    assert _number(agent.locator("#store-balance strong").nth(2).inner_text()) == spent + 12
