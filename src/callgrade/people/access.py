"""The one place that decides who may see or do what.

Every view fetches a protected object through :func:`access`, which takes the acting user and
either returns the object or raises :class:`Denied`. Denied is a 404, so a refused request looks
exactly like a missing one and reveals nothing (no names, no numbers).

Roles: an **agent** sees their own data; a **team lead** also sees the members of the teams they
lead; a **department head** (``Department.head``) also reads the program dashboard of their
department; **HR** (group ``hr``) sees everything and manages standards and cycles; the
**administrator** (superuser) has Django admin and everything HR has.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db.models import Model
from django.http import Http404

from callgrade.people.models import (
    Conflict,
    Correction,
    Department,
    Employee,
    RosterAttribute,
    Team,
)

HR_GROUP = "hr"
Role = Literal["anonymous", "agent", "head", "lead", "hr", "admin"]
Kind = Literal[
    "employee",
    "team",
    "cycle",
    "policy",
    "appeal",
    "nomination",
    "correction",
    "suggestion",
    "activity",
    "contest",
    "session",
    "proposal",
    "coaching",
    "keypost",
    "candidacy",
]
Rule = Any  # (user, object, action) -> bool
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


def headed_department_ids(user: AnyUser) -> set[int]:
    """The departments ``user`` heads (their program dashboard's scope)."""
    me = employee_of(user)
    if me is None:
        return set()
    return set(
        _remembered(
            user,
            "heads",
            lambda: set(Department.objects.filter(head=me).values_list("id", flat=True)),
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
    if headed_department_ids(user):
        return "head"
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


def _correction(user: AnyUser, correction: Correction, action: Action) -> bool:
    # seen with the employee's records; made and withdrawn by HR, never on one's own case
    if action in ("view", "manage"):
        return _employee(user, correction.employee, action)
    return False


def _team(user: AnyUser, team: Team, action: Action) -> bool:
    if is_hr(user):
        return True
    return action == "view" and team.pk in led_team_ids(user)


# kind → (model, lookup field, rule). The people's own kinds are here; every other domain adds its
# kinds with :func:`register` when its app is ready, so the rules of a domain live with it while
# every protected fetch still goes through :func:`access`.
_MODELS: dict[str, Any] = {
    "employee": (Employee, "employee_id", _employee),
    "team": (Team, "pk", _team),
    "correction": (Correction, "pk", _correction),
}


def register(kind: str, model: Any, field: str, rule: Rule) -> None:
    """Make ``kind`` fetchable through :func:`access`, decided by ``rule``."""
    _MODELS[kind] = (model, field, rule)


def employee_rule(user: AnyUser, emp: Employee, action: Action) -> bool:
    """The rule on an employee's case, for the kinds that are about one (appeals, nominations)."""
    return _employee(user, emp, action)


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


# --- roster attributes (gender, age band, shift …): HR's alone ----------------------------------


def attributes_visible(user: AnyUser) -> bool:
    """Whether ``user`` may see roster attributes at all: HR only, never a lead or an agent,
    not even their own."""
    return is_hr(user)


def roster_attributes(user: AnyUser, employees: Any = None) -> Any:
    """The roster attributes ``user`` may read (of ``employees``, a queryset or list, when
    given), as a queryset. Raises :class:`Denied` for anyone but HR: the one way pages and
    reports read them."""
    if not attributes_visible(user):
        raise Denied
    qs = RosterAttribute.objects.select_related("employee")
    return qs if employees is None else qs.filter(employee__in=employees)


# --- review pages (team table, nominations) ------------------------------------------------------


def require_reviewer(user: AnyUser) -> None:
    """Pages for those who review others' results (the team table): team leads and HR."""
    if not (is_hr(user) or led_team_ids(user)):
        raise Denied
