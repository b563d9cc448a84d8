"""An agent logs in, sees their own scorecard with the explanation sentences, opens the records
behind a number, is refused another agent's scorecard, and switches the language."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_agent_sees_own_scorecard_and_is_refused_anothers(
    page_as: Any, app_server: dict[str, Any], tmp_path: Any
) -> None:
    page = page_as("agent")
    base = app_server["base"]
    assert page.url.rstrip("/").endswith("/me")
    assert page.locator("#scorecard-title").inner_text().startswith("My scorecard")
    explanations = page.locator("td.explanation").all_inner_texts()
    assert explanations and all(len(t) > 20 for t in explanations)
    assert page.locator("#checklist").is_visible()
    page.screenshot(path=str(tmp_path / "scorecard.png"), full_page=True)
    # The trend chart draws (ECharts renders into a canvas).
    page.wait_for_selector("#trend canvas")
    # Drill down to the records behind the first KPI.
    page.locator("table.items a").first.click()
    page.wait_for_selector("#records")
    assert page.locator("#records tbody tr").count() > 0
    # Someone else's scorecard: refused, and nothing about them is shown.
    other = app_server["other_employee"]
    response = page.goto(f"{base}/people/{other}/")
    assert response is not None and response.status == 404
    assert other not in page.content()


def test_language_switch(page_as: Any) -> None:
    page = page_as("agent", lang="zh")
    assert "我的评分卡" in page.locator("#scorecard-title").inner_text()
    with page.expect_navigation():
        page.select_option("#language-form select", "en")
    assert page.locator("#scorecard-title").inner_text().startswith("My scorecard")
    with page.expect_navigation():
        page.select_option("#language-form select", "zh-hans")
    assert "我的评分卡" in page.locator("#scorecard-title").inner_text()


def test_scorecard_leads_with_what_decides(page_as: Any) -> None:
    """The hero shows the period's score, the grading-period average the ladder compares, the
    rank's peer group and money in its currency; the next-grade card has one bar per condition of
    the checklist, full where the condition holds and short of full where it does not."""
    page = page_as("agent", lang="zh")
    hero = page.locator("#hero").inner_text()
    assert "定级期平均分" in page.locator("#grading-figure").inner_text()
    assert "在同岗位" in hero and "¥" in page.locator("#pay-cash").inner_text()
    card = page.locator("#next-grade")
    assert card.is_visible()
    items = card.locator(".progress-list li")
    rows = page.locator("#checklist tbody tr")
    assert items.count() == rows.count() > 0
    for i in range(items.count()):
        item = items.nth(i)
        width = item.locator(".bar").get_attribute("aria-valuenow")
        met = "met" in (item.get_attribute("class") or "")
        assert (width == "100") == met, (item.inner_text(), width)
        # the sentence is Chinese, never the engine's English or a code
        assert not any(w in item.inner_text() for w in ("needs", ">=", "_"))
    assert "—" in page.locator("#decision-sentence").inner_text()
