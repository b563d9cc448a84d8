"""Reads for the development pages, each through the access rules of people and sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from callgrade.development.access import open_to, visible_sessions
from callgrade.development.models import (
    Course,
    Enrolment,
    FeedbackResponse,
    Placement,
    Proposal,
    Session,
)
from callgrade.development.words import evidence_text, gap_kind, names
from callgrade.engine.policy import Policy
from callgrade.engine.policy.model import TrainingCondition
from callgrade.people.access import employee_of, visible_employees
from callgrade.people.models import Employee, TrainingRecord
from callgrade.standards.models import PolicyVersion
from callgrade.standards.services import policy_current


@dataclass
class ProposalRow:
    proposal: Proposal
    training: str
    why: str
    gap: str


def proposal_rows(qs: QuerySet[Proposal]) -> list[ProposalRow]:
    known = names()
    return [
        ProposalRow(
            proposal=p,
            training=known["trainings"].get(p.training, str(p.course) if p.course else "—"),
            why=evidence_text(p.evidence, known),
            gap=gap_kind(p.kind),
        )
        for p in qs.select_related("employee", "course", "decided_by")
    ]


def visible_proposals(user: Any) -> QuerySet[Proposal]:
    return Proposal.objects.filter(employee__in=visible_employees(user))


def sessions_with_counts(qs: QuerySet[Session]) -> QuerySet[Session]:
    return qs.select_related("course", "department").annotate(taken=Count("enrolments"))


def upcoming_sessions(user: Any) -> list[Session]:
    """Sessions still to come that ``user`` may list; a cancelled one only for the people
    enrolled in it (they see it marked cancelled, with the reason)."""
    me = employee_of(user)
    mine = Enrolment.objects.filter(employee=me).values("session_id") if me else []
    live = Q(cancelled_at__isnull=True) | Q(pk__in=mine)
    return list(
        sessions_with_counts(visible_sessions(user).filter(live, starts_at__gt=timezone.now()))
        .order_by("starts_at")
        .distinct()
    )


@dataclass
class NextGap:
    competency: str
    level: str
    required: float
    score: float | None
    courses: list[Course]


def _next_level(emp: Employee) -> tuple[Policy, str, str] | None:
    """(the standard in force, the employee's position there, the level above theirs), or None
    at the top of the ladder or outside the standard."""
    version = policy_current()
    if version is None:
        return None
    policy = version.policy()
    pos = next((p for p in policy.positions if p.code == emp.position), None)
    if pos is None:
        return None
    ordered = [lv.code for lv in policy.ladder(pos.ladder).ordered()]
    if emp.level not in ordered or emp.level == ordered[-1]:
        return None
    return policy, pos.code, ordered[ordered.index(emp.level) + 1]


def next_grade_gaps(emp: Employee) -> list[NextGap]:
    """What the next level up requires of the employee's competencies and falls short, with the
    catalog's courses that develop each."""
    found = _next_level(emp)
    if found is None:
        return []
    policy, position, nxt = found
    pos = next(p for p in policy.positions if p.code == position)
    req = next((r for r in pos.competencies if r.level == nxt), None)
    if req is None:
        return []
    latest: dict[str, float] = {}
    for a in emp.assessments.order_by("assessed_at", "id"):
        latest[a.competency] = a.score
    known = names()
    out = []
    for comp, required in sorted(req.requires.items()):
        score = latest.get(comp)
        if score is not None and score >= required:
            continue
        courses = [c for c in Course.objects.filter(active=True) if comp in c.competencies]
        out.append(NextGap(known["competencies"].get(comp, "—"), known["levels"].get(nxt, "—"),
                           required, score, courses))  # fmt: skip
    return out


@dataclass
class NextTraining:
    training: str
    level: str
    held: bool
    courses: list[Course]


def next_level_trainings(emp: Employee, today: dt.date | None = None) -> list[NextTraining]:
    """The trainings a promotion to the next level requires (the level's indicators and the
    promotion rule's own training conditions), whether the employee holds each today as grading
    counts it — completed, not failed, not lapsed — and the catalog's courses of each."""
    found = _next_level(emp)
    if found is None:
        return []
    policy, position, nxt = found
    rules = next((g for g in policy.grading if position in g.positions), None)
    if rules is None or rules.promotion is None:
        return []
    conditions = list(rules.promotion.all)
    for table in rules.levels:
        if table.level == nxt:
            conditions += table.indicators
    codes = list(dict.fromkeys(
        code for c in conditions if isinstance(c, TrainingCondition) for code in c.completed
    ))  # fmt: skip
    today = today or timezone.localdate()
    held = set(
        TrainingRecord.objects.filter(employee=emp, training__in=codes, completed_at__lte=today)
        .exclude(passed=False)
        .exclude(expires_at__lte=today)
        .values_list("training", flat=True)
    )
    known = names()
    return [
        NextTraining(known["trainings"].get(code, "—"), known["levels"].get(nxt, "—"),
                     code in held, list(Course.objects.filter(training=code, active=True)))
        for code in codes
    ]  # fmt: skip


def my_development(emp: Employee, user: Any) -> dict[str, Any]:
    mine = Proposal.objects.filter(employee=emp)
    enrolled = {e.session_id for e in Enrolment.objects.filter(employee=emp)}
    sessions = [s for s in upcoming_sessions(user) if open_to(emp, s)]
    return {
        "assigned": proposal_rows(
            mine.filter(state__in=[Proposal.CONFIRMED, Proposal.COMPLETED]).order_by("due")
        ),
        "sessions": sessions,
        "enrolled": enrolled,
        "enrolments": Enrolment.objects.filter(employee=emp)
        .select_related("session__course")
        .order_by("-session__starts_at"),
        # attended sessions and whether the attendee has given feedback on each
        "attended": [
            (e, FeedbackResponse.objects.filter(enrolment=e).exists())
            for e in Enrolment.objects.filter(employee=emp, attended=True)
            .select_related("session__course")
            .order_by("-session__starts_at")
        ],
        "records": TrainingRecord.objects.filter(employee=emp).order_by("-completed_at"),
        "placements": Placement.objects.filter(employee=emp).select_related("host_team"),
        "gaps": next_grade_gaps(emp),
        "next_trainings": next_level_trainings(emp),
    }


def team_board(user: Any) -> dict[str, Any]:
    visible = visible_employees(user).exclude(status="left")
    props = visible_proposals(user)
    done = TrainingRecord.objects.filter(employee__in=visible)
    by_state: dict[tuple[int, str], int] = {}
    for emp_id, state in props.values_list("employee_id", "state"):
        by_state[emp_id, state] = by_state.get((emp_id, state), 0) + 1
    records = dict(
        done.values("employee_id").annotate(n=Count("id")).values_list("employee_id", "n")
    )
    members = [
        {
            "employee": e,
            "proposed": by_state.get((e.pk, Proposal.PROPOSED), 0),
            "assigned": by_state.get((e.pk, Proposal.CONFIRMED), 0),
            "completed": by_state.get((e.pk, Proposal.COMPLETED), 0),
            "records": records.get(e.pk, 0),
        }
        for e in visible.select_related("team").order_by("team__name", "employee_id")
    ]
    return {
        "pending": proposal_rows(props.filter(state=Proposal.PROPOSED)),
        "assigned": proposal_rows(props.filter(state=Proposal.CONFIRMED).order_by("due")),
        "members": members,
        "records": done.select_related("employee").order_by("-completed_at")[:50],
    }


def report_rows() -> list[list[Any]]:
    """One row per course: sessions, seats, enrolled, attended, passed, mean exam score, and
    the proposals assigned and completed."""
    rows = []
    for c in Course.objects.all():
        ens = Enrolment.objects.filter(session__course=c)
        scores = [e.exam_score for e in ens if e.exam_score is not None]
        props = Proposal.objects.filter(training=c.training)
        rows.append([
            str(c),
            str(c.get_kind_display()),
            Session.objects.filter(course=c).count(),
            sum(s.capacity for s in Session.objects.filter(course=c)),
            ens.count(),
            ens.filter(attended=True).count(),
            ens.filter(passed=True).count(),
            round(sum(scores) / len(scores), 1) if scores else None,
            props.filter(state__in=[Proposal.CONFIRMED, Proposal.COMPLETED]).count(),
            props.filter(state=Proposal.COMPLETED).count(),
        ])  # fmt: skip
    return rows


def training_choices() -> list[tuple[str, str]]:
    """The trainings of the standards, named, for the catalog's form."""
    known = names()["trainings"]
    codes: set[str] = set()
    for v in PolicyVersion.objects.exclude(status=PolicyVersion.RETIRED):
        codes |= {t.code for t in v.policy().trainings}
    return sorted(((c, known.get(c, c)) for c in codes), key=lambda x: x[1])
