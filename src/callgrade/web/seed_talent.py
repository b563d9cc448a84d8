"""The demo's coaching notes and a key-post selection, made through the services people use:
notes the lead wrote for members of their team (one acknowledged with a reply and followed up,
one acknowledged, one whose follow-up is overdue, one not yet read), and a key post with its
requirements, three shortlisted candidates assessed and interviewed by one HR member and
decided by another — the appointee's position changes in their history. Once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from callgrade.cycles.models import Cycle, Decision, KpiValue
from callgrade.people.models import Employee
from callgrade.review.models import CoachingNote, KeyPost
from callgrade.review.selectors.talent import candidates, evidence_of, standard_codes
from callgrade.review.services.coaching import (
    coaching_follow_up,
    coaching_record,
    coaching_respond,
)
from callgrade.review.services.talent import (
    candidate_assess,
    candidate_decide,
    candidate_shortlist,
    key_post_create,
)
from callgrade.standards.labels import standard_names

# (days ago, kind, notes, actions, follow-up in days from the talk or None, reply, outcome)
# fmt: off
NOTES: list[tuple[int, str, str, str, int | None, str | None, str]] = [
    (40, CoachingNote.SESSION,
     "一起听了三通满意度偏低的录音：开场确认需求过快，客户还没说完就开始给方案。",
     "每通电话先复述客户诉求再给方案；每周自选两通录音复盘。", 14,
     "同意。另外希望知识库里多一些退费场景的示例话术。",
     "两周后复听五通录音，复述做得到位，满意度回升。"),
    (20, CoachingNote.ONE_ON_ONE,
     "月度一对一：谈了排班和学习计划，想在年底前考取高级客服证书。",
     "报名下一期证书培训；主管帮助协调学习时间。", None, "", ""),
    (12, CoachingNote.SESSION,
     "接通率本月低于底线，主要是午休后回到岗位晚了几分钟。",
     "午休后准时签入；连续两周每天核对签入时间。", 7, None, ""),
]
# fmt: on
LATEST = (
    5,
    CoachingNote.ONE_ON_ONE,
    "新人入职第一个月的一对一：熟悉系统较快，遇到投诉电话会紧张。",
    "旁听资深同事处理投诉电话三次。",
    21,
)  # fmt: skip

POST = {
    "title": "技术支持资深专员",
    "kind": KeyPost.SENIOR,
    "position": "technical_support",
    "min_rating": "B",
    "rating_periods": 2,
    "min_tenure_months": 6,
    "competencies": {"communication": 75, "problem_solving": 70},
    "max_major_complaints": 0,
}
INTERVIEWS = [
    (86, "技术问题讲解清楚，能换位思考；带教过两名新人。"),
    (74, "业务熟练，但对复杂故障的排查思路还需要练习。"),
    (69, "沟通好，技术深度不足，建议先参加产品进阶培训。"),
]
APPOINT = "测评和面试成绩第一，近两期评级均为 B 以上，沟通与问题解决能力达标，无重大投诉。"
DECLINE = "本次名额已满；已纳入人才库，下一期优先考虑。"


def _kpi_of(cycle: Cycle | None, employee: Employee) -> tuple[str, str]:
    """A KPI and period of the employee in ``cycle`` to link a note to ("" when none)."""
    if cycle is None:
        return "", ""
    kv = (
        KpiValue.objects.filter(cycle=cycle, employee=employee)
        .exclude(value=None)
        .order_by("-period", "kpi")
        .first()
    )
    return (kv.kpi, kv.period) if kv else ("", "")


def seed_coaching(cycle: Cycle | None) -> int:
    if CoachingNote.objects.exists():
        return 0
    users = get_user_model().objects
    lead, agent = users.get(username="lead"), users.get(username="agent")
    me, today = Employee.objects.get(user=agent), timezone.localdate()
    kpi, period = _kpi_of(cycle, me)
    decided = cycle is not None and Decision.objects.filter(cycle=cycle, employee=me).exists()
    for i, (ago, kind, notes, actions, follow, reply, outcome) in enumerate(NOTES):
        held = today - dt.timedelta(days=ago)
        note = coaching_record(
            actor=lead, employee=me, kind=kind, held_on=held, notes=notes, actions=actions,
            follow_up_on=held + dt.timedelta(days=follow) if follow is not None else None,
            kpi=kpi if i != 1 else "", period=period if i != 1 else "",
            cycle=cycle if i == 1 and decided else None, about_decision=i == 1 and decided,
            today=today,
        )  # fmt: skip
        if reply is not None:
            coaching_respond(actor=agent, note=note, reply=reply)
        if outcome:
            coaching_follow_up(actor=lead, note=note, outcome=outcome)
    other = (
        Employee.objects.filter(team=me.team)
        .exclude(pk__in=[me.pk, me.team.lead_id if me.team else None])
        .order_by("employee_id")
        .first()
    )
    if other is not None:
        ago, kind, notes, actions, follow = LATEST
        held = today - dt.timedelta(days=ago)
        coaching_record(actor=lead, employee=other, kind=kind, held_on=held, notes=notes,
                        actions=actions, follow_up_on=held + dt.timedelta(days=follow),
                        today=today)  # fmt: skip
    return len(NOTES) + (other is not None)


def seed_selection() -> KeyPost | None:
    """A key post and its finished selection: shortlisted and interviewed by the reviewer (an
    HR member), decided by HR. Leads and people with a login stay out of the demo's shortlist,
    so the demo logins keep the positions their pages are about."""
    if KeyPost.objects.exists():
        return None
    users = get_user_model().objects
    hr, reviewer = users.get(username="hr"), users.get(username="reviewer")
    codes = standard_codes()
    if POST["position"] not in codes["positions"]:
        return None
    post = key_post_create(actor=hr, known=codes, **POST)  # type: ignore[arg-type]
    today = timezone.localdate()
    names = standard_names("zh-hans")
    rows = [
        r for r in candidates(post, today)
        if r.employee.user_id is None and not r.employee.teams_led.exists()
        and r.employee.position != POST["position"]
    ][: len(INTERVIEWS)]  # fmt: skip
    shortlisted = [
        candidate_shortlist(actor=reviewer, post=post, employee=r.employee,
                            evidence=evidence_of(r.readiness, names))
        for r in rows
    ]  # fmt: skip
    for c, (score, notes) in zip(shortlisted, INTERVIEWS, strict=False):
        candidate_assess(actor=reviewer, candidacy=c, score=score, notes=notes)
    for i, c in enumerate(shortlisted):
        candidate_decide(
            actor=hr, candidacy=c, appoint=i == 0, reason=APPOINT if i == 0 else DECLINE,
            effective=today if i == 0 else None, today=today,
        )  # fmt: skip
    return post


def seed_talent(cycle: Cycle | None) -> dict[str, Any]:
    """The demo's coaching notes and key-post selection (nothing when they exist already)."""
    post = seed_selection()
    return {"coaching_notes": seed_coaching(cycle), "key_post": post.pk if post else None}
