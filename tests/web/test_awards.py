"""Instant rewards through the app: the live events endpoint (tokens, bad input, duplicates),
the consumer that turns stored events into awards exactly once, followed queue_log lines, the
agent's page and stream, the ledger's scope and its costs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from callgrade.engagement.models import Award, LiveEvent
from callgrade.engagement.services.rewards import RewardsConsumer, event_source_create
from callgrade.engagement.views import awards as views
from callgrade.engine.live.store import EventFile, Line
from callgrade.people.models import Employee
from callgrade.web.seed_rewards import DEMO_SOURCE

AT = "2026-12-03T10:00:00+08:00"


@pytest.fixture
def token(db: None) -> str:
    return event_source_create(name="survey platform", actor=None)[1]


def _post(token: str, body: Any, *, raw: bool = False) -> Any:
    data = body if raw else json.dumps(body)
    return Client().post("/live/events/", data, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip


def _survey(i: int, emp: str, csat: int = 5) -> dict[str, Any]:
    return {"id": f"s{i}", "type": "survey", "employee_id": emp, "at": AT, "csat": csat}


def _subject() -> Employee:
    return Employee.objects.get(employee_id="E0006")


def test_the_endpoint_needs_a_valid_token(token: str) -> None:
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer cgev_wrong"}, {"HTTP_AUTHORIZATION": token}):
        r = Client().post("/live/events/", "{}", content_type="application/json", **header)
        assert r.status_code == 401 and "token" in r.json()["error"]
    assert not LiveEvent.objects.exclude(source=DEMO_SOURCE).exists()


def test_bad_events_store_nothing_and_say_where(token: str) -> None:
    r = _post(token, "{not json", raw=True)
    assert r.status_code == 400 and "line 1 column 2" in r.json()["error"]
    batch = [_survey(1, "E0006"), {"id": "s2", "type": "survey", "employee_id": "E0006",
                                   "at": "tomorrow", "csat": 9}]  # fmt: skip
    r = _post(token, batch)
    body = r.json()
    assert r.status_code == 400 and body["read"] == 2 and body["accepted"] == 0
    [rejected] = body["rejected"]
    assert rejected["index"] == 1 and rejected["id"] == "s2"
    fields = {p["field"] for p in rejected["problems"]}
    assert fields == {"at", "csat"}
    assert not LiveEvent.objects.exclude(source=DEMO_SOURCE).exists()  # nothing half-written


def test_events_are_stored_once_by_id(token: str) -> None:
    r = _post(token, [_survey(1, "E0006"), _survey(2, "E0006")])
    assert r.status_code == 200 and r.json()["new"] == 2
    again = _post(token, _survey(1, "E0006"))
    assert again.json() == {"read": 1, "accepted": 1, "new": 0, "duplicates": 1, "rejected": []}
    changed = _post(token, _survey(1, "E0006", csat=1))
    assert changed.status_code == 409 and "other content" in changed.json()["error"]
    assert LiveEvent.objects.filter(source="survey platform").count() == 2


def test_the_consumer_awards_once_and_a_restart_replays_without_paying_twice(token: str) -> None:
    subject = _subject()
    # the four-positions standard: 10 surveys at ≥95 % top box in a day, and 5 five-stars in a row
    _post(token, [_survey(i, subject.employee_id) for i in range(10)])
    consumer = RewardsConsumer(None, report=lambda s: None)
    granted = consumer.evaluate()
    rules = sorted(a.rule for a in granted)
    assert rules == ["csat_day", "five_star_streak", "five_star_streak"]
    today = Award.objects.filter(day=dt.date(2026, 12, 3))  # the demo day's awards aside
    day = today.get(rule="csat_day")
    assert day.employee == subject and len(day.events) == 10 and day.amount == 20
    assert day.day == dt.date(2026, 12, 3) and day.evidence["sample"] == 10
    assert not LiveEvent.objects.filter(processed=False).exists()

    restarted = RewardsConsumer(None, report=lambda s: None)
    assert restarted.evaluate() == []  # the replay finds every award in the ledger
    assert today.count() == 3
    _post(token, [_survey(10 + i, subject.employee_id) for i in range(5)])
    assert [a.rule for a in restarted.evaluate()] == ["five_star_streak"]  # day cap: 3
    _post(token, [_survey(20 + i, subject.employee_id) for i in range(5)])
    assert restarted.evaluate() == []
    assert today.filter(rule="five_star_streak").count() == 3
    assert today.filter(rule="csat_day").count() == 1  # once a day


def test_followed_queue_log_lines_reach_the_events_once(tmp_path: Path, db: None) -> None:
    events = EventFile(tmp_path / "events.jsonl")
    t = int(dt.datetime(2026, 12, 3, 2, tzinfo=dt.UTC).timestamp())
    lines = [f"{t}|c1|support|E0006|CONNECT|12|c1.1|3", f"{t}|c1|support|E0006|ADDMEMBER|",
             "garbage", f"{t + 300}|c1|support|E0006|COMPLETEAGENT|12|280|1"]  # fmt: skip
    events.append([Line((1, i * 100), i + 1, "queue_log", s.encode()) for i, s in enumerate(lines)])
    said: list[str] = []
    consumer = RewardsConsumer(tmp_path / "events.jsonl", report=said.append)
    assert consumer.import_followed() == 2
    assert any("queue_log:3" in s and "field" in s for s in said)  # path:line and why
    kinds = dict(LiveEvent.objects.filter(source="queue_log").values_list("event_id", "payload"))
    assert set(kinds) == {"queue_log:1:0", "queue_log:1:300"}
    again = RewardsConsumer(tmp_path / "events.jsonl", report=said.append)  # a restart
    assert again.import_followed() == 0
    assert LiveEvent.objects.filter(source="queue_log").count() == 2


def test_the_agent_page_and_stream_show_their_awards(token: str, login: Any, agent: Any) -> None:
    _post(token, [_survey(i, "E0006") for i in range(10)])
    RewardsConsumer(None, report=lambda s: None).evaluate()
    page = login(agent).get("/me/awards/")
    html = page.content.decode()
    assert "Satisfaction star of the day" in html and "Customer satisfaction" in html
    assert "csat" not in html.replace("data-", "")  # no codes on the page
    views.STREAM_SECONDS = 0.3
    try:
        r = login(agent).get("/me/awards/stream/?after=0")
        assert r["Content-Type"].startswith("text/event-stream")
        body = b"".join(r.streaming_content).decode()
    finally:
        views.STREAM_SECONDS = 25.0
    sent = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
    assert {a["name"] for a in sent} == {"Satisfaction star of the day", "Five-star streak"}
    assert len(sent) == Award.objects.filter(employee=_subject()).count()
    assert [a["id"] for a in sent] == sorted(a["id"] for a in sent)  # in the order granted


def test_the_ledger_shows_a_lead_their_team_and_hr_the_cost(
    token: str, login: Any, lead: Any, other_lead: Any, hr: Any
) -> None:
    _post(token, [_survey(i, "E0006") for i in range(10)])
    RewardsConsumer(None, report=lambda s: None).evaluate()
    assert "E0006" in login(lead).get("/awards/?month=2026-12").content.decode()
    assert "E0006" not in login(other_lead).get("/awards/?month=2026-12").content.decode()
    html = login(hr).get("/awards/?month=2026-12").content.decode()
    assert 'id="award-costs"' in html and "Daily sales milestone" in html


def test_cash_awards_are_lines_of_the_period_pay_statement(
    token: str, login: Any, agent: Any, demo_cycle: Any
) -> None:
    from callgrade.cycles.models import PayLine
    from callgrade.cycles.services.cycles import cycle_compute
    from callgrade.engagement.models import Suggestion
    from callgrade.engagement.services.suggestions import (
        suggestion_award,
        suggestion_move,
        suggestion_submit,
    )

    day = "2026-02-10T10:00:00+08:00"  # inside the demo cycle's second month
    _post(token, [{**_survey(i, "E0006"), "at": day} for i in range(10)])
    RewardsConsumer(None, report=lambda s: None).evaluate()
    hr_user = __import__("django.contrib.auth", fromlist=["x"]).get_user_model()
    hr = hr_user.objects.get(username="hr")
    s = suggestion_submit(actor=agent, title="Headsets", text="New headsets", category="tools",
                          anonymous=False)  # fmt: skip
    for to in (Suggestion.UNDER_REVIEW, Suggestion.ADOPTED):
        suggestion_move(actor=hr, suggestion=s, to=to, answer="ok", reason="")
    suggestion_award(actor=hr, suggestion=s, amount="300", reason="useful")
    Award.objects.filter(key=f"suggestion:{s.pk}").update(day=dt.date(2026, 2, 11))
    demo_cycle.state = demo_cycle.DRAFT
    demo_cycle.save()
    cycle_compute(cycle=demo_cycle, actor=None)
    lines = PayLine.objects.filter(cycle=demo_cycle, employee=_subject(), period="2026-02")
    award = lines.get(kind="instant_reward", code="csat_day")
    n = award.detail["count"]  # this test's day, and the demo day's award if it earned one
    assert n >= 1 and award.amount == 20 * n and award.cash and len(award.detail["awards"]) == n
    assert lines.get(kind="suggestion_award").amount == 300
    assert not PayLine.objects.filter(cycle=demo_cycle, period="2026-01",
                                      kind="instant_reward").exists()  # fmt: skip
    demo_cycle.refresh_from_db()
    from callgrade.cycles.services.cycles import cycle_advance

    while demo_cycle.state != demo_cycle.PUBLISHED:
        demo_cycle = cycle_advance(cycle=demo_cycle, actor=None, reason="test")
    page = login(agent).get(f"/me/?cycle={demo_cycle.pk}&period=2026-02").content.decode()
    assert f"Satisfaction star of the day: {n} award" in page and "instant reward" in page
