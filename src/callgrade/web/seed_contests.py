"""The demo's contests, made through the services people use: a center-wide answer-rate contest
over the cycle's first rating period with a QA gate and a minimum sample, frozen with its prizes
in the awards ledger; an open skill contest of the lead's team with some judged scores; and an
open contest between teams with hidden names. Once."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from callgrade.cycles.models import Cycle, KpiValue
from callgrade.engagement.models import Contest
from callgrade.engagement.services.contests import (
    ContestSpec,
    contest_create,
    contest_freeze,
    contest_score,
    contestants,
)
from callgrade.people.models import Employee


def _days(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a rating period label (``2026-01``, or a ``from..to`` range)."""
    if ".." in period:
        first, _sep, last = period.partition("..")
        return dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    start = dt.date.fromisoformat(f"{period}-01")
    following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, following - dt.timedelta(days=1)


def seed_contests(cycle: Cycle) -> dict[str, int]:
    """The demo's contests over ``cycle``'s stored results (nothing when contests exist)."""
    if Contest.objects.exists():
        return {"contests": 0, "prizes": 0}
    periods = sorted(
        KpiValue.objects.filter(cycle=cycle).values_list("period", flat=True).distinct()
    )
    periods = [p for p in periods if len(p) == 7 or ".." in p]  # months (or custom ranges)
    if not periods:
        return {"contests": 0, "prizes": 0}
    users = get_user_model().objects
    hr, lead = users.get(username="hr"), users.get(username="lead")
    first, last = periods[0], periods[-1]
    start, end = _days(first)
    frozen = contest_create(actor=hr, spec=ContestSpec(
        title="接通率挑战赛",
        description="接通率高且质检不低于 85 分者上榜；样本不足 20 通不排名。",
        starts_on=start, ends_on=end, kpi="answer_rate", cycle=cycle, period=first,
        gates=(("qa_score", ">=", "85"),), min_sample=20, top_n=10,
        prizes=((1, "300", "0"), (2, "200", "0"), (3, "100", "0")),
    ))  # fmt: skip
    prizes = contest_freeze(actor=hr, contest=frozen)
    team = Employee.objects.get(user=lead).team
    open_start, open_end = _days(last)
    skill = contest_create(actor=lead, spec=ContestSpec(
        title="服务话术技能赛", description="每人录制一段投诉安抚通话，由组长和质检员评分。",
        starts_on=open_start, ends_on=open_end + dt.timedelta(days=14), metric=Contest.JUDGED,
        team=team, min_sample=1, top_n=5, prizes=((1, "150", "0"), (2, "80", "0")),
    ))  # fmt: skip
    for i, emp in enumerate(contestants(skill)[:5]):
        contest_score(actor=lead, contest=skill, employee=emp, score=str(78 + (i * 7) % 20))
    contest_create(actor=hr, spec=ContestSpec(
        title="班组满意度争霸赛", description="各班组按客户满意度排名，姓名不公开。",
        starts_on=open_start, ends_on=open_end, kind=Contest.TEAM, kpi="csat", cycle=cycle,
        period=last, hide_names=True, top_n=3, prizes=((1, "50", "0"),),
    ))  # fmt: skip
    return {"contests": 3, "prizes": prizes}
