"""Standards for HR: the form editor writes a new valid draft (or refuses with a message next to
the field, writing nothing); changes are said in words in both languages; publishing needs a
finished simulation of exactly the draft's text; a published version keeps its changes and its
simulation; employees see what changed for their position above the acknowledge button."""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_standards import modified, simulate

from callgrade.standards.diffwords import change_sentences, concerning
from callgrade.standards.fieldwords import FIELD_WORDS
from callgrade.standards.models import PolicyVersion
from callgrade.standards.services import (
    PublishRefused,
    fresh_simulation,
    policy_current,
    policy_publish,
    policy_upload,
)

ANSWER = "weight.customer_service.service.0"  # customer service · answer rate weight
CSAT = "weight.customer_service.service.1"


@pytest.fixture
def draft(hr: Any) -> PolicyVersion:
    return policy_upload(actor=hr, text=modified("2026.2"))


def form_data(client: Any, draft_: PolicyVersion, **changes: str) -> dict[str, str]:
    """The editor's current values as a browser would post them, with ``changes``."""
    r = client.get(f"/standards/{draft_.pk}/edit/")
    assert r.status_code == 200
    form = r.context["form"]
    data = {f.name: f.shown for f in form.fields()}
    data["version"] = form.version
    unknown = set(changes) - set(data) - {"version"}
    assert not unknown, unknown
    return {**data, **changes}


def _item_weight(version: PolicyVersion, kpi: str) -> float:
    card = version.policy().scorecard("customer_service")
    return next(m.weight for m in card.dimensions[0].items if m.kpi == kpi)


def test_the_form_editor_writes_a_new_draft_with_the_new_weight(
    login: Any, hr: Any, draft: PolicyVersion
) -> None:
    c = login(hr)
    data = form_data(c, draft, **{ANSWER: "60", CSAT: "40", "version": "2026.3"})
    r = c.post(f"/standards/{draft.pk}/edit/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    new = PolicyVersion.objects.get(code="four_positions", version="2026.3")
    assert r["Location"] == f"/standards/{new.pk}/"
    assert new.status == PolicyVersion.DRAFT and new.uploaded_by == hr
    assert _item_weight(new, "answer_rate") == 60 and _item_weight(new, "csat") == 40
    # the draft it came from is unchanged; the text keeps its comments and layout: only the two
    # weights and the version differ
    assert _item_weight(draft, "answer_rate") == 70
    old_lines, new_lines = draft.yaml.splitlines(), new.yaml.splitlines()
    assert len(old_lines) == len(new_lines)
    assert sum(a != b for a, b in zip(old_lines, new_lines, strict=True)) == 3
    # ratios are edited as percents: a floor of 80% stays 0.8 when untouched, 85% becomes 0.85
    data = form_data(c, new, **{"floor.customer_service.service.0": "85", "version": "2026.4"})
    assert c.post(f"/standards/{new.pk}/edit/", data).status_code == 302
    newer = PolicyVersion.objects.get(code="four_positions", version="2026.4")
    item = newer.policy().scorecard("customer_service").dimensions[0].items[0]
    assert item.floor == pytest.approx(0.85) and item.target == pytest.approx(0.98)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({ANSWER: "60"}, "add up to 90%; they must add up to 100%"),
        ({"target.customer_service.service.1": "-5"}, "This value cannot be negative."),
        ({"target.customer_service.service.1": "60"}, "the target must be above the floor"),
        ({"band.A": "95"}, "lower minimum score than the rating above it"),
        ({"coef.A": "lots"}, "Enter a number"),
    ],
)
def test_an_invalid_value_is_refused_next_to_its_field_and_writes_nothing(
    login: Any, hr: Any, draft: PolicyVersion, changes: dict[str, str], message: str
) -> None:
    c = login(hr)
    before = PolicyVersion.objects.count()
    r = c.post(f"/standards/{draft.pk}/edit/", form_data(c, draft, **changes))
    assert r.status_code == 400
    html = r.content.decode()
    assert message in html
    assert 'class="bad field-error"' in html and "Traceback" not in html
    assert "scorecards[" not in html  # no code path
    assert PolicyVersion.objects.count() == before


def test_editor_messages_are_in_chinese_and_a_used_version_name_is_refused(
    login: Any, hr: Any, draft: PolicyVersion
) -> None:
    c = login(hr)
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    data = form_data(c, draft, **{ANSWER: "60"})
    html = c.post(f"/standards/{draft.pk}/edit/", data, **zh).content.decode()
    assert "权重合计 90%，必须合计 100%" in html
    data = form_data(c, draft, **{ANSWER: "60", CSAT: "40", "version": "2026.2"})
    r = c.post(f"/standards/{draft.pk}/edit/", data)
    assert r.status_code == 400 and "already used" in r.content.decode()
    unchanged = form_data(c, draft)
    r = c.post(f"/standards/{draft.pk}/edit/", unchanged)
    assert r.status_code == 400 and "Nothing was changed" in r.content.decode()


def test_only_a_draft_has_a_form_editor(login: Any, hr: Any) -> None:
    published = policy_current()
    assert published is not None
    r = login(hr).get(f"/standards/{published.pk}/edit/", follow=True)
    assert r.redirect_chain == [(f"/standards/{published.pk}/", 302)]
    assert "Only a draft can be changed." in r.content.decode()


