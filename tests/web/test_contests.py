"""Contests through the app: creation and its limits, the live board with quality gates and the
minimum sample, hidden names, judged scores, freezing once with the prizes in the ledger."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from callgrade.core.models import AuditEvent, Notification
from callgrade.cycles.models import KpiValue
from callgrade.engagement.models import Award, Contest, ContestScore
from callgrade.engagement.selectors import award_pay_lines
from callgrade.engagement.services import EngagementError
from callgrade.engagement.services.contests import ContestSpec, contest_create, contest_freeze
from callgrade.people.models import Employee

PERIOD = "2026-01"
DAY = dt.date(2026, 1, 31)


def _set(cycle: Any, emp: Employee, kpi: str, value: float | None, sample: int) -> None:
    KpiValue.objects.update_or_create(
        cycle=cycle, employee=emp, period=PERIOD, kpi=kpi,
        defaults={"value": value, "numerator": None if value is None else value * sample,
                  "denominator": sample, "sample_size": sample, "unit": "ratio"},
    )  # fmt: skip


def _team_of(user: Any) -> list[Employee]:
    me = Employee.objects.get(user=user)
    return list(
        Employee.objects.filter(team=me.team).exclude(status="left").order_by("employee_id")
    )


def _spec(cycle: Any, **more: Any) -> ContestSpec:
    base: dict[str, Any] = {"title": "Answer-rate sprint", "starts_on": dt.date(2026, 1, 1),
                            "ends_on": DAY, "kpi": "answer_rate", "cycle": cycle,
                            "period": PERIOD}  # fmt: skip
    return ContestSpec(**{**base, **more})


@pytest.fixture
def board(lead: Any, agent: Any, demo_cycle: Any) -> dict[str, Any]:
    """The agent's team with known answer rates and QA scores: the agent ranks second."""
    team = _team_of(lead)
    me = Employee.objects.get(user=agent)
    others = [e for e in team if e.pk != me.pk]
    assert len(others) >= 4
    mine = KpiValue.objects.filter(cycle=demo_cycle, period=PERIOD, employee__in=team)
    mine.filter(kpi__in=["answer_rate", "qa_score"]).delete()
    best, tied_a, fast, few = others[:4]
    plan = {best: (0.97, 80, 92), me: (0.95, 80, 90), tied_a: (0.95, 80, 88),
            fast: (0.99, 90, 70), few: (0.98, 5, 95)}  # fmt: skip
    for emp, (rate, n, qa) in plan.items():
        _set(demo_cycle, emp, "answer_rate", rate, n)
        _set(demo_cycle, emp, "qa_score", qa, 4)
    team_ = me.team
    return {"team": team_, "me": me, "best": best, "tied": tied_a, "fast": fast, "few": few,
            "others": others}  # fmt: skip


def _gated(actor: Any, cycle: Any, team: Any, **more: Any) -> Contest:
    spec = _spec(cycle, team=team, gates=(("qa_score", ">=", "85"),), min_sample=30,
                 prizes=((1, "200", "0"), (2, "100", "50")), **more)  # fmt: skip
    return contest_create(actor=actor, spec=spec)


def test_a_lead_opens_a_contest_for_their_team_from_the_form(
    login: Any, lead: Any, demo_cycle: Any, board: dict[str, Any]
) -> None:
    c = login(lead)
    page = c.get("/contests/new/")
    assert page.status_code == 200 and b'id="contest-form"' in page.content
    r = c.post("/contests/new/", {
        "title": "Answer-rate sprint", "kind": "individual", "team": str(board["team"].pk),
        "metric": "answer_rate", "source": f"{demo_cycle.pk}:{PERIOD}",
        "starts_on": "2026-01-01", "ends_on": "2026-01-31", "gate_kpi_0": "qa_score",
        "gate_op_0": ">=", "gate_value_0": "85", "min_sample": "30", "prize_points_0": "200",
        "top_n": "10",
    })  # fmt: skip
    contest = Contest.objects.get(title="Answer-rate sprint")
    assert r.status_code == 302 and r["Location"] == f"/contests/{contest.pk}/"
    assert contest.gates == [{"kpi": "qa_score", "op": ">=", "value": 85.0}]
    assert contest.prizes == [{"rank": 1, "points": "200", "amount": "0"}]
    assert AuditEvent.objects.filter(action="contest_create", object_id=str(contest.pk)).exists()


