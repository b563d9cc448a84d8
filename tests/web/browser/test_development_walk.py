"""From a gap to a promotion condition that holds, in the browser, under the four-level customer
specialist standard (its senior level requires the product knowledge certification):

HR records a business-knowledge exam below what the senior level requires and computes January:
the gap is proposed with its evidence, and the agent's next-grade checklist (on the lead's page)
shows the certification missing. HR adds the certification to the catalog; the agent's lead
assigns it with a due date; the agent sees what, why and by when, and that the next level
requires it. HR schedules the February session, enrols the agent from the sign-in sheet and
records the attendance with a passing exam score; the agent sees the certification on record and
the assignment completed. HR computes February: the same condition now holds, in English and in
Chinese, by the standard's name of the certification.

It runs on a server of its own: publishing a second standard changes what every page reads."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

# The four-level standard published beside the demo's, and the walk's agent: an intermediate
# customer specialist without the certification, who gets the "agent" login, and their team lead
# the "lead" login (the demo's own agent and lead work in technical support).
SETUP = """
from django.contrib.auth import get_user_model
from callgrade.people.models import Employee
from callgrade.standards.services import policy_publish, policy_simulate, policy_upload
from callgrade.web.seed import EXAMPLES

text = (EXAMPLES / "customer_specialist_4_levels.yaml").read_text("utf-8")
draft = policy_upload(actor=None, text=text, filename="customer_specialist_4_levels.yaml")
policy_simulate(version=draft, period="2026-01", actor=None)  # publishing needs one
version = policy_publish(version=draft, actor=None)
emp = (
    Employee.objects.filter(position="customer_service", level="intermediate", status="active",
                            team__lead__isnull=False)
    .exclude(trainings__training="product_certification")
    .order_by("employee_id")
    .first()
)
for username, person in (("agent", emp), ("lead", emp.team.lead)):
    user = get_user_model().objects.get(username=username)
    Employee.objects.filter(user=user).update(user=None)
    person.user = user
    person.save(update_fields=["user"])
print(emp.employee_id, version.pk, emp.team_id)
"""
CERTIFICATION = "Product knowledge certification"


def _submit(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _computed_cycle(hr: Any, base: str, name: str, period: str, version: str, team: str) -> str:
    """HR creates a cycle of the lead's team under the four-level standard and computes it; the
    cycle's id."""
    hr.goto(f"{base}/cycles/")
    hr.fill("#cycle-form input[name=name]", name)
    hr.fill("#cycle-form input[name=period]", period)
    hr.select_option("#cycle-form select[name=policy_version]", version)
    hr.select_option("#cycle-form select[name=teams]", team)
    _submit(hr, "#cycle-form button[type=submit]")
    _submit(hr, "#compute")
    hr.wait_for_selector("#job[data-state=done]", timeout=60_000)
    return str(hr.url.rstrip("/").rsplit("/", 1)[-1])


def _certification_condition(page: Any) -> str:
    """The next-grade checklist's row of the certification, as its reader sees it."""
    row = page.locator("#checklist tbody tr", has_text=CERTIFICATION)
    assert row.count() == 1, page.locator("#checklist").inner_text()
    return str(row.inner_text())


