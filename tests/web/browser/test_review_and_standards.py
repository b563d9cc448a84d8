"""The workflows people do in a browser: a team lead nominates and HR approves; HR uploads a
standard with an error, fixes it, simulates and publishes it; an employee acknowledges it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

EXAMPLE = (
    Path(__file__).parents[3] / "src/callgrade/engine/policy/examples/four_positions.yaml"
).read_text("utf-8")


def test_lead_nominates_and_hr_approves(page_as: Any, app_server: dict[str, Any]) -> None:
    base = app_server["base"]
    lead = page_as("lead")
    lead.goto(f"{base}/team/")
    links = sorted(
        {h for h in lead.locator("a[href*='/review/']").evaluate_all("els => els.map(e => e.href)")}
    )
    assert links, "the lead's team table links to each member's review page"
    nominee = None
    for href in links:
        lead.goto(href)
        if lead.locator("#nominate-form select[name=level_to] option").count():
            nominee = href.rstrip("/").rsplit("/", 1)[-1]
            break
    assert nominee, "some member of the team can still move up the ladder"
    lead.fill("#nominate-form textarea[name=reason]", "Top quality scores all half-year")
    with lead.expect_navigation():
        lead.click("#nominate-form button[type=submit]")
    assert "Top quality scores all half-year" in lead.locator("#review-nominations").inner_text()

    hr = page_as("hr")
    hr.goto(f"{base}/nominations/")
    row = hr.locator("#pending tr", has_text=nominee)
    assert row.count() == 1
    row.locator("textarea[name=reason]").fill("Agreed with the team lead")
    with hr.expect_navigation():
        row.locator("button[value=approve]").click()
    decided = hr.locator("#decided tr", has_text=nominee)
    assert decided.count() == 1
    assert re.search(r"approved", decided.inner_text(), re.I)


def test_hr_fixes_a_standard_simulates_and_publishes_and_an_employee_acknowledges(
    page_as: Any, app_server: dict[str, Any], tmp_path: Path
) -> None:
    base = app_server["base"]
    hr = page_as("hr")
    hr.goto(f"{base}/standards/")
    lines = EXAMPLE.splitlines()
    broken = "\n".join([*lines[:2], "colour: blue", *lines[2:]])  # an unknown key on line 3
    hr.fill("textarea[name=text]", broken)
    hr.click("form[action$='/standards/upload/'] button[type=submit]")
    errors = hr.locator("#upload-errors")
    errors.wait_for()
    assert "line 3, column 1" in errors.inner_text()
    assert "colour" in errors.inner_text()

    fixed = (
        EXAMPLE.replace('version: "2026.1"', 'version: "2026.2"')
        .replace("- {kpi: qa_score, weight: 60,", "- {kpi: qa_score, weight: 70,")
        .replace("- {kpi: csat, weight: 40,", "- {kpi: csat, weight: 30,")
    )
    assert fixed.count("2026.2") == 1
    hr.fill("textarea[name=text]", fixed)
    hr.click("form[action$='/standards/upload/'] button[type=submit]")
    hr.wait_for_selector("#version-status")
    assert hr.locator("#diff").inner_text().count("weight: 70") >= 1
    hr.click("form[action*='/simulate/'] button[type=submit]")
    hr.wait_for_selector("#sim-distribution", timeout=60_000)
    hr.screenshot(path=str(tmp_path / "simulation.png"), full_page=True)
    hr.on("dialog", lambda d: d.accept())
    with hr.expect_navigation():
        hr.click("#publish-form button[type=submit]")
    assert "published" in hr.locator("#version-status").inner_text().lower()

    agent = page_as("agent")
    agent.goto(f"{base}/standard/")
    assert "2026.2" in agent.locator("#standard-title").inner_text()
    with agent.expect_navigation():
        agent.click("#acknowledgement button[type=submit]")
    assert agent.locator("#acknowledgement .ok").is_visible()
