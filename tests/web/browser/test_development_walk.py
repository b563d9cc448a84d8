"""From a gap to a completed exam, in the browser: HR records an assessment below what the
agent's next level requires, computes a cycle, and the gap is proposed with its evidence; the
agent's lead assigns the course with a due date; the agent sees why and by when, and enrols in
a session HR schedules; HR records the attendance and a passing exam score; the agent sees the
training on record and the assignment completed. (That such a record makes the next cycle's
training condition hold is tested through the services in tests/web/test_development.py: the
demo's standard has no training condition.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def test_an_agent_goes_from_a_gap_to_an_assigned_course_to_a_passed_exam(
    page_as: Any, app_server: dict[str, Any], tmp_path: Any
) -> None:
    base = app_server["base"]
    agent = page_as("agent")
    agent.goto(f"{base}/me/development/")
    emp_id = agent.locator("#me-id").inner_text().strip()

    # HR: an exam of business knowledge and an observation of teamwork, far below any level
    hr = page_as("hr")
    hr.goto(f"{base}/org/employees/{emp_id}/")
    for competency, method in (("Business knowledge", "exam"), ("Teamwork", "observation")):
        hr.click("#assessment-form summary")
        form = hr.locator("#assessment-form form")
        form.locator("select[name=competency]").select_option(label=competency)
        form.locator("input[name=score]").fill("20")
        form.locator("select[name=method]").select_option(method)
        form.locator("input[name=assessed_at]").fill("2026-02-28")
        with hr.expect_navigation():
            form.locator("button[type=submit]").click()

    # HR computes a cycle: the gap is proposed
    hr.goto(f"{base}/cycles/")
    hr.fill("#cycle-form input[name=name]", "development walk")
    hr.fill("#cycle-form input[name=period]", "2026-01-01..2026-02-28")
    standard = hr.locator("#cycle-form select[name=policy_version] option:not([value=''])")
    hr.select_option(
        "#cycle-form select[name=policy_version]", standard.first.get_attribute("value")
    )
    _submit(hr, "#cycle-form button[type=submit]")
    _submit(hr, "#compute")
    hr.wait_for_selector("#job[data-state=done]", timeout=120_000)
    hr.goto(f"{base}/development/proposals/")
    row = hr.locator("#proposals tbody tr", has_text=emp_id).first
    why = row.inner_text()
    assert "requires" in why and "20" in why, why

    # the lead assigns it with a due date
    lead = page_as("lead")
    lead.goto(f"{base}/team/development/")
    pending = lead.locator("#pending tbody tr", has_text="requires").filter(
        has=lead.locator("form.decide")
    )
    mine = [i for i in range(pending.count()) if "20;" in pending.nth(i).inner_text()]
    assert mine, lead.locator("#pending").inner_text()
    target = pending.nth(mine[0])
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    target.locator("input[name=due]").fill(due)
    with lead.expect_navigation():
        target.locator("button[value=confirm]").click()

    # the agent sees the assignment: which training, why, by when
    agent.goto(f"{base}/me/development/")
    assigned = agent.locator("#assigned tbody tr").first.inner_text()
    assert "requires" in assigned and "assigned" in assigned
    training = agent.locator("#assigned tbody tr td").first.inner_text().strip()

    # HR schedules a session of that course; the agent enrols
    hr.goto(f"{base}/development/")
    hr.click("summary:text-is('Schedule a session')")
    form = hr.locator("#session-form")
    form.locator("select[name=course]").select_option(label=training)
    form.locator("input[name=day]").fill((dt.date.today() + dt.timedelta(days=3)).isoformat())
    form.locator("input[name=start]").fill("09:00")
    form.locator("input[name=end]").fill("12:00")
    form.locator("input[name=trainer]").fill("Zhuang Qi")
    form.locator("input[name=capacity]").fill("5")
    form.locator("input[name=online]").check()
    form.locator("input[name=open_to_all]").check()
    with hr.expect_navigation():
        form.locator("button[type=submit]").click()
    agent.goto(f"{base}/me/development/")
    session_row = agent.locator("#sessions tbody tr", has_text="Zhuang Qi").first
    with agent.expect_navigation():
        session_row.locator("button:text-is('Enrol')").click()
    assert (
        "enrolled" in agent.locator("#sessions tbody tr", has_text="Zhuang Qi").first.inner_text()
    )

    # HR records the attendance and a passing exam score
    hr.goto(f"{base}/development/")
    hr.locator("#sessions tbody tr", has_text="Zhuang Qi").first.locator("a").click()
    hr.wait_for_selector("#enrolments")
    line = hr.locator("#enrolments tbody tr", has_text=emp_id)
    line.locator("select").select_option("yes")
    line.locator("input[type=number]").fill("95")
    _submit(hr, "#attendance-form button[type=submit]")
    assert "passed" in hr.locator("#enrolments tbody tr", has_text=emp_id).inner_text()

    # the agent: the training is on record with its score, the assignment completed
    agent.goto(f"{base}/me/development/")
    records = agent.locator("#records").inner_text()
    assert "95" in records and "passed" in records
    assert "completed" in agent.locator("#assigned").inner_text()
    agent.screenshot(path=str(tmp_path / "my-development.png"), full_page=True)
