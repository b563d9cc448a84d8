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


def test_hr_fixes_a_standard_edits_it_in_the_form_simulates_and_publishes(
    page_as: Any, app_server: dict[str, Any], tmp_path: Path
) -> None:
    """Upload with an error, fix it; change a weight in the form editor (a new draft); Publish
    waits for a simulation; the summary, the changes in words and the details come first, then
    Publish with its confirmation; the published version keeps its changes and simulation, and
    an employee reads what changed above the acknowledge button."""
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
    with hr.expect_navigation():
        hr.click("form[action$='/standards/upload/'] button[type=submit]")
    assert "QA score weight 60% → 70%" in hr.locator("#change-sentences").inner_text()

    # the form editor: at the front desk QA from 70% to 65%, satisfaction from 30% to 35%
    with hr.expect_navigation():
        hr.click("#edit-link")
    hr.fill("input[name='weight.front_desk.courtesy.0']", "65")
    hr.fill("input[name='weight.front_desk.courtesy.1']", "25")  # 65 + 25: not 100
    with hr.expect_navigation():
        hr.click("#save-draft")
    assert "add up to 90%" in hr.locator("#edit-form").inner_text()
    hr.fill("input[name='weight.front_desk.courtesy.1']", "35")
    hr.fill("input[name='band.A']", "82")  # a rating band: it concerns everyone
    with hr.expect_navigation():
        hr.click("#save-draft")
    assert "2026.3" in hr.locator("h1").inner_text()
    assert "QA score weight 60% → 65%" in hr.locator("#change-sentences").inner_text()

    # Publish waits for a simulation of this draft
    assert hr.locator("#publish-form button[type=submit]").is_disabled()
    assert hr.locator("#publish-problem").is_visible()
    hr.click("#simulate-form button[type=submit]")
    hr.wait_for_selector("#sim-summary", timeout=60_000)
    summary = hr.locator("#sim-summary").inner_text()
    assert "$" in summary or "¥" in summary
    assert hr.locator("#chart-summary").inner_text().strip()
    # the chart of the swapped-in result is drawn by the app's script file (no inline script)
    hr.locator("#simulation-chart canvas").first.wait_for(state="attached")
    boxes = [
        hr.locator(sel).bounding_box()["y"]
        for sel in ("#sim-summary", "#change-sentences", "#sim-distribution", "#publish-form")
    ]
    assert boxes == sorted(boxes), "summary, changes, details, then Publish"
    hr.screenshot(path=str(tmp_path / "simulation.png"), full_page=True)
    publish = hr.locator("#publish-form button[type=submit]")
    assert publish.is_enabled()
    hr.check("#publish-form input[name=confirm]")
    with hr.expect_navigation():
        publish.click()
    assert "published" in hr.locator("#version-status").inner_text().lower()
    assert "QA score weight 60% → 65%" in hr.locator("#change-sentences").inner_text()
    assert hr.locator("#sim-summary").is_visible() and hr.locator("#sim-distribution").is_visible()

    agent = page_as("agent")
    agent.goto(f"{base}/standard/")
    assert "2026.3" in agent.locator("#standard-title").inner_text()
    changed = agent.locator("#acknowledgement #what-changed-list").inner_text()
    assert "A (Excellent) minimum score 80 → 82" in changed
    with agent.expect_navigation():
        agent.click("#acknowledgement button[type=submit]")
    assert agent.locator("#acknowledgement .ok").is_visible()
