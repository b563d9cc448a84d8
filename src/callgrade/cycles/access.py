"""Who may see or act on a grading cycle (registered with :mod:`callgrade.people.access`)."""

from __future__ import annotations

from typing import Any

from callgrade.cycles.models import Cycle
from callgrade.people.access import (
    Action,
    AnyUser,
    Denied,
    allowed,
    employee_of,
    is_hr,
    led_team_ids,
    register,
    visible_employees,
)
from callgrade.people.models import Employee


def _cycle(user: AnyUser, cycle: Cycle, action: Action) -> bool:
    if is_hr(user):
        return True
    if action == "view":
        # Leads see cycles from review on (for their team); everyone sees published ones.
        if cycle.visible_to_employees:
            return employee_of(user) is not None
        return cycle.allows("lead_view") and bool(led_team_ids(user))
    if action == "review":
        return cycle.allows("comment") and bool(led_team_ids(user))
    return False


def results_visible(user: AnyUser, cycle: Cycle) -> Any:
    """The employees whose results in ``cycle`` ``user`` may see, as a queryset (team tables and
    their charts). Raises :class:`Denied` when the cycle itself is not visible. Once published,
    this is :func:`visible_employees`; before that only reviewers see results: HR everyone, a
    lead the members of the teams they lead but never their own row (as ``cycles_for``)."""
    if not allowed(user, "cycle", cycle, "view"):
        raise Denied
    if is_hr(user) or cycle.visible_to_employees:
        return visible_employees(user)
    me = employee_of(user)
    members = Employee.objects.filter(team_id__in=led_team_ids(user))
    return members.exclude(pk=me.pk) if me is not None else members


register("cycle", Cycle, "pk", _cycle)
