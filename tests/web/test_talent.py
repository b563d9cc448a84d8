"""The talent pool and selection for key posts: candidates with their readiness and gap, the
shortlist, the separation of duties and conflicts of interest (the rule promotions follow), and
the appointment as a step of the person's position history."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone, translation
from openpyxl import load_workbook

from callgrade.core.models import AuditEvent
from callgrade.cycles.models import Cycle
from callgrade.people.access import HR_GROUP
from callgrade.people.inputs import roster_table
from callgrade.people.models import Assignment, Conflict, Employee, Team
from callgrade.review.models import Candidacy, KeyPost, Nomination
from callgrade.review.selectors.talent import candidates, standard_codes
from callgrade.review.services.review import nomination_refusal
from callgrade.review.services.talent import (
    TalentError,
    candidate_assess,
    candidate_decide,
    candidate_shortlist,
    key_post_create,
    selection_refusal,
)

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):  # the refusals are matched by their words
        yield


@pytest.fixture
def reviewer(db: None) -> Any:
    return get_user_model().objects.get(username="reviewer")  # HR too (seeded)


def _post(hr: Any, **kw: Any) -> KeyPost:
    args: dict[str, Any] = {"title": "Trainer", "kind": KeyPost.TRAINER, "min_rating": "C",
                            "rating_periods": 1, "min_tenure_months": 1}  # fmt: skip
    return key_post_create(actor=hr, known=standard_codes(), **{**args, **kw})


def _shortlisted(post: KeyPost, by: Any, employee: Employee, score: float | None = 80) -> Candidacy:
    c = candidate_shortlist(actor=by, post=post, employee=employee, evidence={})
    if score is not None:
        c = candidate_assess(actor=by, candidacy=c, score=score, notes="clear and calm")
    return c


def _someone(exclude: set[int] = frozenset()) -> Employee:  # type: ignore[assignment]
    return (
        Employee.objects.filter(user__isnull=True, teams_led__isnull=True)
        .exclude(status="left")
        .exclude(pk__in=exclude)
        .order_by("employee_id")
        .first()
    )  # type: ignore[return-value]


def test_the_demo_has_a_finished_selection(login: Any, hr: Any) -> None:
    post = KeyPost.objects.get()
    assert post.state == KeyPost.FILLED
    states = sorted(post.candidacies.values_list("state", flat=True))
    assert states == ["appointed", "not_selected", "not_selected"]
    for c in post.candidacies.all():
        assert c.assessment_score is not None and c.interview_notes and c.decision_reason
        assert c.decided_by_id not in (c.shortlisted_by_id, c.assessed_by_id)
    appointed = post.candidacies.get(state=Candidacy.APPOINTED)
    assert appointed.assignment is not None
    assert appointed.assignment.position == post.position == appointed.employee.position
    page = login(hr).get(f"/talent/{post.pk}/").content.decode()
    assert f'data-candidacy="{appointed.pk}" data-state="appointed"' in page


def test_candidates_carry_their_readiness_and_the_export_lists_them(login: Any, hr: Any) -> None:
    c = login(hr)
    r = c.post("/talent/new/", {"title": "QA inspector", "kind": "quality_inspector",
                                "min_rating": "B", "rating_periods": "2",
                                "min_tenure_months": "6", "competency": ["communication"],
                                "competency_score": ["70"], "training": ["courtesy"],
                                "max_major_complaints": "0", "openings": "2"})  # fmt: skip
    post = KeyPost.objects.get(title="QA inspector")
    assert r.status_code == 302 and r["Location"] == f"/talent/{post.pk}/"
    assert post.competencies == {"communication": 70.0} and post.trainings == ["courtesy"]
    rows = candidates(post, TODAY)
    assert len(rows) == Employee.objects.exclude(status="left").count()
    assert all(len(row.readiness.checks) == 5 for row in rows)
    mets = [row.readiness.met for row in rows]
    assert mets == sorted(mets, reverse=True)
    page = c.get(f"/talent/{post.pk}/").content.decode()
    assert page.count("data-employee=") == len(rows)
    wb = load_workbook(io.BytesIO(c.get(f"/talent/{post.pk}/candidates.xlsx").content))
    ws = wb.active
    assert ws is not None and ws.max_row == len(rows) + 1
    first = [cell.value for cell in ws[2]]
    assert first[0] == rows[0].employee.employee_id
    assert first[4] == f"{rows[0].readiness.met}/5"


def test_a_post_refuses_codes_the_standard_does_not_have(hr: Any) -> None:
    bad_ones: list[dict[str, Any]] = [
        {"position": "astronaut"},
        {"min_rating": "Z"},
        {"trainings": ["juggling"]},
        {"competencies": {"charm": 50}},
        {"min_rating": "B", "rating_periods": 0},
    ]
    for bad in bad_ones:
        with pytest.raises(TalentError):
            _post(hr, **bad)
    assert not KeyPost.objects.filter(title="Trainer").exists()


def test_whoever_shortlisted_or_interviewed_does_not_decide(
    login: Any, hr: Any, reviewer: Any
) -> None:
    post = _post(hr)
    c = _shortlisted(post, reviewer, _someone())
    refusal = selection_refusal(c, reviewer)
    assert "someone else in HR" in refusal
    with pytest.raises(TalentError, match="someone else in HR"):
        candidate_decide(actor=reviewer, candidacy=c, appoint=True, reason="good",
                         effective=TODAY, today=TODAY)  # fmt: skip
    # interviewing counts too: HR assessed the one the reviewer shortlisted
    other = candidate_shortlist(actor=reviewer, post=post, employee=_someone({c.employee_id}),
                                evidence={})  # fmt: skip
    candidate_assess(actor=hr, candidacy=other, score=70, notes="fine")
    assert selection_refusal(other, hr) and selection_refusal(other, reviewer)
    # the page says why instead of offering the form
    page = login(reviewer).get(f"/talent/{post.pk}/").content.decode()
    assert refusal in page
    assert Candidacy.objects.get(pk=c.pk).state == Candidacy.SHORTLISTED
    assert selection_refusal(c, hr) == ""
    candidate_decide(actor=hr, candidacy=c, appoint=False, reason="not yet", effective=None,
                     today=TODAY)  # fmt: skip
    assert AuditEvent.objects.filter(action="candidate_decide", object_id=str(c.pk)).exists()


def test_a_declared_relation_or_ones_own_case_bars_assessing_and_deciding(
    hr: Any, reviewer: Any, lead: Any
) -> None:
    post = _post(hr)
    someone = _someone()
    c = _shortlisted(post, reviewer, someone, score=None)
    Conflict.objects.create(user=hr, employee=someone, relation="neighbour")
    with pytest.raises(TalentError):
        candidate_assess(actor=hr, candidacy=c, score=90, notes="biased")
    candidate_assess(actor=reviewer, candidacy=c, score=75, notes="steady")
    with pytest.raises(TalentError, match="conflict of interest"):
        candidate_decide(actor=hr, candidacy=c, appoint=True, reason="r", effective=TODAY,
                         today=TODAY)  # fmt: skip
    # the same words as for a nomination: one rule for both
    cycle = Cycle.objects.get(name="demo")
    n = Nomination.objects.create(cycle=cycle, employee=someone, level_to="senior",
                                  reason="r", nominated_by=lead)  # fmt: skip
    assert nomination_refusal(n, hr) == selection_refusal(c, hr)
    # an HR member who is also an employee never shortlists themselves
    lead.groups.add(Group.objects.get(name=HR_GROUP))
    with pytest.raises(TalentError, match="own case"):
        candidate_shortlist(actor=lead, post=post, employee=Employee.objects.get(user=lead),
                            evidence={})  # fmt: skip


def test_deciding_needs_the_assessment_and_reasons(hr: Any, reviewer: Any) -> None:
    c = _shortlisted(_post(hr), reviewer, _someone(), score=None)
    with pytest.raises(TalentError, match="assessment"):
        candidate_decide(actor=hr, candidacy=c, appoint=False, reason="r", effective=None,
                         today=TODAY)  # fmt: skip
    candidate_assess(actor=reviewer, candidacy=c, score=60, notes="ok")
    with pytest.raises(TalentError, match="Reasons"):
        candidate_decide(actor=hr, candidacy=c, appoint=False, reason=" ", effective=None,
                         today=TODAY)  # fmt: skip
    with pytest.raises(TalentError, match="Effective"):
        candidate_decide(actor=hr, candidacy=c, appoint=True, reason="r", effective=None,
                         today=TODAY)  # fmt: skip


def test_an_appointment_is_a_step_of_the_position_history(hr: Any, reviewer: Any) -> None:
    team = Team.objects.order_by("name").last()
    post = _post(hr, position="technical_support", team=team, openings=1)
    first = _someone()
    old_position, old_team = first.position, first.team_id
    later = TODAY + dt.timedelta(days=30)
    c = _shortlisted(post, reviewer, first)
    candidate_decide(actor=hr, candidacy=c, appoint=True, reason="best interview",
                     effective=later, today=TODAY)  # fmt: skip
    step = Assignment.objects.get(pk=Candidacy.objects.get(pk=c.pk).assignment_id)
    assert (step.position, step.team_id, step.effective) == ("technical_support", team.pk, later)
    assert "best interview" in step.reason
    first.refresh_from_db()
    assert (first.position, first.team_id) == (old_position, old_team)  # not yet
    tz = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")
    then = roster_table(tz, as_of=later).to_pylist()
    row = next(r for r in then if r["employee_id"] == first.employee_id)
    assert row["position"] == "technical_support" and row["team"] == team.name
    now = next(r for r in roster_table(tz, as_of=TODAY).to_pylist()
               if r["employee_id"] == first.employee_id)  # fmt: skip
    assert now["position"] == old_position
    assert AuditEvent.objects.filter(action="position_change", object_id=str(first.pk)).exists()
    assert KeyPost.objects.get(pk=post.pk).state == KeyPost.FILLED
    # the one opening is taken: nobody else is appointed, and the post takes no new names
    with pytest.raises(TalentError):
        candidate_shortlist(actor=reviewer, post=KeyPost.objects.get(pk=post.pk),
                            employee=_someone({first.pk}), evidence={})  # fmt: skip


def test_an_appointment_from_today_changes_the_position_now(hr: Any, reviewer: Any) -> None:
    post = _post(hr, position="technical_support", openings=2)
    someone = _someone()
    c = _shortlisted(post, reviewer, someone)
    candidate_decide(actor=hr, candidacy=c, appoint=True, reason="ready", effective=TODAY,
                     today=TODAY)  # fmt: skip
    someone.refresh_from_db()
    assert someone.position == "technical_support"
    assert KeyPost.objects.get(pk=post.pk).state == KeyPost.OPEN  # one opening left