def test_bad_contests_are_refused_with_the_reason(
    login: Any, lead: Any, hr: Any, other_lead: Any, demo_cycle: Any, board: dict[str, Any]
) -> None:
    team = board["team"]
    refused = [
        (other_lead, _spec(demo_cycle, team=team), "teams they lead"),
        (lead, _spec(demo_cycle, team=None), "teams they lead"),
        (lead, _spec(demo_cycle, team=team, kind=Contest.TEAM), "Only HR"),
        (hr, _spec(demo_cycle, team=team, kind=Contest.TEAM), "leave the team out"),
        (lead, _spec(demo_cycle, team=team, ends_on=dt.date(2025, 12, 1)), "ends after"),
        (lead, _spec(demo_cycle, team=team, kpi="no_such_kpi"), "KPI the contest ranks by"),
        (lead, _spec(demo_cycle, team=team, period="1999-01"), "no results for that period"),
        (lead, _spec(demo_cycle, team=team, gates=(("qa_score", "=>", "85"),)), "compares"),
        (lead, _spec(demo_cycle, team=team, prizes=((1, "lots", ""),)), "is a number"),
    ]
    before = Contest.objects.count()
    for actor, spec, reason in refused:
        with translation.override("en"), pytest.raises(EngagementError, match=reason):
            contest_create(actor=actor, spec=spec)
    assert Contest.objects.count() == before
    r = login(lead).post("/contests/new/", {"title": "x", "starts_on": "soon", "ends_on": ""})
    assert r.status_code == 200 and "e.g. 2026-05-01" in r.content.decode()


def _rows(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[1:]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in rows]  # fmt: skip


def test_the_board_ranks_with_gates_minimum_sample_and_the_tie_rule(
    login: Any, lead: Any, demo_cycle: Any, board: dict[str, Any]
) -> None:
    contest = _gated(lead, demo_cycle, board["team"])
    html = login(lead).get(f"/contests/{contest.pk}/").content.decode()
    ranked = _rows(html, "leaderboard")
    names = [r[1] for r in ranked]
    assert names[:3] == [board["best"].name, board["me"].name, board["tied"].name]
    # 0.95 with 80 records each: the same value and sample share second place
    assert [r[0] for r in ranked[:3]] == ["1", "2=", "2="]
    not_ranked = {r[0]: r[2] for r in _rows(html, "not-ranked")}
    assert "needs ≥ 85" in not_ranked[board["fast"].name]  # the quickest fails the QA gate
    assert "a sample of 5, at least 30 needed" in not_ranked[board["few"].name]


def test_hidden_names_never_reach_an_agent(
    login: Any, agent: Any, hr: Any, demo_cycle: Any, board: dict[str, Any]
) -> None:
    contest = _gated(hr, demo_cycle, board["team"], hide_names=True, top_n=3)
    c = login(agent)
    me = board["me"]
    everyone_else = Employee.objects.exclude(pk=me.pk)
    pages = [f"/contests/{contest.pk}/", "/contests/", "/me/contests/", "/me/awards/"]
    for frozen in (False, True):
        if frozen:  # the frozen board, and the prizes in the ledger seen by their winners
            contest_freeze(actor=hr, contest=contest)
        for url in pages:
            for lang in ("en", "zh-hans"):
                c.cookies["django_language"] = lang
                html = c.get(url).content.decode()
                for other in everyone_else:
                    assert other.name not in html, (url, other.employee_id)
                    assert other.employee_id not in html, (url, other.employee_id)
    c.cookies["django_language"] = "en"
    html = c.get(f"/contests/{contest.pk}/").content.decode()
    ranked = _rows(html, "leaderboard")
    assert [r[1] for r in ranked] == ["Contestant #1", me.name, "Contestant #3"]
    assert "Your place: 2= of" in html
    assert 'id="not-ranked"' not in html  # others' reasons are not the agent's to read
    # HR sees every name
    hr_html = login(hr).get(f"/contests/{contest.pk}/").content.decode()
    assert board["best"].name in hr_html and board["fast"].name in hr_html


