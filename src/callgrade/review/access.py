"""Who may see, resolve or decide appeals and nominations (registered with
:mod:`callgrade.people.access`)."""

from __future__ import annotations

from typing import Any

from callgrade.people.access import (
    Action,
    AnyUser,
    employee_of,
    employee_rule,
    is_hr,
    led_team_ids,
    register,
)
from callgrade.review.duties import may_decide
from callgrade.review.models import Appeal, Candidacy, CoachingNote, KeyPost, Nomination


def _appeal(user: AnyUser, appeal: Appeal, action: Action) -> bool:
    if action == "view":
        return employee_rule(user, appeal.employee, "view")
    if action == "resolve":
        return employee_rule(user, appeal.employee, "decide")
    return False


def _nomination(user: AnyUser, nomination: Nomination, action: Action) -> bool:
    if action == "view":
        return employee_rule(user, nomination.employee, "view")
    if action == "decide":
        # Only HR approves; the nominator never approves; nobody acts on their own case or on
        # a declared relation.
        return may_decide(user, nomination.employee, [nomination.nominated_by_id])
    return False


def visible_nominations(user: AnyUser) -> Any:
    """The nominations ``user`` may list: HR all; anyone else those they made and those for the
    members of the teams they lead (never their own case)."""
    if is_hr(user):
        return Nomination.objects.all()
    me = employee_of(user)
    theirs = Nomination.objects.filter(employee__team_id__in=led_team_ids(user))
    if me is not None:
        theirs = theirs.exclude(employee=me)
    return theirs | Nomination.objects.filter(nominated_by_id=user.pk)


def _coaching(user: AnyUser, note: CoachingNote, action: Action) -> bool:
    me = employee_of(user)
    if action == "view":  # the employee, their lead, HR, and whoever wrote it
        return note.author_id == user.pk or employee_rule(user, note.employee, "view")
    if action == "resolve":  # acknowledging and replying: the employee alone
        return me is not None and me.pk == note.employee_id
    if action == "manage":  # following up: whoever wrote it, or who may review the employee
        return note.author_id == user.pk or employee_rule(user, note.employee, "review")
    return False


def visible_coaching(user: AnyUser) -> Any:
    """The coaching notes ``user`` may list: HR all; a lead those of the teams they lead and
    those they wrote; never, here, their own (they read those on their own page)."""
    if is_hr(user):
        return CoachingNote.objects.all()
    me = employee_of(user)
    notes = CoachingNote.objects.filter(employee__team_id__in=led_team_ids(user))
    notes = notes | CoachingNote.objects.filter(author_id=user.pk)
    return notes.exclude(employee=me) if me is not None else notes


def _key_post(user: AnyUser, post: KeyPost, action: Action) -> bool:
    return action in ("view", "manage") and is_hr(user)


def _candidacy(user: AnyUser, c: Candidacy, action: Action) -> bool:
    if action == "view":
        return is_hr(user)
    if action == "manage":  # shortlisting, assessing: HR, never on one's own case or a relation
        return employee_rule(user, c.employee, "manage")
    if action == "decide":
        return may_decide(user, c.employee, [c.shortlisted_by_id, c.assessed_by_id])
    return False


register("appeal", Appeal, "pk", _appeal)
register("coaching", CoachingNote, "pk", _coaching)
register("keypost", KeyPost, "pk", _key_post)
register("candidacy", Candidacy, "pk", _candidacy)
register("nomination", Nomination, "pk", _nomination)
