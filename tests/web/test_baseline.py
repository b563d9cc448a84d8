"""The current-state report in the app: HR computes it for a period as a background job, reads
its findings and tables in either language, downloads the workbook and prints it; bad periods
are refused with the reason and start nothing."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from callgrade.baseline.models import BaselineReport
from callgrade.core.models import AuditEvent, Job
from callgrade.people.models import Employee


def test_the_demo_seed_computes_a_report_with_findings(login: Any, hr: Any) -> None:
    report = BaselineReport.objects.order_by("id").first()
    assert report is not None
    r = report.result
    staff = Employee.objects.exclude(status="left").count()
    assert r["headcount"] == staff == report.headcount
    assert sum(s["n"] for s in r["staffing"] if s["dimension"] == "position") == staff
    assert r["months"] == ["2026-01", "2026-02"] and r["kpis"] and r["findings"]
    c = login(hr)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = c.get("/baseline/").content.decode()
    assert 'id="findings"' in html and 'id="kpi-table"' in html
    assert "Month-to-month stability" in html and "Coverage and gaps" in html


def test_hr_computes_a_report_for_a_period_and_it_is_audited(login: Any, hr: Any) -> None:
    before = BaselineReport.objects.count()
    c = login(hr)
    r = c.post("/baseline/run/", {"period": "2026-02"})
    assert r.status_code == 302
    job = Job.objects.filter(kind="baseline_report").latest("id")
    assert job.state == Job.DONE, job.error
    report = BaselineReport.objects.latest("id")
    assert BaselineReport.objects.count() == before + 1
    assert (
        report.job_id == job.pk
        and report.label == "2026-02"
        and report.result["months"] == ["2026-02"]
    )
    assert AuditEvent.objects.filter(action="baseline_report", object_id=str(report.pk)).exists()
    page = c.get(f"/baseline/?report={report.pk}").content.decode()
    assert "2026-02" in page
    progress = c.get("/baseline/job/").content.decode()
    assert 'data-state="done"' in progress


def test_a_bad_period_is_refused_with_the_reason_and_starts_nothing(login: Any, hr: Any) -> None:
    c = login(hr)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    jobs = Job.objects.filter(kind="baseline_report").count()
    for period, words in (
        ("March", "Period March"),
        ("", "Give a period"),
        ("2020-01-01..2026-12-31", "at most 24"),
    ):
        r = c.post("/baseline/run/", {"period": period}, follow=True)
        assert words in r.content.decode(), period
    assert Job.objects.filter(kind="baseline_report").count() == jobs


def test_the_workbook_and_the_printable_page(login: Any, hr: Any) -> None:
    report = BaselineReport.objects.order_by("id").first()
    assert report is not None
    c = login(hr)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    r = c.get(f"/baseline/{report.pk}/report.xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["主要发现", "人员配置", "指标分布", "数据覆盖"]
    kpis = wb["指标分布"]
    assert kpis.max_row - 1 == len(report.result["kpis"])
    first = report.result["kpis"][0]
    assert kpis.cell(row=2, column=3).value == first["n"]
    assert abs(kpis.cell(row=2, column=7).value - first["percentiles"]["p50"]) < 1e-9
    findings = wb["主要发现"]
    assert findings.max_row - 1 == len(report.result["findings"])
    page = c.get(f"/baseline/{report.pk}/print/")
    assert page.status_code == 200 and 'class="printable"' in page.content.decode()