def test_freezing_writes_the_prizes_once_and_is_audited(
    login: Any, lead: Any, agent: Any, demo_cycle: Any, board: dict[str, Any]
) -> None:
    contest = _gated(lead, demo_cycle, board["team"])
    c = login(lead)
    r = c.post(f"/contests/{contest.pk}/freeze/", follow=True)
    assert "3 prizes were written" in r.content.decode()  # the 1st, and the 2nd shared by two
    contest.refresh_from_db()
    assert contest.frozen and contest.frozen_by == lead
    awards = Award.objects.filter(contest=contest).order_by("employee__employee_id")
    won = {a.employee_id: (a.points, a.amount, a.evidence["rank"]) for a in awards}
    assert won == {
        board["best"].pk: (Decimal(200), Decimal(0), 1),
        board["me"].pk: (Decimal(100), Decimal(50), 2),
        board["tied"].pk: (Decimal(100), Decimal(50), 2),
    }
    assert all(a.kind == Award.CONTEST and a.day == DAY for a in awards)
    told = Notification.objects.filter(user=agent, text_en__contains="Answer-rate sprint")
    assert [n.text_en for n in told] == [
        "You placed 2 in the contest Answer-rate sprint; the prize is in your awards."
    ]
    # a second freeze is refused and writes nothing; later results do not move the board
    again = c.post(f"/contests/{contest.pk}/freeze/", follow=True)
    assert "frozen already" in again.content.decode()
    _set(demo_cycle, board["fast"], "qa_score", 99, 4)
    with translation.override("en"), pytest.raises(EngagementError, match="frozen already"):
        contest_freeze(actor=lead, contest=contest)
    assert Award.objects.filter(contest=contest).count() == 3
    assert (
        AuditEvent.objects.filter(action="contest_freeze", object_id=str(contest.pk)).count() == 1
    )
    html = c.get(f"/contests/{contest.pk}/").content.decode()
    assert board["fast"].name in {r[0] for r in _rows(html, "not-ranked")}
    # the agent's prize is on their awards page, and its cash on the month's pay statement
    mine = login(agent).get("/me/awards/").content.decode()
    assert "Answer-rate sprint: rank 2" in mine and "Place 2 (shared) in a contest." in mine
    lines = list(award_pay_lines([(PERIOD, dt.date(2026, 1, 1), DAY)], {"x": board["me"].pk}))
    [line] = [ln for ln in lines if ln["kind"] == "contest_prize"]
    assert line["amount"] == Decimal(50) and line["code"] == f"contest_{contest.pk}"


def test_judged_scores_rank_a_skill_contest(
    login: Any, lead: Any, agent: Any, demo_cycle: Any, board: dict[str, Any]
) -> None:
    spec = _spec(None, metric=Contest.JUDGED, kpi="", period="", team=board["team"],
                 min_sample=1)  # fmt: skip
    contest = contest_create(actor=lead, spec=spec)
    c = login(lead)
    page = c.get(f"/contests/{contest.pk}/").content.decode()
    assert 'id="scores-form"' in page
    me, best = board["me"], board["best"]
    too_high = {f"score_{me.pk}": "88", f"score_{best.pk}": "140"}
    r = c.post(f"/contests/{contest.pk}/scores/", too_high, follow=True)
    assert "from 0 to 100" in r.content.decode()
    assert not ContestScore.objects.filter(contest=contest).exists()  # all the scores, or none
    c.post(f"/contests/{contest.pk}/scores/", {f"score_{me.pk}": "88", f"score_{best.pk}": "91.5"})
    assert ContestScore.objects.filter(contest=contest).count() == 2
    ranked = _rows(c.get(f"/contests/{contest.pk}/").content.decode(), "leaderboard")
    assert [(r[1], r[2]) for r in ranked] == [(best.name, "91.5"), (me.name, "88.0")]
    # the agent sees the board, not the judging, and cannot post scores
    mine = login(agent)
    assert 'id="scores-form"' not in mine.get(f"/contests/{contest.pk}/").content.decode()
    assert (
        mine.post(f"/contests/{contest.pk}/scores/", {f"score_{me.pk}": "100"}).status_code == 404
    )
    assert "2 of 2" in mine.get("/me/contests/").content.decode()


