"""The grading standard: HR uploads (with line-numbered errors), compares, simulates and
publishes versions; everyone reads the published standard and acknowledges it; HR follows who
has not yet."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from callgrade.core.models import AuditEvent
from callgrade.engine.kpis import REGISTRY
from callgrade.people.models import Employee
from callgrade.standards.models import Acknowledgement, PolicyVersion
from callgrade.standards.services import (
    acknowledge,
    policy_current,
    policy_simulate,
)
from callgrade.standards.text import KPI_WORDS, kpis_used, standard_for_people

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "src/callgrade/engine/policy/examples/four_positions.yaml"
)
CS_ITEMS = "{kpi: answer_rate, weight: 50, floor: 0.80, target: 0.98, min_sample: 50}"
CS_CSAT = "{kpi: csat, weight: 50, floor: 0.70, target: 0.95, min_sample: 20}"


def modified(version: str = "2026.2") -> str:
    """The shipped standard with a new version and customer service weighted toward answering."""
    text = EXAMPLE.read_text("utf-8")
    assert CS_ITEMS in text and CS_CSAT in text
    return (
        text.replace('version: "2026.1"', f'version: "{version}"')
        .replace(CS_ITEMS, CS_ITEMS.replace("weight: 50", "weight: 70"))
        .replace(CS_CSAT, CS_CSAT.replace("weight: 50", "weight: 30"))
    )


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def simulate(version: PolicyVersion, actor: Any, period: str = "2026-01") -> Any:
    """A finished simulation of ``version`` (jobs run inline in tests); one month keeps it fast."""
    job = policy_simulate(version=version, period=period, actor=actor)
    job.refresh_from_db()
    assert job.state == "done", job.error
    return job


@pytest.fixture
def draft(login: Any, hr: Any) -> PolicyVersion:
    r = login(hr).post("/standards/upload/", {"text": modified()})
    assert r.status_code == 302
    return PolicyVersion.objects.get(code="four_positions", version="2026.2")


def test_upload_with_an_error_names_the_line_and_shows_the_numbered_text(
    login: Any, hr: Any
) -> None:
    text = modified().replace("rank: 3, label", "rank: three, label")
    broken = line_of(text, "rank: three")
    r = login(hr).post("/standards/upload/", {"text": text})
    assert r.status_code == 400
    html = r.content.decode()
    assert f"line {broken}, column" in html
    assert "[ladders[0].levels[2].rank]" in html
    assert f'<tr id="yaml-line-{broken}" class="error-line">' in html
    assert not PolicyVersion.objects.filter(version="2026.2").exists()


def test_file_upload_of_a_valid_standard_makes_a_draft(login: Any, hr: Any) -> None:
    f = SimpleUploadedFile("p.yaml", modified("2026.9").encode("utf-8"), "text/yaml")
    r = login(hr).post("/standards/upload/", {"file": f})
    v = PolicyVersion.objects.get(code="four_positions", version="2026.9")
    assert r.status_code == 302 and r["Location"] == f"/standards/{v.pk}/"
    assert v.status == PolicyVersion.DRAFT and v.uploaded_by == hr
    assert AuditEvent.objects.filter(action="policy_upload", object_id=str(v.pk)).exists()
    # the same version twice is refused, at line 1
    again = SimpleUploadedFile("p.yaml", modified("2026.9").encode("utf-8"), "text/yaml")
    r = login(hr).post("/standards/upload/", {"file": again})
    assert r.status_code == 400 and "already exists" in r.content.decode()


def test_version_page_shows_the_changed_line_and_setting(
    login: Any, hr: Any, draft: PolicyVersion
) -> None:
    r = login(hr).get(f"/standards/{draft.pk}/")
    assert r.status_code == 200
    diff = r.context["diff"]
    added = [line["text"] for line in diff["lines"] if line["kind"] == "add"]
    removed = [line["text"] for line in diff["lines"] if line["kind"] == "del"]
    assert any("answer_rate, weight: 70" in t for t in added)
    assert any("answer_rate, weight: 50" in t for t in removed)
    changes = {c["path"]: (c["before"], c["after"]) for c in diff["changes"]}
    path = "scorecards[customer_service].dimensions[service].items[answer_rate].weight"
    assert changes[path] == (50.0, 70.0)
    assert "version" not in changes
    assert '<span class="diff-add">+' in r.content.decode()


def test_simulation_compares_the_draft_with_the_published_version(
    login: Any, hr: Any, draft: PolicyVersion, demo_cycle: Any
) -> None:
    c = login(hr)
    page = c.get(f"/standards/{draft.pk}/")
    assert page.context["period"] == demo_cycle.period  # the latest computed cycle's
    r = c.post(
        f"/standards/{draft.pk}/simulate/", {"period": demo_cycle.period}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200
    job = r.context["job"]
    assert job.state == "done", job.error
    report = r.context["report"]
    assert set(report) == {"ratings", "levels", "pay", "distribution", "actions"}
    # every graded employee has one ladder action under each standard
    actions = report["actions"]
    assert sum(a["before"] for a in actions) == sum(a["after"] for a in actions) > 0
    # Weighting customer service toward answering moves someone's rating, and the distribution
    # counts everyone in both versions.
    assert report["ratings"], "the changed weights should change at least one rating"
    for row in report["distribution"]:
        assert row["shift"] == row["after"] - row["before"]
    assert sum(r["before"] for r in report["distribution"]) == sum(
        r["after"] for r in report["distribution"]
    )
    assert report["pay"][-1]["employee_id"] == "(total)"
    html = r.content.decode()
    assert 'id="sim-ratings"' in html and "hx-trigger" not in html  # done: polling stops
    # the poll URL answers with the same tables
    poll = c.get(f"/standards/{draft.pk}/simulate/{job.pk}/")
    assert poll.status_code == 200 and 'id="sim-distribution"' in poll.content.decode()


def test_simulation_refuses_a_bad_period(login: Any, hr: Any, draft: PolicyVersion) -> None:
    r = login(hr).post(
        f"/standards/{draft.pk}/simulate/", {"period": "someday"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and "someday" in r.content.decode()
    assert r.context.get("job") is None


def test_publish_retires_the_old_version_and_the_publicity_page_shows_the_new_one(
    login: Any, hr: Any, agent: Any, draft: PolicyVersion
) -> None:
    old = policy_current("four_positions")
    assert old is not None and old.version == "2026.1"
    simulate(draft, hr)
    r = login(hr).post(f"/standards/{draft.pk}/publish/", {"confirm": "1"})
    assert r.status_code == 302
    old.refresh_from_db()
    draft.refresh_from_db()
    assert old.status == PolicyVersion.RETIRED
    assert draft.status == PolicyVersion.PUBLISHED
    assert AuditEvent.objects.filter(action="policy_publish", object_id=str(draft.pk)).exists()
    assert agent.notifications.filter(url="/standard/").exists()
    page = login(agent).get("/standard/")
    assert page.context["version"].pk == draft.pk
    html = page.content.decode()
    assert "2026.2" in html
    # the new weight is on the page: customer service answer rate at 70%
    cs = page.context["standard"]["scorecards"][2]
    assert cs["code"] == "customer_service"
    assert cs["dimensions"][0]["items"][0]["weight"] == 70
    # publishing twice is refused
    again = login(hr).post(f"/standards/{draft.pk}/publish/", {"confirm": "1"}, follow=True)
    assert "Only a draft can be published." in again.content.decode()


def test_publicity_page_in_both_languages(login: Any, agent: Any) -> None:
    c = login(agent)
    en = c.get("/standard/").content.decode()
    assert "Call-center staff grading standard" in en
    assert "Answer customer calls and questions" in en  # a duty
    assert KPI_WORDS["answer_rate"]["en"] in en
    assert "Time at the current level: at least 6 months" in en  # a ladder criterion
    assert "I have read and understood" in en
    zh = c.get("/standard/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "呼叫中心员工岗位定级标准" in zh
    assert "接听客户来电并解答咨询" in zh
    assert KPI_WORDS["answer_rate"]["zh"] in zh
    assert "现级别任职不低于 6 个月" in zh


def test_every_kpi_has_words_in_both_languages() -> None:
    assert set(KPI_WORDS) == set(REGISTRY)
    for code, words in KPI_WORDS.items():
        assert words["zh"].strip() and words["en"].strip(), code


@pytest.mark.parametrize("example", ["four_positions", "customer_specialist_4_levels"])
def test_every_kpi_a_shipped_policy_uses_is_explained(example: str) -> None:
    from callgrade.engine.policy.load import validate_text

    text = (EXAMPLE.parent / f"{example}.yaml").read_text("utf-8")
    policy, errors = validate_text(text)
    assert policy is not None, errors
    for lang in ("en", "zh-hans"):
        page = standard_for_people(policy, lang)
        explained = {k["code"]: k["words"] for k in page["kpis"]}
        assert set(explained) == set(kpis_used(policy)) and explained
        assert all(explained.values())


def test_employee_acknowledges_once(login: Any, agent: Any) -> None:
    version = policy_current()
    assert version is not None
    c = login(agent)
    r = c.post(f"/standard/{version.pk}/acknowledge/")
    assert r.status_code == 302
    c.post(f"/standard/{version.pk}/acknowledge/")
    acks = Acknowledgement.objects.filter(employee=agent.employee, policy_version=version)
    assert acks.count() == 1
    first = acks.get().at
    acknowledge(employee=agent.employee, version=version)
    assert acks.get().at == first  # idempotent: the first date stays
    assert (
        AuditEvent.objects.filter(action="policy_acknowledge", object_id=str(version.pk)).count()
        == 1
    )
    page = c.get("/standard/")
    assert page.context["ack"] is not None
    html = page.content.decode()
    assert "You acknowledged this version on" in html
    assert "I have read and understood" not in html


def test_report_lists_who_has_not_acknowledged(login: Any, hr: Any, agent: Any, lead: Any) -> None:
    version = policy_current()
    assert version is not None
    acknowledge(employee=agent.employee, version=version)
    r = login(hr).get(f"/standards/{version.pk}/acknowledgements/")
    assert r.status_code == 200
    done = {row["employee"].employee_id for row in r.context["done"]}
    missing = {row["employee"].employee_id for row in r.context["missing"]}
    active = set(Employee.objects.exclude(status="left").values_list("employee_id", flat=True))
    assert done == {agent.employee.employee_id}
    assert missing == active - done
    assert lead.employee.employee_id in missing
    html = r.content.decode()
    assert f'<div class="big" id="count-missing">{len(missing)}</div>' in html
    assert lead.employee.name in html

    x = login(hr).get(f"/standards/{version.pk}/acknowledgements.xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Employee ID"
    listed = {row[0] for row in rows[1:]}
    assert listed == missing
    assert agent.employee.employee_id not in listed


def test_agents_and_leads_get_404_on_every_hr_standards_url(
    login: Any, agent: Any, lead: Any, draft: PolicyVersion
) -> None:
    published = policy_current()
    assert published is not None
    gets = [
        "/standards/",
        f"/standards/{draft.pk}/",
        f"/standards/{published.pk}/",
        f"/standards/{published.pk}/acknowledgements/",
        f"/standards/{published.pk}/acknowledgements.xlsx",
        f"/standards/{draft.pk}/simulate/1/",
        f"/standards/{draft.pk}/edit/",
    ]
    posts = [
        "/standards/upload/",
        f"/standards/{draft.pk}/edit/",
        f"/standards/{draft.pk}/publish/",
        f"/standards/{draft.pk}/simulate/",
    ]
    for user in (agent, lead):
        c = login(user)
        for url in gets:
            r = c.get(url)
            assert r.status_code == 404, (user, url)
            assert "four_positions" not in r.content.decode()
        for url in posts:
            assert c.post(url, {"text": modified("2099.1"), "period": "2026-01"}).status_code == 404
        # a draft cannot be acknowledged (it is not visible to employees)
        assert c.post(f"/standard/{draft.pk}/acknowledge/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == PolicyVersion.DRAFT
    assert not PolicyVersion.objects.filter(version="2099.1").exists()


def test_anonymous_is_sent_to_login(login: Any) -> None:
    r = login(None).get("/standard/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_an_alias_bomb_is_refused_with_its_line_in_the_readers_language(
    login: Any, hr: Any
) -> None:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 7)]
    bomb = "\n".join(lines) + "\n"
    c = login(hr)
    start = time.perf_counter()
    r = c.post("/standards/upload/", {"text": bomb})
    assert time.perf_counter() - start < 2.0
    html = r.content.decode()
    assert r.status_code == 400
    assert "line 2, column 10" in html and "expands to more than 100,000 values" in html
    zh = c.post("/standards/upload/", {"text": bomb}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "该标准展开后超过 100,000 个值" in zh.content.decode()
    assert not PolicyVersion.objects.filter(yaml=bomb).exists()


def test_what_a_condition_needs_is_said_in_words_never_in_codes() -> None:
    """The checklist's Need column and the evidence beside a decision: a required training by the
    standard's name of it, a rank quota in Chinese on a Chinese page."""
    from callgrade.engine.policy.load import load_policy
    from callgrade.standards.result_words import evidence_sentence, required_text

    policy = load_policy(EXAMPLE.parent / "customer_specialist_4_levels.yaml")
    assert required_text("all of product_certification", "zh-hans", policy) == (
        "全部完成：产品知识认证"
    )
    both = "all of product_certification, service_basics"
    assert required_text(both, "en", policy) == (
        "all of: Product knowledge certification, Customer service basics"
    )
    assert required_text(both, "zh-hans", policy) == "全部完成：产品知识认证、客户服务基础"
    assert required_text("top 10%", "zh-hans") == "前 10%"
    assert required_text("bottom 5%", "zh-hans") == "后 5%"
    assert required_text("first 3", "zh-hans") == "前 3 名"
    assert required_text("last 1", "zh-hans") == "后 1 名"
    assert required_text("top 10%", "en") == "top 10%"
    assert required_text(">= 80", "zh-hans") == "不低于 80"
    row = {"actual": 0.0, "required": "all of product_certification"}
    assert evidence_sentence(row, "zh-hans", policy) == "实际 0，要求全部完成：产品知识认证"
    assert evidence_sentence(row, "en", policy) == (
        "found 0, needs all of: Product knowledge certification"
    )


def test_assessed_scorecard_items_are_named_by_the_standard() -> None:
    from callgrade.engine.policy.load import load_policy
    from callgrade.standards.text import item_label, item_labels

    policy = load_policy(EXAMPLE.parent / "customer_specialist_4_levels.yaml")
    assert item_labels(policy, "zh-hans") == {
        "skill_exam": "考试成绩",
        "problem_solving": "问题解决",
    }
    assert item_labels(policy, "en") == {
        "skill_exam": "skill exam",
        "problem_solving": "Problem solving",
    }
    assert item_label("qa_score", "kpi", policy, "zh-hans") == "质检得分"
