"""Logins for employees, made by HR in bulk: the employee id as the username and a one-time
random password that must be changed at the first sign-in.

The plaintext passwords exist only in the list :func:`logins_create` returns; the caller hands
them to HR once (the password sheet of the same response) and nothing keeps them.
"""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.db import transaction

from callgrade.core.audit import audit
from callgrade.people.models import Employee, Team

# No 0/O, 1/l/I: the password is read off a sheet and typed once.
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
LENGTH = 14  # ~81 bits
# A 14-character random password cannot be guessed, so key stretching adds nothing to it, while
# the full default (a million rounds, ~0.25 s) would make 200 logins a minute-long request.
# Django re-hashes at full strength at the first sign-in, and the password is replaced then.
ONE_TIME_ROUNDS = 20_000


@dataclasses.dataclass(frozen=True)
class NewLogin:
    employee_id: str
    name: str
    team: str
    username: str
    password: str


def one_time_password() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def _hashed(password: str) -> str:
    hasher = get_hasher()
    if isinstance(hasher, PBKDF2PasswordHasher):
        return hasher.encode(password, hasher.salt(), iterations=ONE_TIME_ROUNDS)
    return make_password(password, hasher=hasher)


def without_login(team: Team | None = None) -> Any:
    """Current employees without a login (optionally of one team)."""
    employees = Employee.objects.filter(user__isnull=True).exclude(status="left")
    if team is not None:
        employees = employees.filter(team=team)
    return employees.select_related("team").order_by("team__name", "employee_id")


def logins_create(*, actor: Any, team: Team | None = None) -> tuple[list[NewLogin], list[str]]:
    """A login for every current employee without one (of ``team`` if given): (the new logins
    with their one-time passwords, the employee ids skipped because their id is already some
    other login's username). Running it again creates nothing for those who now have one."""
    User = get_user_model()
    created: list[NewLogin] = []
    skipped: list[str] = []
    with transaction.atomic():
        # lock only the employee rows: the team is an outer join, which FOR UPDATE cannot lock
        employees = list(without_login(team).select_for_update(of=("self",)))
        taken = set(
            User.objects.filter(username__in=[e.employee_id for e in employees]).values_list(
                "username", flat=True
            )
        )
        for emp in employees:
            if emp.employee_id in taken:
                skipped.append(emp.employee_id)
                continue
            password = one_time_password()
            user = User(username=emp.employee_id)
            user.password = _hashed(password)
            user.save()
            emp.user = user
            emp.must_change_password = True
            emp.save(update_fields=["user", "must_change_password"])
            audit(
                actor,
                "login_create",
                emp,
                after={"username": user.username, "one_time_password": True},
            )
            created.append(
                NewLogin(
                    employee_id=emp.employee_id,
                    name=emp.name,
                    team=emp.team.name if emp.team else "",
                    username=user.username,
                    password=password,
                )
            )
    return created, skipped


def password_changed(user: Any) -> None:
    """The employee chose their own password: no more sending them to the change page."""
    Employee.objects.filter(user_id=user.pk, must_change_password=True).update(
        must_change_password=False
    )


def must_change_password(user: Any) -> bool:
    return Employee.objects.filter(user_id=user.pk, must_change_password=True).exists()


def password_reset(*, actor: Any, employee: Employee) -> str:
    """A new one-time password for the employee's login, to be changed at the next sign-in;
    returned once for HR to hand over and never stored (only its hash is). Sessions signed in
    with the old password end (Django ties them to the password hash)."""
    user = employee.user
    if user is None:
        raise ValueError("the employee has no login")
    password = one_time_password()
    with transaction.atomic():
        user.password = _hashed(password)
        user.save(update_fields=["password"])
        employee.must_change_password = True
        employee.save(update_fields=["must_change_password"])
        audit(
            actor,
            "password_reset",
            employee,
            after={"username": user.get_username(), "one_time_password": True},
        )
    return password


def password_set_by_admin(*, actor: Any, user: Any) -> None:
    """An administrator set the password in the admin's form: it is one the employee did not
    choose, so they change it at the next sign-in as after an HR reset."""
    for employee in Employee.objects.filter(user=user):
        employee.must_change_password = True
        employee.save(update_fields=["must_change_password"])
        audit(actor, "password_reset", employee, after={"username": user.get_username()})
