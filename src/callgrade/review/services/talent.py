"""The talent pool and selection for key posts: HR defines a post and its requirements,
shortlists candidates (keeping the readiness evidence as it stood), records each candidate's
assessment score and interview notes, and decides with reasons — under the rule every decision
on a person's case follows (:mod:`callgrade.review.duties`): the one who shortlisted or
interviewed leaves the decision to someone else in HR. An appointment is a step of the person's
position and team history. Each step is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.people.access import allowed, is_hr
from callgrade.people.models import Employee, Team
from callgrade.people.services.records import RecordError, position_change
from callgrade.review.duties import Refusals, decide_refusal
from callgrade.review.models import Candidacy, KeyPost


class TalentError(ValueError):
    """A step of a selection refused: the message says which field and why."""


def _require_hr(actor: Any) -> None:
    if not is_hr(actor):
        raise TalentError(_("Only HR manages key posts."))


def key_post_create(
    *,
    actor: Any,
    title: str,
    kind: str,
    position: str = "",
    team: Team | None = None,
    openings: int = 1,
    min_rating: str = "",
    rating_periods: int = 0,
    min_tenure_months: int | None = None,
    competencies: dict[str, float] | None = None,
    trainings: list[str] | None = None,
    max_major_complaints: int | None = None,
    known: dict[str, set[str]],
) -> KeyPost:
    """A key post with its requirements. ``known`` holds the codes the standards define
    (positions, ratings, competencies, trainings), which every code given must be one of."""
    _require_hr(actor)
    title = title.strip()
    if not title or len(title) > 100:
        raise TalentError(_("Title: give the post a name of at most 100 characters."))
    if kind not in dict(KeyPost.KINDS):
        raise TalentError(_("Kind: choose one of the list."))
    if position and position not in known["positions"]:
        raise TalentError(_("Position: choose one of the list."))
    if not 1 <= openings <= 100:
        raise TalentError(_("Openings: a whole number from 1 to 100."))
    if bool(min_rating) != (rating_periods > 0):
        raise TalentError(_("Rating: give both the lowest rating and the number of periods."))
    if min_rating and min_rating not in known["ratings"]:
        raise TalentError(_("Rating: choose one of the list."))
    competencies = competencies or {}
    for code, score in competencies.items():
        if code not in known["competencies"]:
            raise TalentError(_("Competencies: %(code)s is not in the standard.") % {"code": code})
        if not 0 <= score <= 100:
            raise TalentError(_("Competencies: a score from 0 to 100."))
    trainings = trainings or []
    for code in trainings:
        if code not in known["trainings"]:
            raise TalentError(_("Trainings: %(code)s is not in the standard.") % {"code": code})
    with transaction.atomic():
        post = KeyPost.objects.create(
            title=title, kind=kind, position=position, team=team, openings=openings,
            min_rating=min_rating, rating_periods=rating_periods,
            min_tenure_months=min_tenure_months, competencies=competencies,
            trainings=trainings, max_major_complaints=max_major_complaints, created_by=actor,
        )  # fmt: skip
        audit(actor, "key_post_create", post, after={"title": title, "kind": kind})
    return post


def candidate_shortlist(
    *, actor: Any, post: KeyPost, employee: Employee, evidence: dict[str, Any]
) -> Candidacy:
    """HR puts a person on the shortlist; ``evidence`` is their readiness check at this moment.
    Not on one's own case nor a declared relation; once per post."""
    _require_hr(actor)
    if not allowed(actor, "employee", employee, "manage"):
        raise TalentError(_("You may not shortlist this employee (your own case or a relation)."))
    if post.state != KeyPost.OPEN:
        raise TalentError(_("This post is no longer open."))
    if Candidacy.objects.filter(key_post=post, employee=employee).exists():
        raise TalentError(_("This employee is already on the shortlist."))
    with transaction.atomic():
        c = Candidacy.objects.create(
            key_post=post, employee=employee, evidence=evidence, shortlisted_by=actor
        )
        audit(actor, "candidate_shortlist", c, after={"employee": employee.employee_id,
                                                       "post": post.pk})  # fmt: skip
    return c