def test_changes_are_sentences_in_the_readers_language(draft: PolicyVersion) -> None:
    current = policy_current("four_positions")
    assert current is not None
    text = (
        modified("2026.5")
        .replace("{rating: A, min_score: 80}", "{rating: A, min_score: 82}")
        .replace("senior: 500", "senior: 600")
        .replace("A: 1.2", "A: 1.3")
    )
    other = policy_upload(actor=None, text=text)
    zh = [c.text for c in change_sentences(current.policy(), other.policy(), "zh-hans")]
    en = [c.text for c in change_sentences(current.policy(), other.policy(), "en")]
    assert "客户服务 · 服务表现 · 接通率 权重 50% → 70%" in zh
    assert "评级 · A（优秀） 最低分 80 → 82" in zh
    assert "Ratings · A (Excellent) minimum score 80 → 82" in en
    assert any("三星坐席" in s and "¥500 → ¥600" in s for s in zh)
    assert any("绩效奖金系数" in s and "A（优秀） 1.2 → 1.3" in s for s in zh)
    assert "Customer service · Service · Answer rate weight 50% → 70%" in en
    for sentences in (zh, en):
        assert len(sentences) == 5
        for s in sentences:
            assert "[" not in s and not re.search(r"[a-z]+_[a-z]+", s), s
    assert not any(re.search(r"[\u4e00-\u9fff]", s) for s in en)
    # a change to customer service concerns customer service; the rating bands concern everyone
    changes = change_sentences(current.policy(), other.policy(), "en")
    front = [c.text for c in concerning(changes, "front_desk")]
    assert not any("Answer rate" in s for s in front) and any("minimum score" in s for s in front)


def test_every_policy_field_has_words() -> None:
    from pydantic import BaseModel

    from callgrade.engine.policy import model

    fields = {
        name
        for v in vars(model).values()
        if isinstance(v, type) and issubclass(v, BaseModel) and v is not BaseModel
        for name in v.model_fields
    }
    assert fields <= set(FIELD_WORDS), fields - set(FIELD_WORDS)


def test_publish_needs_a_finished_simulation_of_exactly_this_text(
    login: Any, hr: Any, draft: PolicyVersion
) -> None:
    with pytest.raises(PublishRefused, match="simulation"):
        policy_publish(version=draft, actor=hr)
    page = login(hr).get(f"/standards/{draft.pk}/").content.decode()
    assert 'id="publish-problem"' in page and "disabled" in page
    # the publish URL refuses too, and nothing changes
    login(hr).post(f"/standards/{draft.pk}/publish/", {"confirm": "1"})
    draft.refresh_from_db()
    assert draft.status == PolicyVersion.DRAFT
    job = simulate(draft, hr)
    assert fresh_simulation(draft) == job
    # a simulation of another text does not count
    PolicyVersion.objects.filter(pk=draft.pk).update(yaml=draft.yaml + "\n# edited\n")
    draft.refresh_from_db()
    assert fresh_simulation(draft) is None
    with pytest.raises(PublishRefused):
        policy_publish(version=draft, actor=hr)


def test_a_published_version_keeps_its_changes_and_simulation_and_employees_see_theirs(
    login: Any, hr: Any, agent: Any, draft: PolicyVersion
) -> None:
    old = policy_current("four_positions")
    job = simulate(draft, hr)
    c = login(hr)
    page = c.get(f"/standards/{draft.pk}/")
    html = page.content.decode()
    # summary first, then the changes, then the details, Publish last
    order = [
        html.index(x)
        for x in (
            'id="sim-summary"',
            'id="change-sentences"',
            'id="sim-ratings"',
            'id="publish-form"',
        )
    ]
    assert order == sorted(order)
    assert 'id="publish-problem"' not in html
    assert re.search(r'id="summary-cost">[+−]?¥[\d,.]+<', html)
    r = c.post(f"/standards/{draft.pk}/publish/", {"confirm": "1"})
    assert r.status_code == 302
    draft.refresh_from_db()
    assert draft.status == PolicyVersion.PUBLISHED
    assert draft.replaces == old and draft.simulation == job
    html = c.get(f"/standards/{draft.pk}/").content.decode()
    assert "Answer rate weight 50% → 70%" in html
    assert 'id="sim-summary"' in html and 'id="sim-distribution"' in html
    assert 'id="publish-form"' not in html
    # the agent sees what changed for their position above the acknowledge button
    zh = login(agent).get("/standard/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    me = agent.employee
    text = zh.content.decode()
    mine = [c.text for c in zh.context["changes"]]
    if me.position == "customer_service":
        assert "客户服务 · 服务表现 · 接通率 权重 50% → 70%" in mine
    else:
        assert not mine
    if mine:
        assert text.index('id="what-changed-list"') < text.index("我已阅读并理解")


def test_the_demo_revision_fills_the_version_page(login: Any, hr: Any) -> None:
    from callgrade.web.seed_demo import revision_simulation

    current = policy_current("four_positions")
    assert current is not None
    job = revision_simulation(current, "2026-01")
    assert job is not None and job.state == "done", job and job.error
    draft = PolicyVersion.objects.get(pk=job.arguments["version"])
    assert draft.version == "2026.2" and fresh_simulation(draft) == job
    html = login(hr).get(f"/standards/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = html.content.decode()
    assert 'id="sim-summary"' in text and 'id="publish-problem"' not in text
    sentences = [c.text for c in html.context["changes"]]
    assert len(sentences) == 3 and any("权重 60% → 70%" in s for s in sentences), sentences
    assert revision_simulation(current, "2026-01") == job  # once
