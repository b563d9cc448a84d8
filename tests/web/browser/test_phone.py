"""An agent's pages on a 390 px phone: nothing is wider than the screen (the navigation scrolls by
itself, table rows become labelled cards), in Chinese and in English."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_agents_pages_fit_a_phone(
    page_as: Any, app_server: dict[str, Any], tmp_path: Any, lang: str
) -> None:
    page = page_as("agent", lang=lang)
    page.set_viewport_size(PHONE)
    base = app_server["base"]
    pages = ["/me/", "/me/appeals/", "/standard/", "/notifications/", "/suggestions/",
             "/suggestions/new/", "/me/suggestions/", "/activities/", "/intraday/"]  # fmt: skip
    page.goto(f"{base}/me/")
    # the drill-down behind the first scored item, and the page of every indicator
    pages.append(page.locator("table.items a").first.get_attribute("href") or "")
    pages.append(page.locator("#indicators-link").get_attribute("href") or "")
    page.goto(f"{base}/suggestions/")  # a suggestion and an activity of the demo
    pages.append(page.locator("#suggestions tbody a").first.get_attribute("href") or "")
    page.goto(f"{base}/activities/")
    pages.append(page.locator("#upcoming tbody a").first.get_attribute("href") or "")
    for path in pages:
        page.goto(path if path.startswith("http") else f"{base}{path}")
        page.wait_for_load_state("load")
        width = page.evaluate("document.documentElement.scrollWidth")
        page.screenshot(path=str(tmp_path / f"{lang}{path.replace('/', '_')[:40]}.png"))
        assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px phone"
    # a table row is a card whose values carry their column's name
    page.goto(f"{base}/me/")
    label = page.locator("#checklist tbody td").first.get_attribute("data-label")
    assert label


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_records_behind_a_kpi_fit_a_phone_and_a_wide_screen(
    page_as: Any, app_server: dict[str, Any], tmp_path: Any, lang: str
) -> None:
    """The drill-down at its widest (calls with the data source shown, a page past the first):
    no sideways scroll on a 390 px phone, where each record is a card of labelled values, nor at
    1440 px, where it is a table."""
    page = page_as("agent", lang=lang)
    base = app_server["base"]
    page.goto(f"{base}/me/")
    href = page.locator("table.items a").first.get_attribute("href") or ""
    query = parse_qs(urlparse(href).query)
    url = (
        f"{base}/people/{href.split('/')[2]}/records/?cycle={query['cycle'][0]}"
        f"&period={query['period'][0]}&kpi=answer_rate&source=1&page=2"
    )
    for name, size in (("phone", PHONE), ("wide", {"width": 1440, "height": 900})):
        page.set_viewport_size(size)
        page.goto(url)
        page.wait_for_load_state("load")
        page.screenshot(path=str(tmp_path / f"records-{name}-{lang}.png"))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"records are {width} px wide at {size['width']} px"
        assert page.locator("table.records tbody tr").count() == 50
    # on the phone every value of a record carries its column's name
    page.set_viewport_size(PHONE)
    cell = page.locator("table.records tbody tr").first.locator("td").nth(3)
    label = cell.get_attribute("data-label") or ""
    assert label and "_" not in label
    assert page.locator("table.records thead").first.is_hidden()