def test_a_team_contest_ranks_teams_and_pays_every_member(
    hr: Any, demo_cycle: Any, board: dict[str, Any]
) -> None:
    spec = _spec(demo_cycle, kind=Contest.TEAM, prizes=((1, "10", "0"),))
    contest = contest_create(actor=hr, spec=spec)
    contest_freeze(actor=hr, contest=contest)
    standings = contest.standings
    assert all(s["members"] for s in standings)
    first = [s for s in standings if s["rank"] == 1]
    winners = {m for s in first for m in s["members"]}
    paid = set(
        Award.objects.filter(contest=contest).values_list("employee__employee_id", flat=True)
    )
    assert winners and paid == winners


def test_the_demo_has_a_frozen_contest_with_prizes_and_open_ones(login: Any, hr: Any) -> None:
    frozen = Contest.objects.get(state=Contest.FROZEN)
    assert [s["rank"] for s in frozen.standings][:3] == [1, 2, 3]
    assert any(s["rank"] is None for s in frozen.standings)  # the QA gate or the sample bites
    assert Award.objects.filter(contest=frozen).count() >= 3
    skill, teams = Contest.objects.filter(state=Contest.OPEN).order_by("kind")
    assert skill.metric == Contest.JUDGED and ContestScore.objects.filter(contest=skill).exists()
    assert teams.kind == Contest.TEAM and teams.hide_names
    c = login(hr)
    for contest in (frozen, skill, teams):
        html = c.get(f"/contests/{contest.pk}/").content.decode()
        assert len(_rows(html, "leaderboard")) >= 2, contest.title


def test_a_lead_sees_their_team_by_name_and_others_only_in_the_top_places(
    login: Any, lead: Any, hr: Any, demo_cycle: Any, board: dict[str, Any]
) -> None:
    contest = contest_create(actor=hr, spec=_spec(demo_cycle, hide_names=True, top_n=2))
    team = {e.name for e in _team_of(lead)}
    outsiders = Employee.objects.exclude(team=board["team"])
    html = login(lead).get(f"/contests/{contest.pk}/").content.decode()
    labels = [r[1] for r in _rows(html, "leaderboard")]
    hidden = [lb for lb in labels if lb not in team]
    assert all(lb.startswith("Contestant #") for lb in hidden)
    assert len(hidden) <= 2  # only the top places of other teams, never a name
    assert {board["best"].name, board["me"].name, board["tied"].name} <= set(labels)
    for other in outsiders:
        assert other.name not in html and other.employee_id not in html
    assert f'data-stream="/contests/{contest.pk}/stream/"' in html  # an open board follows


def test_everyone_sees_the_top_places_and_their_own_row_only(
    login: Any, agent: Any, hr: Any, demo_cycle: Any, board: dict[str, Any]
) -> None:
    contest = contest_create(actor=hr, spec=_spec(demo_cycle, team=board["team"], top_n=1))
    html = login(agent).get(f"/contests/{contest.pk}/").content.decode()
    assert [r[1] for r in _rows(html, "leaderboard")] == [board["fast"].name, board["me"].name]
    assert board["best"].name not in html  # third, and not among the top places


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_demo_contests_speak_one_language(lang: str, login: Any, hr: Any, lead: Any) -> None:
    from test_language_scan import _data_names, foreign, visible_text

    names = _data_names()
    for user in (hr, lead):
        c = login(user)
        c.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
        for contest in Contest.objects.all():
            r = c.get(f"/contests/{contest.pk}/")
            if r.status_code == 404:  # a lead does not see another team's contest
                continue
            words = foreign(visible_text(r.content.decode()), lang, names)
            assert not words, (contest.title, user.username, sorted(set(words))[:20])


def test_contests_are_read_only_in_the_admin(login: Any, admin_user: Any) -> None:
    c = login(admin_user)
    contest = Contest.objects.get(state=Contest.FROZEN)
    assert c.get("/admin/engagement/contest/").status_code == 200
    assert c.get(f"/admin/engagement/contest/{contest.pk}/change/").status_code == 200
    assert c.get("/admin/engagement/contestscore/").status_code == 200
    assert c.get("/admin/engagement/contest/add/").status_code == 403
