"""Thresholds from data in the form editor: shares and suggestions from the draft's simulation,
the same numbers as the engine computes, and the suggestions applied to a new draft in one
step."""

from __future__ import annotations

from typing import Any

import pytest
from test_standards import modified, simulate

from callgrade.engine.analysis.thresholds import Distributions, percentile, suggestions
from callgrade.standards.models import PolicyVersion
from callgrade.standards.services import policy_upload

FLOOR = "floor.customer_service.service.0"  # customer service · answer rate floor (a ratio)
TARGET = "target.customer_service.service.0"


@pytest.fixture
def draft(hr: Any) -> PolicyVersion:
    return policy_upload(actor=hr, text=modified("2026.7"))


def test_without_a_simulation_the_editor_says_to_simulate(
    login: Any, hr: Any, draft: PolicyVersion
) -> None:
    r = login(hr).get(f"/standards/{draft.pk}/edit/")
    body = r.content.decode()
    assert 'id="thresholds"' in body and "Simulate this draft" in body
    refused = login(hr).post(f"/standards/{draft.pk}/suggest/", {"percentile": "25"}, follow=True)
    assert "Simulate this draft first" in refused.content.decode()


def test_shares_and_suggestions_from_the_simulation(
    login: Any, hr: Any, draft: PolicyVersion
) -> None:
    job = simulate(draft, hr)
    stored = job.arguments["report"]["distributions"]
    values = stored["items"]["customer_service.service.0"]
    assert values == sorted(values) and values
    c = login(hr)
    r = c.get(f"/standards/{draft.pk}/edit/?percentile=20")
    found = r.context["found"]
    assert found.percentile == 20 and found.period == stored["period"]
    # the editor's figures are the engine's: the 20th percentile of the answer rates, as a percent
    floor = found.fields[FLOOR]
    expected = round(percentile(values, 20), 4)
    assert found.values[FLOOR] == f"{round(expected * 100, 6):g}"
    met = sum(v >= 0.8 for v in values) / len(values)
    assert floor.share_now == f"{met * 100:.0f}%"
    assert floor.n == len(values)
    body = r.content.decode()
    assert 'id="ladder-actions"' in body and "would meet it" in body
    data = Distributions(stored["period"], stored["items"], stored["totals"])
    engine = {s.field: s for s in suggestions(draft.policy(), data, 20)}
    assert engine[TARGET].suggested == pytest.approx(float(found.values[TARGET]) / 100)
    zh = login(hr)
    zh.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    assert "依据数据设定门槛" in zh.get(f"/standards/{draft.pk}/edit/").content.decode()


def test_suggestions_applied_in_one_step(login: Any, hr: Any, draft: PolicyVersion) -> None:
    simulate(draft, hr)
    c = login(hr)
    found = c.get(f"/standards/{draft.pk}/edit/?percentile=25").context["found"]
    r = c.post(f"/standards/{draft.pk}/suggest/", {"percentile": "25"})
    if r.status_code == 400:  # the data put two bands on one score: said next to the field
        assert r.context["form"].has_errors()
        return
    assert r.status_code == 302, r.content.decode()[:2000]
    new = PolicyVersion.objects.get(pk=int(r["Location"].strip("/").split("/")[-1]))
    assert new.status == PolicyVersion.DRAFT and new.pk != draft.pk
    item = new.policy().scorecard("customer_service").dimensions[0].items[0]
    assert item.floor == pytest.approx(float(found.values[FLOOR]) / 100)
    assert item.target == pytest.approx(float(found.values[TARGET]) / 100)
    bands = {b.rating: b.min_score for b in new.policy().ratings.assignment.bands}
    assert bands["S"] == pytest.approx(float(found.values["band.S"]))
    # the draft it came from is unchanged
    assert draft.policy().scorecard("customer_service").dimensions[0].items[0].floor == 0.8


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_editor_with_suggestions_speaks_one_language(
    lang: str, login: Any, hr: Any, draft: PolicyVersion
) -> None:
    from test_language_scan import _data_names, foreign, visible_text

    simulate(draft, hr)
    c = login(hr)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
    body = c.get(f"/standards/{draft.pk}/edit/").content.decode()
    assert 'id="ladder-actions"' in body
    assert not foreign(visible_text(body), lang, _data_names())
