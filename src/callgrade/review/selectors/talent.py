"""Reads for the talent pool: each person's record as a key post's requirements read it (ratings
of published cycles, competency assessments, trainings held, tenure, major complaints), checked
by the engine's readiness function, with the evidence behind each check."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from callgrade.cycles.models import Cycle, KpiValue, ScoreTotal
from callgrade.cycles.workflow import states_allowing
from callgrade.engine.scoring.talent import Check, Facts, Readiness, Requirements, readiness
from callgrade.people.models import CompetencyAssessment, Employee, TrainingRecord
from callgrade.review.models import Candidacy, KeyPost
from callgrade.standards.models import PolicyVersion

COMPLAINTS = "major_complaints"


@dataclass(frozen=True)
class CandidateRow:
    employee: Employee
    readiness: Readiness
    candidacy: Candidacy | None


def standard_codes() -> dict[str, Any]:
    """The codes a key post may name, from the published standard: positions, ratings (best
    first), competencies and trainings."""
    version = PolicyVersion.objects.filter(status=PolicyVersion.PUBLISHED).first()
    if version is None:
        return {"positions": set(), "ratings": set(), "grades": (), "competencies": set(),
                "trainings": set()}  # fmt: skip
    policy = version.policy()
    grades = tuple(g.code for g in sorted(policy.ratings.grades, key=lambda g: -g.points))
    return {
        "positions": {p.code for p in policy.positions},
        "ratings": set(grades),
        "grades": grades,
        "competencies": {c.code for c in policy.competencies},
        "trainings": {t.code for t in policy.trainings},
    }


def requirements_of(post: KeyPost, grades: tuple[str, ...]) -> Requirements:
    return Requirements(
        grades=grades,
        min_rating=post.min_rating,
        rating_periods=post.rating_periods,
        min_tenure_months=post.min_tenure_months,
        competencies={k: float(v) for k, v in post.competencies.items()},
        trainings=tuple(post.trainings),
        max_major_complaints=post.max_major_complaints,
    )


def _ratings() -> dict[int, list[tuple[str, str, int]]]:
    """employee → [(period, final rating, cycle id)] of the cycles employees see, newest period
    first; of two cycles rating the same period the later one counts."""
    visible = Cycle.objects.filter(state__in=states_allowing("visible"))
    rows = ScoreTotal.objects.filter(cycle__in=visible).order_by("cycle__created_at", "cycle_id")
    seen: dict[int, dict[str, tuple[str, int]]] = defaultdict(dict)
    for t in rows.only("employee_id", "period", "rating", "calibrated_rating", "cycle_id"):
        if t.final_rating:
            seen[t.employee_id][t.period] = (t.final_rating, t.cycle_id)
    return {
        emp: [(p, r, c) for p, (r, c) in sorted(periods.items(), reverse=True)]
        for emp, periods in seen.items()
    }


def _complaints(looked: dict[int, list[tuple[str, int]]]) -> dict[int, int]:
    """Major complaints over the (period, cycle) pairs looked at for each employee."""
    cycles = {c for pairs in looked.values() for _p, c in pairs}
    totals: dict[int, int] = {}
    rows = KpiValue.objects.filter(kpi=COMPLAINTS, cycle_id__in=cycles).exclude(value=None)
    for kv in rows.only("employee_id", "period", "cycle_id", "value"):
        if (kv.period, kv.cycle_id) in set(looked.get(kv.employee_id, ())):
            totals[kv.employee_id] = totals.get(kv.employee_id, 0) + int(kv.value or 0)
    return totals


def facts_for(employees: list[Employee], periods: int, today: dt.date) -> dict[int, Facts]:
    ratings = _ratings()
    competencies: dict[int, dict[str, float]] = defaultdict(dict)
    for a in CompetencyAssessment.objects.filter(employee__in=employees).order_by("assessed_at"):
        competencies[a.employee_id][a.competency] = a.score  # the latest wins
    held: dict[int, set[str]] = defaultdict(set)
    for t in TrainingRecord.objects.filter(employee__in=employees).exclude(passed=False):
        if t.expires_at is None or t.expires_at >= today:
            held[t.employee_id].add(t.training)
    looked = {
        e.pk: [(p, c) for p, _r, c in ratings.get(e.pk, [])[: periods or None]] for e in employees
    }
    complaints = _complaints(looked)
    out = {}
    for e in employees:
        tenure = None if e.hire_date is None else (today - e.hire_date).days / (365.25 / 12)
        out[e.pk] = Facts(
            employee_id=e.employee_id,
            ratings=tuple((p, r) for p, r, _c in ratings.get(e.pk, [])),
            tenure_months=tenure,
            competencies=competencies[e.pk],
            trainings=frozenset(held[e.pk]),
            major_complaints=complaints.get(e.pk, 0) if looked[e.pk] else None,
        )
    return out


def candidates(post: KeyPost, today: dt.date) -> list[CandidateRow]:
    """Everyone still employed, the most ready first (then by employee id), with their
    candidacy for the post where they have one."""
    people = list(Employee.objects.exclude(status="left").select_related("team"))
    req = requirements_of(post, standard_codes()["grades"])
    facts = facts_for(people, post.rating_periods, today)
    mine = {c.employee_id: c for c in post.candidacies.all()}
    rows = [CandidateRow(e, readiness(req, facts[e.pk]), mine.get(e.pk)) for e in people]
    rows.sort(key=lambda r: (-r.readiness.met, r.employee.employee_id))
    return rows


def check_words(c: Check, names: dict[str, dict[str, str]]) -> str:
    """One requirement in the reader's language, e.g. "Rating B or better in the last 3 rating
    periods"."""
    if c.requirement == "rating":
        n = c.need.partition("/")[0]
        return _("Rating %(rating)s or better in each of the last %(n)s rating periods") % {
            "rating": c.ref, "n": n,
        }  # fmt: skip
    if c.requirement == "tenure":
        return _("At least %(n)s months since hire") % {"n": c.need}
    if c.requirement == "competency":
        name = names["competencies"].get(c.ref, c.ref)
        return _("%(competency)s assessed at %(score)s or more") % {
            "competency": name, "score": c.need,
        }  # fmt: skip
    if c.requirement == "training":
        return _("%(training)s completed") % {"training": names["trainings"].get(c.ref, c.ref)}
    return _("At most %(n)s major complaints in the periods looked at") % {"n": c.need}


def evidence_of(r: Readiness, names: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The readiness check as kept with a shortlisting: each requirement in words (in the
    language of whoever shortlisted) with have, need and the evidence."""
    return {
        "met": r.met,
        "total": len(r.checks),
        "checks": [
            {"requirement": c.requirement, "ref": c.ref, "words": check_words(c, names),
             "holds": c.holds, "have": c.have, "need": c.need, "evidence": list(c.evidence)}
            for c in r.checks
        ],
    }  # fmt: skip