def test_an_exam_passed_after_a_gap_makes_the_next_cycles_promotion_condition_hold(
    page_as: Any, own_server: Any, tmp_path: Any
) -> None:
    server = own_server(SETUP)
    base = server["base"]
    emp_id, version, team = server["setup"].split()

    # HR: a business-knowledge exam of 72 in January, below the senior level's 80
    hr = page_as("hr", server=server)
    hr.goto(f"{base}/org/employees/{emp_id}/")
    hr.click("#assessment-form summary")
    form = hr.locator("#assessment-form form")
    form.locator("select[name=competency]").select_option(label="Business knowledge")
    form.locator("input[name=score]").fill("72")
    form.locator("select[name=method]").select_option("exam")
    form.locator("input[name=assessed_at]").fill("2026-01-20")
    with hr.expect_navigation():
        form.locator("button[type=submit]").click()

    # January: the gap is proposed with its evidence, and the certification is missing
    january = _computed_cycle(hr, base, "January", "2026-01-01..2026-01-31", version, team)
    lead = page_as("lead", server=server)
    lead.goto(f"{base}/people/{emp_id}/?cycle={january}")
    before = _certification_condition(lead)
    assert "missing" in before and "met" not in before.replace("missing", ""), before

    # HR puts the certification in the catalog, with an exam passed at 80
    hr.goto(f"{base}/development/")
    hr.click("summary:text-is('Add a course')")
    form = hr.locator("#course-form")
    form.locator("select[name=training]").select_option(label=CERTIFICATION)
    form.locator("input[name=title_zh]").fill("产品知识认证")
    form.locator("input[name=title_en]").fill(CERTIFICATION)
    form.locator("input[name=hours]").fill("6")
    form.locator("input[name=pass_score]").fill("80")
    with hr.expect_navigation():
        form.locator("button[type=submit]").click()

    # the lead assigns it with a due date
    lead.goto(f"{base}/team/development/")
    pending = lead.locator("#pending tbody tr", has_text=CERTIFICATION)
    assert pending.count() == 1, lead.locator("#pending").inner_text()
    why = pending.inner_text()
    assert "72" in why and "80" in why, why
    due = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    pending.locator("input[name=due]").fill(due)
    with lead.expect_navigation():
        pending.locator("button[value=confirm]").click()

    # the agent sees the assignment: which training, why, by when
    agent = page_as("agent", server=server)
    agent.goto(f"{base}/me/development/")
    assigned = agent.locator("#assigned tbody tr", has_text=CERTIFICATION).inner_text()
    assert "assigned" in assigned and "72" in assigned, assigned
    # … and that the next level requires it, not yet on record
    required = agent.locator("#next-trainings tbody tr", has_text=CERTIFICATION).inner_text()
    assert "missing" in required and "Senior specialist" in required, required
    # the course closes the business-knowledge gap too, as the standard links them
    gap = agent.locator("#gaps tbody tr", has_text="Business knowledge").inner_text()
    assert CERTIFICATION in gap, gap

    # HR: the February session, the agent on its sign-in sheet, attended and passed with 88
    hr.goto(f"{base}/development/")
    hr.click("summary:text-is('Schedule a session')")
    form = hr.locator("#session-form")
    form.locator("select[name=course]").select_option(label=CERTIFICATION)
    form.locator("input[name=day]").fill("2026-02-10")
    form.locator("input[name=start]").fill("09:00")
    form.locator("input[name=end]").fill("15:00")
    form.locator("input[name=trainer]").fill("Zhuang Qi")
    form.locator("input[name=capacity]").fill("12")
    form.locator("input[name=online]").check()
    with hr.expect_navigation():
        form.locator("button[type=submit]").click()
    with hr.expect_navigation():
        hr.locator("#sessions tbody tr", has_text="Zhuang Qi").locator("a").click()
    hr.select_option("#enrol-form select[name=employee_id]", emp_id)
    _submit(hr, "#enrol-form button[type=submit]")
    line = hr.locator("#enrolments tbody tr", has_text=emp_id)
    line.locator("select").select_option("yes")
    line.locator("input[type=number]").fill("88")
    _submit(hr, "#attendance-form button[type=submit]")
    assert "passed" in hr.locator("#enrolments tbody tr", has_text=emp_id).inner_text()

    # the agent: the certification on record with its score, the assignment completed
    agent.goto(f"{base}/me/development/")
    record = agent.locator("#records tbody tr", has_text=CERTIFICATION).inner_text()
    assert "88" in record and "passed" in record, record
    assert "completed" in agent.locator("#assigned tbody tr", has_text=CERTIFICATION).inner_text()
    required = agent.locator("#next-trainings tbody tr", has_text=CERTIFICATION).inner_text()
    assert "on record" in required and "missing" not in required, required
    agent.screenshot(path=str(tmp_path / "my-development.png"), full_page=True)

    # February: the same condition now holds, on the lead's page
    february = _computed_cycle(hr, base, "February", "2026-02-01..2026-02-28", version, team)
    lead.goto(f"{base}/people/{emp_id}/?cycle={february}")
    after = _certification_condition(lead)
    assert "met" in after and "missing" not in after, after
    # January's checklist still says what held then
    lead.goto(f"{base}/people/{emp_id}/?cycle={january}")
    assert "missing" in _certification_condition(lead)
    # in Chinese: the certification by its name, never its code
    lead_zh = page_as("lead", lang="zh", server=server)
    lead_zh.goto(f"{base}/people/{emp_id}/?cycle={february}")
    said = lead_zh.locator("#checklist tbody tr", has_text="产品知识认证").inner_text()
    assert "全部完成：产品知识认证" in said and "已达成" in said, said
    assert not re.search(r"[A-Za-z]", said), said
    # … and the scorecard's assessed items by the standard's names, tenure in 年
    items = "\n".join(lead_zh.locator("table.items").all_inner_texts())
    assert "问题解决" in items and "年" in items, items
    assert not re.search(r"Problem solving|skill exam|years", items, re.I), items
    lead_zh.screenshot(path=str(tmp_path / "february-checklist-zh.png"), full_page=True)
