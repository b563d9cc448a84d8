"""Live contests and changing a contest: calls answered counted as the live service takes the
events (once each, also after a restart), the board of a live contest and its stream, and a
contest changed before it starts or cancelled with a reason, by whom, audited."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from callgrade.core.models import AuditEvent
from callgrade.engagement.models import Award, Contest, LiveEvent, LiveTally
from callgrade.engagement.services import EngagementError
from callgrade.engagement.services.contests import (
    ContestSpec,
    compute_standings,
    contest_cancel,
    contest_create,
    contest_edit,
    contest_freeze,
)
from callgrade.engagement.services.rewards import RewardsConsumer, event_source_create
from callgrade.engagement.views import contests as views
from callgrade.engine.live.store import EventFile, Line
from callgrade.people.models import Employee

DAY = dt.date(2026, 12, 3)  # 10:00 in Shanghai
EPOCH = int(dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC).timestamp())


def _team(user: Any) -> list[Employee]:
    me = Employee.objects.get(user=user)
    return list(Employee.objects.filter(team=me.team).exclude(status="left")
                .order_by("employee_id"))  # fmt: skip


def _connects(path: Path, agents: list[str], start: int = 0) -> None:
    """queue_log CONNECT lines, one per agent in ``agents`` (repeats: more calls)."""
    events = EventFile(path)
    lines = [f"{EPOCH + i}|c{start + i}|support|{a}|CONNECT|5|c{start + i}.1|2"
             for i, a in enumerate(agents)]  # fmt: skip
    events.append([Line((1, (start + i) * 100), start + i + 1, "queue_log", s.encode())
                   for i, s in enumerate(lines)])  # fmt: skip


def _calls(emp: str) -> int:
    return sum(LiveTally.objects.filter(employee_id=emp, day=DAY).values_list("calls", flat=True))


def _live(actor: Any, metric: str, **more: Any) -> Contest:
    spec = ContestSpec(title="Calls today", starts_on=DAY, ends_on=DAY, metric=metric, **more)
    return contest_create(actor=actor, spec=spec)


def test_calls_are_counted_once_as_the_service_takes_them(
    tmp_path: Path, lead: Any, hr: Any
) -> None:
    team = _team(lead)
    a, b = team[0].employee_id, team[1].employee_id
    path = tmp_path / "events.jsonl"
    _connects(path, [a, a, a, b])
    consumer = RewardsConsumer(path, report=lambda s: None)
    consumer.poll()
    assert (_calls(a), _calls(b)) == (3, 1)
    RewardsConsumer(path, report=lambda s: None).poll()  # a restart: the lines are taken already
    assert (_calls(a), _calls(b)) == (3, 1)
    # a posted KPI event counts too, and a call not answered does not
    token = event_source_create(name="dialer", actor=None)[1]
    body = [{"id": "k1", "type": "kpi", "kpi": "answer_rate", "value": 1, "employee_id": b,
             "at": "2026-12-03T11:00:00+08:00"},
            {"id": "k2", "type": "kpi", "kpi": "answer_rate", "value": 0, "employee_id": b,
             "at": "2026-12-03T11:01:00+08:00"}]  # fmt: skip
    r = Client().post("/live/events/", json.dumps(body), content_type="application/json",
                      HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert r.status_code == 200
    _connects(path, [b], start=10)
    consumer.poll()
    assert (_calls(a), _calls(b)) == (3, 3)

    contest = _live(hr, Contest.CALLS)
    standings = {s.key: s for s in compute_standings(contest)}
    assert standings[a].rank == 1 and standings[a].value == 3 and standings[a].sample == 3
    assert standings[b].rank == 1 and standings[b].shared  # 3 calls each: the same place
    nobody = next(e.employee_id for e in Employee.objects.exclude(employee_id__in=[a, b])
                  .exclude(status="left"))  # fmt: skip
    assert standings[nobody].value == 0  # counted as no call, not left out


def test_lines_are_evaluated_once_whether_an_event_waits_before_them_or_not(
    tmp_path: Path, lead: Any
) -> None:
    a = _team(lead)[0].employee_id
    path = tmp_path / "events.jsonl"
    token = event_source_create(name="surveys", actor=None)[1]
    survey = {"id": "w1", "type": "survey", "employee_id": a, "csat": 5,
              "at": "2026-12-03T09:00:00+08:00"}  # fmt: skip
    Client().post("/live/events/", json.dumps(survey), content_type="application/json",
                  HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    _connects(path, [a] * 19)
    consumer = RewardsConsumer(path, report=lambda s: None)
    consumer.import_followed()  # a posted event waits: the lines wait behind it, unprocessed
    assert LiveEvent.objects.filter(source="queue_log", processed=False).count() == 19
    assert consumer.poll() == 0 and not LiveEvent.objects.filter(processed=False).exists()
    _connects(path, [a], start=19)  # the twentieth call, taken in and evaluated at once
    assert consumer.poll() == 1
    calls_day = Award.objects.filter(rule="calls_day", employee__employee_id=a, day=DAY)
    assert calls_day.count() == 1 and len(calls_day[0].events) == 20
    assert LiveEvent.objects.get(event_id="queue_log:1:1900").processed
    assert RewardsConsumer(path, report=lambda s: None).poll() == 0  # a restart grants nothing
    assert calls_day.count() == 1 and _calls(a) == 20


def test_a_team_contest_sums_its_members_calls(tmp_path: Path, hr: Any, lead: Any,
                                                other_lead: Any) -> None:  # fmt: skip
    mine, theirs = _team(lead), _team(other_lead)
    path = tmp_path / "events.jsonl"
    _connects(path, [mine[0].employee_id] * 2 + [mine[1].employee_id] * 2
              + [theirs[0].employee_id] * 3)  # fmt: skip
    RewardsConsumer(path, report=lambda s: None).poll()
    contest = _live(hr, Contest.CALLS, kind=Contest.TEAM)
    by_team = {s.key: s for s in compute_standings(contest)}
    assert by_team[str(mine[0].team_id)].value == 4 and by_team[str(mine[0].team_id)].rank == 1
    assert by_team[str(theirs[0].team_id)].value == 3


def test_a_points_contest_ranks_instant_reward_points_of_its_days(hr: Any, agent: Any) -> None:
    me = Employee.objects.get(user=agent)
    contest = _live(hr, Contest.POINTS)
    before = {s.key: s.value for s in compute_standings(contest)}
    Award.objects.create(key="t:1", employee=me, rule="calls_day", label_en="x", label_zh="x",
                         points=40, day=DAY, at=timezone.now())  # fmt: skip
    Award.objects.create(key="t:2", employee=me, rule="calls_day", label_en="x", label_zh="x",
                         points=500, day=DAY + dt.timedelta(days=1), at=timezone.now())  # fmt: skip
    after = {s.key: s for s in compute_standings(contest)}
    assert after[me.employee_id].value == (before.get(me.employee_id) or 0) + 40  # its day only


def test_the_live_board_reaches_the_page_and_its_stream(
    tmp_path: Path, login: Any, agent: Any, hr: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = Employee.objects.get(user=agent)
    contest = _live(hr, Contest.CALLS, team=None)
    page = login(agent).get(f"/contests/{contest.pk}/").content.decode()
    assert "calls answered (live)" in page and f"/contests/{contest.pk}/stream/" in page
    version = page.split('data-version="')[1].split('"')[0]

    monkeypatch.setattr(views, "STREAM_SECONDS", 0.3)
    monkeypatch.setattr(views, "BOARD_POLL_LIVE", 0.05)
    quiet = login(agent).get(f"/contests/{contest.pk}/stream/?version={version}")
    assert quiet["Content-Type"].startswith("text/event-stream")
    assert "event: board" not in b"".join(quiet.streaming_content).decode()  # nothing changed

    path = tmp_path / "events.jsonl"
    _connects(path, [me.employee_id] * 5)
    RewardsConsumer(path, report=lambda s: None).poll()
    r = login(agent).get(f"/contests/{contest.pk}/stream/", HTTP_LAST_EVENT_ID=version)
    text = b"".join(r.streaming_content).decode()
    [event] = [e for e in text.split("\n\n") if "event: board" in e]
    html = json.loads(event.split("data: ", 1)[1])["html"]
    assert "Your place: 1 of" in html and "Live: counted up to" in html
    assert event.split("id: ")[1].split("\n")[0] != version

    contest_cancel(actor=hr, contest=contest, reason="wrong day")
    assert login(agent).get(f"/contests/{contest.pk}/stream/").status_code == 204


def _future(actor: Any, team: Any, **more: Any) -> Contest:
    start = timezone.localdate() + dt.timedelta(days=7)
    base = {"title": "Next week's calls", "starts_on": start, "ends_on": start, "team": team,
            "metric": Contest.CALLS}  # fmt: skip
    spec = ContestSpec(**{**base, **more})
    return contest_create(actor=actor, spec=spec)


def _spec_of(c: Contest, **more: Any) -> ContestSpec:
    base = {"title": c.title, "starts_on": c.starts_on, "ends_on": c.ends_on, "team": c.team,
            "metric": c.metric, "top_n": c.top_n}  # fmt: skip
    return ContestSpec(**{**base, **more})


def test_the_creator_or_hr_changes_a_contest_until_it_starts(
    lead: Any, hr: Any, other_lead: Any, login: Any
) -> None:
    team = Employee.objects.get(user=lead).team
    c = _future(lead, team)
    form = login(lead).get(f"/contests/{c.pk}/edit/")
    assert form.status_code == 200 and 'value="Next week&#x27;s calls"' in form.content.decode()
    r = login(lead).post(f"/contests/{c.pk}/edit/", {
        "title": "Calls sprint", "metric": "calls", "team": str(team.pk), "kind": "individual",
        "starts_on": c.starts_on.isoformat(), "ends_on": (c.ends_on + dt.timedelta(days=2))
        .isoformat(), "top_n": "5", "prize_points_0": "100",
    })  # fmt: skip
    assert r.status_code == 302
    c.refresh_from_db()
    assert (c.title, c.top_n, c.prizes[0]["points"]) == ("Calls sprint", 5, "100")
    entry = AuditEvent.objects.filter(action="contest_edit", object_id=str(c.pk)).latest("id")
    assert entry.before["title"] == "Next week's calls" and entry.after["title"] == "Calls sprint"
    assert "kind" not in entry.after  # only what changed

    assert login(other_lead).get(f"/contests/{c.pk}/edit/").status_code == 404
    contest_edit(actor=hr, contest=c, spec=_spec_of(c, title="HR's title"))
    with pytest.raises(EngagementError, match="after today"):
        contest_edit(actor=hr, contest=c, spec=_spec_of(c, starts_on=timezone.localdate()))

    started = _future(lead, team)
    Contest.objects.filter(pk=started.pk).update(starts_on=timezone.localdate())
    started.refresh_from_db()
    with pytest.raises(EngagementError, match="before the day it starts"):
        contest_edit(actor=hr, contest=started, spec=_spec_of(started, title="late"))
    page = login(lead).get(f"/contests/{started.pk}/edit/")
    assert page.status_code == 302  # told why, on the contest's page
    assert Contest.objects.get(pk=started.pk).title == "Next week's calls"


def test_a_contest_created_by_hr_is_not_the_leads_to_change(lead: Any, hr: Any) -> None:
    team = Employee.objects.get(user=lead).team
    c = _future(hr, team)
    with pytest.raises(EngagementError, match="creator"):
        contest_edit(actor=lead, contest=c, spec=_spec_of(c, title="mine now"))
    with pytest.raises(EngagementError, match="creator"):
        contest_cancel(actor=lead, contest=c, reason="no")


def test_cancelling_needs_a_reason_is_audited_and_ends_the_contest(
    lead: Any, hr: Any, agent: Any, login: Any
) -> None:
    team = Employee.objects.get(user=lead).team
    c = _future(lead, team, prizes=((1, "100", "0"),))
    r = login(lead).post(f"/contests/{c.pk}/cancel/", {"reason": "  "})
    assert r.status_code == 302 and Contest.objects.get(pk=c.pk).state == Contest.OPEN
    login(lead).post(f"/contests/{c.pk}/cancel/", {"reason": "the team moves site"})
    c.refresh_from_db()
    assert c.cancelled and c.cancel_reason == "the team moves site"
    entry = AuditEvent.objects.get(action="contest_cancel", object_id=str(c.pk))
    assert entry.after == {"state": "cancelled", "reason": "the team moves site"}
    page = login(agent).get(f"/contests/{c.pk}/").content.decode()
    assert "the team moves site" in page and 'id="cancel-form"' not in page
    with pytest.raises(EngagementError, match="cancelled"):
        contest_freeze(actor=hr, contest=c)
    with pytest.raises(EngagementError, match="open contest"):
        contest_cancel(actor=hr, contest=c, reason="again")
    assert not Award.objects.filter(contest=c).exists()
    listed = login(agent).get("/contests/").content.decode()
    assert listed.index("frozen-contests") < listed.index(f"/contests/{c.pk}/")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_live_and_cancelled_contests_speak_one_language(
    lang: str, login: Any, hr: Any, lead: Any
) -> None:
    from test_language_scan import _data_names, foreign, visible_text

    team = Employee.objects.get(user=lead).team
    live = _future(lead, team, metric=Contest.POINTS)
    gone = _future(lead, team)
    contest_cancel(actor=lead, contest=gone, reason="原因 reason")
    names = [*_data_names(), "原因", "reason"]
    c = login(lead)
    c.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
    for url in (f"/contests/{live.pk}/", f"/contests/{live.pk}/edit/", f"/contests/{gone.pk}/",
                "/contests/new/"):  # fmt: skip
        words = foreign(visible_text(c.get(url).content.decode()), lang, names)
        assert not words, (url, sorted(set(words))[:20])
