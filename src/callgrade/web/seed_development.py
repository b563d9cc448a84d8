"""The demo's development: a catalog course for every training of the standard, past sessions
with attendance and exam scores (training records), coming sessions (one open to other
departments, one online), a job-shadowing placement, and the proposals the computed cycle made
in each state — proposed, assigned, deferred, rejected, completed. Nothing when a catalog
exists already."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from callgrade.development.models import Course, Enrolment, Proposal, Session
from callgrade.development.services.catalog import (
    attendance_record,
    course_create,
    enrol,
    placement_record,
    session_create,
)
from callgrade.development.services.proposals import proposal_decide
from callgrade.people.models import Department, Employee, Team
from callgrade.standards.services import policy_current

# training code → (kind, Chinese title, English title, KPIs it is meant to improve, pass mark)
CATALOG: dict[str, tuple[str, str, str, list[str], float | None]] = {
    "courtesy": ("service", "服务礼仪与通话规范", "Service courtesy on the phone",
                 ["qa_score", "csat"], 70),
    "sales_skills": ("communication", "电话销售技巧进阶", "Telephone sales skills",
                     ["sales_conversion"], 75),
    "business_basics": ("business", "业务知识精讲", "Business knowledge in depth",
                        ["answer_rate", "fcr_repeat"], 80),
    "teamwork_workshop": ("teamwork", "团队协作工作坊", "Teamwork workshop", [], None),
}  # fmt: skip
TRAINERS = ("林晓燕", "周建国", "陈静")


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _courses(hr: Any) -> list[Course]:
    version = policy_current()
    trainings = version.policy().trainings if version else ()
    out = []
    for t in trainings:
        kind, zh, en, kpis, mark = CATALOG.get(
            t.code, ("business", t.label.zh, t.label.en, [], None)
        )
        out.append(course_create(
            actor=hr, training=t.code, title_zh=zh, title_en=en, kind=kind,
            competencies=list(t.competencies), kpis=kpis, hours=6, pass_score=mark,
        ))  # fmt: skip
    return out


def _decide(hr: Any, lead: Any, agent_emp: Employee | None) -> dict[str, int]:
    """Proposals of the computed cycle in each state; the agent's own is assigned."""
    open_ = list(Proposal.objects.filter(state=Proposal.PROPOSED).order_by("employee__employee_id",
                                                                          "id"))  # fmt: skip
    mine = [p for p in open_ if agent_emp is not None and p.employee_id == agent_emp.pk]
    rest = [p for p in open_ if p not in mine]
    today = timezone.localdate()
    done = {"confirmed": 0, "deferred": 0, "rejected": 0}
    for p in mine[:1] + rest[:2]:
        actor = lead if p in mine else hr
        proposal_decide(proposal=p, decision="confirm", due=today + dt.timedelta(days=30),
                        actor=actor)  # fmt: skip
        done["confirmed"] += 1
    if len(rest) > 2:
        proposal_decide(proposal=rest[2], decision="defer", until=today + dt.timedelta(days=45),
                        reason="旺季排班紧张，下月再安排", actor=hr)  # fmt: skip
        done["deferred"] += 1
    if len(rest) > 3:
        proposal_decide(proposal=rest[3], decision="reject", actor=hr,
                        reason="上月已参加同类培训，先观察两个月")  # fmt: skip
        done["rejected"] += 1
    return done


def seed_development() -> dict[str, int]:
    if Course.objects.exists():
        return {}
    users = get_user_model().objects
    hr, lead, agent = (users.get(username=u) for u in ("hr", "lead", "agent"))
    agent_emp = Employee.objects.filter(user=agent).first()
    courses = _courses(hr)
    if not courses:
        return {}
    decided = _decide(hr, lead, agent_emp)
    dept = Department.objects.order_by("name").first()
    # past sessions: attendance and exams recorded, each attended one a training record
    assigned = list(Proposal.objects.filter(state=Proposal.CONFIRMED).select_related("course"))
    completed = assigned[1:2]  # one assignment completed, the rest still open
    past_courses = [c for c in courses if c.pass_score is not None][:2]
    for p in completed:
        if p.course is not None and p.course not in past_courses:
            past_courses.append(p.course)
    everyone = list(Employee.objects.exclude(status="left").order_by("employee_id"))
    for i, course in enumerate(past_courses):
        s = session_create(
            actor=hr, course=course, starts_at=_at(-20 + 6 * i, 9), ends_at=_at(-20 + 6 * i, 17),
            trainer=TRAINERS[i % len(TRAINERS)], capacity=12, place="培训教室 B",
            department=dept, open_to_all=True,
        )  # fmt: skip
        people = everyone[i::3][:6] + [p.employee for p in completed if p.course == course]
        if agent_emp is not None and i == 0:
            people.append(agent_emp)
        for n, emp in enumerate(dict.fromkeys(people)):
            e = enrol(actor=hr, session=s, employee=emp)
            mark = course.pass_score
            score = None if mark is None else float(min(98, mark - 12 + 7 * (n % 4) + 5))
            if any(p.employee_id == emp.pk for p in completed) and mark is not None:
                score = mark + 8
            attendance_record(actor=hr, enrolment=e, attended=n % 5 != 4,
                              exam_score=score if n % 5 != 4 else None)  # fmt: skip
    # coming sessions: one open to other departments, one online
    for i, course in enumerate(courses[:3]):
        s = session_create(
            actor=hr, course=course, starts_at=_at(5 + 7 * i, 14), ends_at=_at(5 + 7 * i, 17),
            trainer=TRAINERS[(i + 1) % len(TRAINERS)], capacity=[10, 3, 20][i],
            place="" if i == 2 else "培训教室 A", online=i == 2, department=dept,
            open_to_all=i != 1,
        )  # fmt: skip
        if agent_emp is not None and i == 0:
            enrol(actor=agent, session=s)
    teams = list(Team.objects.order_by("name"))
    if agent_emp is not None and len(teams) > 1:
        host = next(t for t in teams if t.pk != agent_emp.team_id)
        placement_record(
            actor=hr, employee=agent_emp, host_team=host, training=courses[0].training,
            mentor="王丽", starts_on=timezone.localdate() - dt.timedelta(days=40),
            ends_on=timezone.localdate() - dt.timedelta(days=36), notes="跟岗学习投诉升级流程",
        )  # fmt: skip
    return {
        "courses": len(courses),
        "sessions": Session.objects.count(),
        "enrolments": Enrolment.objects.count(),
        **decided,
        "completed": Proposal.objects.filter(state=Proposal.COMPLETED).count(),
    }
