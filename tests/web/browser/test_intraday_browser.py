"""The intraday page in the browser: the chart is drawn from the numbers the page carries (no
inline script, nothing the Content-Security-Policy blocks), next to its table of numbers; the
form moves to another range and grain."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_intraday_chart_is_drawn_with_its_numbers(
    page_as: Any, app_server: dict[str, Any], tmp_path: Any, lang: str
) -> None:
    page = page_as("hr", lang=lang)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{app_server['base']}/intraday/")
    page.locator("#intraday-chart canvas").first.wait_for(state="attached")
    table = page.locator("#intraday-chart-data")
    assert table.get_attribute("class") == "visually-hidden"
    assert table.locator("tbody tr").count() == 48  # a day in half hours
    assert page.locator("#intraday-table tbody tr").count() >= 1
    page.screenshot(path=str(tmp_path / f"intraday-{lang}.png"), full_page=True)
    # an hour of the same day in quarter hours, per team, through the form
    day = (page.locator("input[name=from]").input_value() or "")[:10]
    page.fill("input[name=from]", f"{day}T10:00")
    page.fill("input[name=to]", f"{day}T11:00")
    page.select_option("select[name=grain]", "15min")
    page.select_option("select[name=by]", "team")
    page.locator("#intraday-filters button[type=submit]").click()
    page.wait_for_load_state("load")
    page.locator("#intraday-chart canvas").first.wait_for(state="attached")
    assert page.locator("#intraday-chart-data tbody tr").count() == 4
    assert page.locator("#intraday-table tbody tr").count() >= 1
