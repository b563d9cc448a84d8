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
from callgrade.review.models import Appeal, Nomination


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
        return nomination.nominated_by_id != user.pk and employee_rule(
            user, nomination.employee, "decide"
        )
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


register("appeal", Appeal, "pk", _appeal)
register("nomination", Nomination, "pk", _nomination)
