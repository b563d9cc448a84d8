"""HR creates a grading cycle and computes it: the engine runs in the background of the served
app while the page shows the job's progress, then the results."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_hr_creates_and_computes_a_cycle_with_visible_progress(
    page_as: Any, app_server: dict[str, Any]
) -> None:
    hr = page_as("hr")
    hr.goto(f"{app_server['base']}/cycles/")
    hr.fill("#cycle-form input[name=name]", "browser cycle")
    hr.fill("#cycle-form input[name=period]", "2026-01-01..2026-02-28")
    standard = hr.locator("#cycle-form select[name=policy_version] option:not([value=''])")
    hr.select_option(
        "#cycle-form select[name=policy_version]", standard.first.get_attribute("value")
    )
    with hr.expect_navigation():
        hr.click("#cycle-form button[type=submit]")
    assert "browser cycle" in hr.locator("h1").inner_text()
    with hr.expect_navigation():
        hr.click("#compute")
    # The request returns at once; the job runs on a thread and the card polls its progress.
    first = hr.locator("#job").get_attribute("data-state")
    assert first in ("queued", "running", "done")
    if first != "done":
        assert hr.locator("#job .progress").is_visible()
    hr.wait_for_selector("#job[data-state=done]", timeout=90_000)
    hr.wait_for_selector("#summary")
    graded = hr.locator("#summary .big").first.inner_text()
    assert int(graded.replace(",", "")) > 0


def test_hr_downloads_the_payroll_sheet_and_its_totals_equal_the_cash_pay(
    page_as: Any, app_server: dict[str, Any], tmp_path: Any
) -> None:
    """From the cycle page, the payroll XLSX a clerk loads: one row per employee and month, a
    totals row whose cash total is the cash pay the page states (accrued awards apart)."""
    from decimal import Decimal

    import openpyxl

    hr = page_as("hr")
    hr.goto(f"{app_server['base']}/cycles/")
    hr.click("#cycles tbody a:text-is('demo')")
    hr.wait_for_selector("#cash-total")
    stated = Decimal(hr.locator("#cash-total").inner_text().replace("¥", "").replace(",", ""))
    with hr.expect_download() as download:
        hr.click("a.button:text-is('XLSX')")
    path = tmp_path / "pay.xlsx"
    download.value.save_as(path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None and str(sheet.freeze_panes).endswith("2")  # the header stays
    rows = list(sheet.iter_rows(values_only=True))
    header, body, total = rows[0], rows[1:-1], rows[-1]
    cash = header.index("Cash total")
    assert total[0] == "Total" and body
    assert sum(Decimal(str(r[cash])) for r in body) == Decimal(str(total[cash])) == stated
    assert not any(isinstance(c, str) and c.startswith("=") for r in rows for c in r)
