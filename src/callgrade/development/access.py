"""Who may see and act on sessions and proposals (registered with
:mod:`callgrade.people.access`).

A session is open to its hosting department's people, or to everyone when opened to other
departments; HR manages the catalog and sessions. A proposal is about one employee: they, their
lead and HR see it; their lead or HR decides it, never on their own case nor on a declared
relation (the employee rule's ``review``).
"""

from __future__ import annotations

from typing import Any

from callgrade.development.models import Proposal, Session
from callgrade.people.access import (
    Action,
    AnyUser,
    employee_of,
    employee_rule,
    is_hr,
    led_team_ids,
    register,
)
from callgrade.people.models import Employee


def open_to(employee: Employee | None, session: Session) -> bool:
    """Whether the session is for ``employee``: its department's people, or everyone."""
    if employee is None:
        return False
    if session.open_to_all or session.department_id is None:
        return True
    return employee.team is not None and employee.team.department_id == session.department_id


def may_enrol(user: AnyUser, session: Session) -> bool:
    """Whether ``user`` (as an employee) is among those the session is for."""
    return open_to(employee_of(user), session)


def _session(user: AnyUser, session: Session, action: Action) -> bool:
    if action == "view":
        return is_hr(user) or bool(led_team_ids(user)) or may_enrol(user, session)
    if action == "manage":
        return is_hr(user)
    return False


def _proposal(user: AnyUser, proposal: Proposal, action: Action) -> bool:
    if action == "view":
        return employee_rule(user, proposal.employee, "view")
    if action == "decide":
        return employee_rule(user, proposal.employee, "review")
    return False


def visible_sessions(user: AnyUser) -> Any:
    """The sessions ``user`` may list."""
    if is_hr(user) or led_team_ids(user):
        return Session.objects.all()
    me = employee_of(user)
    if me is None:
        return Session.objects.none()
    dept = me.team.department_id if me.team is not None else None
    mine = Session.objects.filter(department_id=dept) if dept else Session.objects.none()
    return (
        mine
        | Session.objects.filter(open_to_all=True)
        | Session.objects.filter(department__isnull=True)
    )


register("session", Session, "pk", _session)
register("proposal", Proposal, "pk", _proposal)