def candidate_assess(*, actor: Any, candidacy: Candidacy, score: float, notes: str) -> Candidacy:
    """HR records the candidate's assessment score (0–100) and interview notes."""
    if not allowed(actor, "candidacy", candidacy, "manage"):
        raise TalentError(_("You may not assess this candidate (your own case or a relation)."))
    if candidacy.state != Candidacy.SHORTLISTED:
        raise TalentError(_("This candidate was already decided."))
    if not 0 <= score <= 100:
        raise TalentError(_("Assessment score: a number from 0 to 100."))
    if not notes.strip():
        raise TalentError(_("Interview notes: write what the interview showed."))
    with transaction.atomic():
        before = {"score": candidacy.assessment_score}
        candidacy.assessment_score = score
        candidacy.interview_notes = notes.strip()
        candidacy.assessed_by = actor
        candidacy.assessed_at = timezone.now()
        candidacy.save()
        audit(actor, "candidate_assess", candidacy, before=before, after={"score": score})
    return candidacy


def selection_refusal(candidacy: Candidacy, actor: Any) -> str:
    """Why ``actor`` may not decide ``candidacy`` ("" when they may): the rule every decision
    on a person's case follows, whoever shortlisted or interviewed being the ones involved."""
    return decide_refusal(
        actor,
        candidacy.employee,
        [candidacy.shortlisted_by_id, candidacy.assessed_by_id],
        Refusals(
            only_hr=_("Only HR decides selections."),
            involved=_(
                "You shortlisted or interviewed this candidate, so someone else in HR must decide."
            ),
        ),
    )


def candidate_decide(
    *,
    actor: Any,
    candidacy: Candidacy,
    appoint: bool,
    reason: str,
    effective: dt.date | None,
    today: dt.date,
) -> Candidacy:
    """Appoint the candidate or not, with reasons. An appointment changes the person's position
    (and team, when the post names one) from ``effective`` on, in their history; the post is
    filled once its openings are."""
    refusal = selection_refusal(candidacy, actor)
    if refusal:
        raise TalentError(refusal)
    if candidacy.state != Candidacy.SHORTLISTED:
        raise TalentError(_("This candidate was already decided."))
    if candidacy.assessment_score is None:
        raise TalentError(_("Record the assessment and the interview before deciding."))
    if not reason.strip():
        raise TalentError(_("Reasons: a decision needs its reasons."))
    post = candidacy.key_post
    if appoint and effective is None:
        raise TalentError(_("Effective from: give the day the appointment takes effect."))
    with transaction.atomic():
        post = KeyPost.objects.select_for_update().get(pk=post.pk)
        appointed = post.candidacies.filter(state=Candidacy.APPOINTED).count()
        if appoint and appointed >= post.openings:
            raise TalentError(_("Every opening of this post is already filled."))
        emp = candidacy.employee
        if appoint and effective is not None:
            try:
                candidacy.assignment = position_change(
                    employee=emp,
                    position=post.position or emp.position,
                    team=post.team or emp.team,
                    effective=effective,
                    reason=f"{post.title}: {reason.strip()}",
                    actor=actor,
                    today=today,
                )
            except RecordError as e:
                raise TalentError(str(e)) from None
            candidacy.effective = effective
        candidacy.state = Candidacy.APPOINTED if appoint else Candidacy.NOT_SELECTED
        candidacy.decided_by = actor
        candidacy.decided_at = timezone.now()
        candidacy.decision_reason = reason.strip()
        candidacy.save()
        if appoint and appointed + 1 >= post.openings:
            post.state = KeyPost.FILLED
            post.save(update_fields=["state"])
        audit(
            actor,
            "candidate_decide",
            candidacy,
            before={"state": Candidacy.SHORTLISTED},
            after={"state": candidacy.state, "effective": str(effective or "")},
            reason=reason.strip(),
        )
        if appoint:
            notify(
                emp.user,
                en=f"You were appointed: {post.title}, from {effective}.",
                zh=f"您已获任命：{post.title}，自 {effective} 起生效。",
                url="/me/",
            )
    return candidacy
