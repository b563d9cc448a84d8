"""A lead sees who to talk to this week and the overdue follow-up, records a conversation with
the agent through the form; the agent reads it under My coaching and replies; the lead sees the
reply. HR reads the demo's finished selection, and the coaching and talent pages fit a phone."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("CALLGRADE_SCREENSHOTS")


def _shot(page: Any, tmp_path: Path, name: str) -> None:
    page.screenshot(path=str(Path(SHOTS or tmp_path) / f"{name}.png"), full_page=True)


def test_a_conversation_from_suggestion_to_reply(
    page_as: Any, app_server: dict[str, Any], tmp_path: Path
) -> None:
    base = app_server["base"]
    lead = page_as("lead")
    lead.goto(f"{base}/coaching/")
    # the demo's small team was coached lately: the rules may find nobody, but they are read
    assert lead.locator("#suggested").is_visible()
    assert lead.locator("#overdue tbody tr[data-note]").count() >= 1
    _shot(lead, tmp_path, "coaching-lead")
    # the agent reads the demo's notes; their employee id is on each note
    agent = page_as("agent")
    agent.goto(f"{base}/me/coaching/")
    before = agent.locator("#my-notes tbody tr[data-note]").count()
    assert before >= 3
    agent.locator("#my-notes tbody tr[data-note] a").first.click()
    employee_id = re.search(r"E\d+", agent.locator("p.muted").first.inner_text())
    assert employee_id is not None
    # the lead records a one-to-one with them through the form
    lead.locator("#coaching-new").click()
    lead.wait_for_selector("#coaching-form")
    option = lead.locator("select[name=employee] option", has_text=employee_id.group(0))
    lead.select_option("select[name=employee]", option.get_attribute("value"))
    lead.select_option("select[name=kind]", "one_on_one")
    lead.fill("textarea[name=notes]", "Talked about the transfer rate and when to escalate.")
    lead.fill("textarea[name=actions]", "Ask a senior before transferring a billing call.")
    with lead.expect_navigation():
        lead.click("#coaching-form button[type=submit]")
    assert lead.locator("#note").is_visible()
    # the agent finds it first in their list, replies once, and the lead reads the reply
    agent.goto(f"{base}/me/coaching/")
    assert agent.locator("#my-notes tbody tr[data-note]").count() == before + 1
    agent.locator("#my-notes tbody tr[data-note] a").first.click()
    agent.wait_for_selector("#respond-form")
    agent.fill("#respond-form textarea[name=reply]", "Agreed; I will ask first.")
    with agent.expect_navigation():
        agent.click("#respond-form button[type=submit]")
    assert "Agreed; I will ask first." in agent.locator("#reply").inner_text()
    assert agent.locator("#respond-form").count() == 0  # one reply
    _shot(agent, tmp_path, "coaching-note-agent")
    lead.reload()
    assert "Agreed; I will ask first." in lead.locator("#reply").inner_text()


def test_hr_reads_the_finished_selection(
    page_as: Any, app_server: dict[str, Any], tmp_path: Path
) -> None:
    base = app_server["base"]
    hr = page_as("hr")
    hr.goto(f"{base}/talent/")
    hr.locator("#posts tbody tr[data-post] a").first.click()
    hr.wait_for_selector("#shortlist")
    states = hr.locator("#shortlist tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.state)"
    )
    assert sorted(states) == ["appointed", "not_selected", "not_selected"]
    assert hr.locator("#candidates tbody tr[data-ready='1']").count() > 0
    _shot(hr, tmp_path, "talent-post")


@pytest.mark.parametrize(("who", "path"), [("lead", "/coaching/"), ("agent", "/me/coaching/"),
                                           ("hr", "/talent/")])  # fmt: skip
def test_the_pages_fit_a_phone(page_as: Any, app_server: dict[str, Any], who: str,
                               path: str) -> None:  # fmt: skip
    page = page_as(who, lang="zh")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app_server['base']}{path}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{path} is {width}px wide"
