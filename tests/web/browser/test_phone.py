"""An agent's pages on a 390 px phone: nothing is wider than the screen (the navigation scrolls by
itself, table rows become labelled cards), in Chinese and in English."""

from __future__ import annotations

from typing import Any

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
    pages = ["/me/", "/me/appeals/", "/standard/", "/notifications/"]
    page.goto(f"{base}/me/")
    # the drill-down behind the first scored item, and the page of every indicator
    pages.append(page.locator("table.items a").first.get_attribute("href") or "")
    pages.append(page.locator("#indicators-link").get_attribute("href") or "")
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
