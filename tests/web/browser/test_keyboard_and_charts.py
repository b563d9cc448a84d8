"""Keyboard and screen reader: the first Tab lands on a visible "skip to content" link that moves
focus to the page's content, and the charts drawn in the browser are followed by their numbers
as a (visually hidden) table."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_the_first_tab_shows_the_skip_link_and_it_jumps_to_the_content(
    page_as: Any, app_server: dict[str, Any]
) -> None:
    page = page_as("agent")
    page.goto(f"{app_server['base']}/me/")
    link = page.locator("a.skip-link")
    assert link.bounding_box()["y"] < 0  # out of sight until focused
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = link.bounding_box()
    assert box["y"] >= 0 and box["height"] > 10
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"


def test_the_charts_drawn_in_the_browser_come_with_their_numbers(
    page_as: Any, app_server: dict[str, Any]
) -> None:
    page = page_as("lead")
    page.goto(f"{app_server['base']}/team/")
    for chart in ("rating-chart", "level-chart"):
        table = page.locator(f"#{chart}-data")
        table.wait_for(state="attached")
        assert table.get_attribute("class") == "visually-hidden"
        assert table.locator("tbody tr").count() >= 1
        assert table.locator("caption").inner_text().strip()
        assert page.locator(f"#{chart} canvas").count() == 1
    page.goto(f"{app_server['base']}/me/")
    trend = page.locator("#trend-data")
    trend.wait_for(state="attached")
    cells = trend.locator("tbody tr").first.locator("td").all_inner_texts()
    assert len(cells) == 4 and cells[0]  # period, total score, rating, team average
    assert page.locator("#trend canvas").count() == 1
    # a cycle's rating distribution, drawn from the numbers the page carries
    hr = page_as("hr")
    cycle = hr.goto(f"{app_server['base']}/cycles/")
    assert cycle is not None
    hr.locator("main a[href^='/cycles/']").first.click()
    hr.locator("#ratings-chart canvas").first.wait_for(state="attached")
    assert cells[1].count(".") <= 1 and len(cells[1].partition(".")[2]) <= 1  # 68.1, not 68.1159…
