"""The program dashboard and the current-state report in the browser: the dashboard's charts
(the adoption marked on the time axis, the level flows as a sankey) are drawn without a script
error, and the report's printable page hides the navigation on paper."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_the_program_dashboard_draws_its_charts(page_as: Any, app_server: dict[str, Any]) -> None:
    page = page_as("hr")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{app_server['base']}/program/")
    for chart in ("program-kpis", "program-ratings", "program-levels", "program-pay"):
        page.locator(f"#{chart} canvas").first.wait_for(state="attached")
    if page.locator("#flows-table").count():
        page.locator("#program-flows canvas").first.wait_for(state="attached")
    page.wait_for_timeout(1500)  # the charts animate in
    page.screenshot(path="/tmp/program.png", full_page=True)
    assert not errors
    # a lead's dashboard offers their own teams only
    lead = page_as("lead")
    lead.goto(f"{app_server['base']}/program/")
    assert lead.locator("#department").count() == 0
    assert lead.locator("#team option").count() == 2  # "All" and their team


def test_the_printable_report_leaves_the_navigation_off_paper(
    page_as: Any, app_server: dict[str, Any]
) -> None:
    page = page_as("hr")
    page.goto(f"{app_server['base']}/baseline/")
    page.locator("#baseline-print").click()
    page.emulate_media(media="print")
    assert not page.locator("header.top").is_visible()
    assert page.locator("#findings li").count() >= 1
    page.screenshot(path="/tmp/baseline-print.png", full_page=True)
