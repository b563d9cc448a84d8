"""A team's live board in a browser: the lead opens a "calls answered" contest for their team
through the form; calls a teammate answers are posted as live events, ``callgrade live``
counts them, and the open pages — the lead's board and the agent's place — change without a
reload (server-sent events, under the app's Content-Security-Policy)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

# A teammate of the agent (not the agent: their own calls would count towards the instant reward
# another browser test watches for), by employee id and name.
MATE = """
import django; django.setup()
from callgrade.people.models import Employee
me = Employee.objects.get(user__username="agent")
mate = (Employee.objects.filter(team=me.team).exclude(pk=me.pk).exclude(status="left")
        .order_by("employee_id").first())
print(mate.employee_id); print(mate.name)
"""


def test_a_team_board_follows_the_calls_as_they_are_answered(
    page_as: Any, app_server: dict[str, Any], tmp_path: Path
) -> None:
    base, env = app_server["base"], app_server["env"]
    found = subprocess.run([sys.executable, "-c", MATE], env=env, capture_output=True, text=True,
                           timeout=60)  # fmt: skip
    assert found.returncode == 0, found.stderr[-2000:]
    mate_id, mate_name = found.stdout.strip().splitlines()[-2:]

    lead = page_as("lead")
    lead.goto(f"{base}/contests/new/")
    today = dt.date.today().isoformat()
    form = lead.locator("#contest-form")
    form.locator("input[name=title]").fill("Calls today, browser")
    form.locator("select[name=metric]").select_option("calls")
    form.locator("input[name=starts_on]").fill(today)
    form.locator("input[name=ends_on]").fill(today)
    with lead.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "calls answered (live)" in lead.inner_text("h1 + p").lower()
    url = lead.url
    lead.evaluate("window.__still_this_page = true")

    agent = page_as("agent")
    agent.goto(url)
    agent.evaluate("window.__still_this_page = true")
    assert agent.inner_text("#my-place").startswith("Your place: 1")  # nobody is ahead yet

    # the calls reach the app as another system posts them (a KPI event each: answer_rate 1),
    # and one round of `callgrade live` takes them in; its own data directory here, so the
    # queue_log another browser test follows in the app's keeps its place
    made = subprocess.run(
        [sys.executable, "-m", "callgrade.cli", "event-source", "browser board", "--data-dir",
         str(tmp_path / "live")],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr[-2000:]
    token = re.search(r"cgev_[A-Za-z0-9_-]+", made.stdout + made.stderr)
    assert token is not None, made.stdout[-2000:]
    at = dt.datetime.now(dt.UTC).isoformat()
    body = [{"id": f"b{k}", "type": "kpi", "kpi": "answer_rate", "value": 1,
             "employee_id": mate_id, "at": at} for k in range(3)]  # fmt: skip
    request = urllib.request.Request(
        f"{base}/live/events/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token[0]}"},
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        assert json.loads(r.read())["new"] == 3
    live = subprocess.run(
        [sys.executable, "-m", "callgrade.cli", "live", "--queue-log", str(tmp_path / "none"),
         "--data-dir", str(tmp_path / "live"), "--once"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert live.returncode == 0, live.stderr[-2000:]

    # the teammate's row reaches 3 calls on both open pages (others may have calls of their own
    # today: another browser test answers calls as the agent on this same app)
    mate_row = """name => [...document.querySelectorAll('#leaderboard tbody tr')].some(tr => {
          const td = tr.querySelectorAll('td');
          return td.length > 3 && td[1].innerText === name && td[2].innerText === '3'
            && td[3].innerText === '3';
        })"""
    lead.wait_for_function(mate_row, arg=mate_name, timeout=20_000)
    assert "Live: counted up to" in lead.inner_text("#as-of")
    agent.wait_for_function(mate_row, arg=mate_name, timeout=20_000)
    assert agent.inner_text("#my-place").startswith("Your place: ")
    assert lead.evaluate("window.__still_this_page") is True  # no reload happened
    assert agent.evaluate("window.__still_this_page") is True
