"""The one place that decides who may see or do what.

Every view fetches a protected object through :func:`access`, which takes the acting user and
either returns the object or raises :class:`Denied`. Denied is a 404, so a refused request looks
exactly like a missing one and reveals nothing (no names, no numbers).

Roles: an **agent** sees their own data; a **team lead** also sees the members of the teams they
lead; **HR** (group ``hr``) sees everything and manages standards and cycles; the
**administrator** (superuser) has Django admin and everything HR has.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Model
from django.http import Http404

from callgrade.web.models import (
    Appeal,
    Conflict,
    Correction,
    Cycle,
    Employee,
    Nomination,
    PolicyVersion,
    Team,
)

HR_GROUP = "hr"
Role = Literal["anonymous", "agent", "lead", "hr", "admin"]
Kind = Literal["employee", "team", "cycle", "policy", "appeal", "nomination", "correction"]
Action = Literal["view", "review", "manage", "decide", "resolve"]
AnyUser = Any  # a user or AnonymousUser (Django ships no type stubs here)


class Denied(Http404):
    """Not allowed — answered exactly like 'not found'."""


# Who a user is (their employee record, the teams they lead, HR or not) is asked many times per
# request — by the view, the selectors, every rule and the navigation bar. Django builds a new user
# object for every request, so remembering the answers on it lasts exactly one request.
def _remembered(user: AnyUser, key: str, compute: Any) -> Any:
    cache = user.__dict__.setdefault("_callgrade_access", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def employee_of(user: AnyUser) -> Employee | None:
    if not user.is_authenticated:
        return None
    return _remembered(user, "employee", lambda: Employee.objects.filter(user_id=user.pk).first())


def is_hr(user: AnyUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(_remembered(user, "hr", lambda: user.groups.filter(name=HR_GROUP).exists()))


def led_team_ids(user: AnyUser) -> set[int]:
    me = employee_of(user)
    if me is None:
        return set()
    return set(
        _remembered(
            user, "led", lambda: set(Team.objects.filter(lead=me).values_list("id", flat=True))
        )
    )


def role_of(user: AnyUser) -> Role:
    if not user.is_authenticated or not user.is_active:
        return "anonymous"
    if user.is_superuser:
        return "admin"
    if is_hr(user):
        return "hr"
    if led_team_ids(user):
        return "lead"
    return "agent"


def visible_employees(user: AnyUser) -> Any:
    """The employees ``user`` may see, as a queryset (lists and searches start here)."""
    if is_hr(user):
        return Employee.objects.all()
    me = employee_of(user)
    if me is None:
        return Employee.objects.none()
    teams = led_team_ids(user)
    if teams:
        return Employee.objects.filter(team_id__in=teams) | Employee.objects.filter(pk=me.pk)
    return Employee.objects.filter(pk=me.pk)


def _employee(user: AnyUser, emp: Employee, action: Action) -> bool:
    me = employee_of(user)
    leads = emp.team_id is not None and emp.team_id in led_team_ids(user)
    if action == "view":
        return is_hr(user) or (me is not None and me.pk == emp.pk) or leads
    if action == "review":  # comment on or nominate: never one's own case nor a declared relation
        return (
            (me is None or me.pk != emp.pk)
            and (leads or is_hr(user))
            and not _conflicted(user, emp)
        )
    if action in ("manage", "decide"):
        return is_hr(user) and (me is None or me.pk != emp.pk) and not _conflicted(user, emp)
    return False


def _conflicted(user: AnyUser, emp: Employee) -> bool:
    return Conflict.objects.filter(user_id=user.pk, employee=emp).exists()


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


def _policy(user: AnyUser, version: PolicyVersion, action: Action) -> bool:
    if action == "view" and version.status != PolicyVersion.DRAFT:
        return user.is_authenticated and user.is_active
    return is_hr(user)


def _appeal(user: AnyUser, appeal: Appeal, action: Action) -> bool:
    if action == "view":
        return _employee(user, appeal.employee, "view")
    if action == "resolve":
        return _employee(user, appeal.employee, "decide")
    return False


def _nomination(user: AnyUser, nomination: Nomination, action: Action) -> bool:
    if action == "view":
        return _employee(user, nomination.employee, "view")
    if action == "decide":
        # Only HR approves; the nominator never approves; nobody acts on their own case or on
        # a declared relation.
        return nomination.nominated_by_id != user.pk and _employee(
            user, nomination.employee, "decide"
        )
    return False


def _correction(user: AnyUser, correction: Correction, action: Action) -> bool:
    # seen with the employee's records; made and withdrawn by HR, never on one's own case
    if action in ("view", "manage"):
        return _employee(user, correction.employee, action)
    return False


def _team(user: AnyUser, team: Team, action: Action) -> bool:
    if is_hr(user):
        return True
    return action == "view" and team.pk in led_team_ids(user)


_MODELS: dict[str, Any] = {
    "employee": (Employee, "employee_id", _employee),
    "team": (Team, "pk", _team),
    "cycle": (Cycle, "pk", _cycle),
    "policy": (PolicyVersion, "pk", _policy),
    "appeal": (Appeal, "pk", _appeal),
    "nomination": (Nomination, "pk", _nomination),
    "correction": (Correction, "pk", _correction),
}


def allowed(user: AnyUser, kind: Kind, obj: Model, action: Action = "view") -> bool:
    """Whether ``user`` may perform ``action`` on an object already fetched through access."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(_MODELS[kind][2](user, obj, action))


def require_hr(user: AnyUser) -> None:
    """Pages that are HR's alone (standards, cycles, calibration, reports)."""
    if not is_hr(user):
        raise Denied


def require_employee(user: AnyUser) -> Employee:
    """The acting user's own employee record (self-service pages)."""
    me = employee_of(user)
    if me is None:
        raise Denied
    return me


def access(user: AnyUser, kind: Kind, key: Any, action: Action = "view") -> Any:
    """The ``kind`` object named by ``key``, if ``user`` may perform ``action`` on it.

    Raises :class:`Denied` (a 404) when the object does not exist or the user may not act, so the
    two cases cannot be told apart.
    """
    model, field, _rule = _MODELS[kind]
    if not user.is_authenticated or not user.is_active:
        raise Denied
    try:
        obj = model.objects.get(**{field: key})
    except (model.DoesNotExist, ValueError, TypeError):
        raise Denied from None
    if not allowed(user, kind, obj, action):
        raise Denied
    return obj


# --- review pages (team table, nominations) ------------------------------------------------------


def require_reviewer(user: AnyUser) -> None:
    """Pages for those who review others' results (the team table): team leads and HR."""
    if not (is_hr(user) or led_team_ids(user)):
        raise Denied


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
