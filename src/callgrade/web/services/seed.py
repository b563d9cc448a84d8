"""Seeding the app from a warehouse: the organization, the shipped standard, one login per role
and a graded cycle taken to the published state. Re-running changes nothing but the passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from callgrade.web.access import HR_GROUP
from callgrade.web.inputs import warehouse
from callgrade.web.models import Cycle, Employee, PolicyVersion, Team
from callgrade.web.services.cycles import cycle_advance, cycle_compute, cycle_create
from callgrade.web.services.people_sync import people_import_warehouse
from callgrade.web.services.standards import policy_current, policy_publish, policy_upload
from callgrade.web.workflow import next_state

EXAMPLES = Path(__file__).resolve().parents[2] / "engine" / "policy" / "examples"


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    who: str


def _login(username: str, *, employee: Employee | None = None, **flags: Any) -> Login:
    User = get_user_model()
    password = secrets.token_urlsafe(9)
    user, _ = User.objects.get_or_create(username=username)
    for k, v in flags.items():
        setattr(user, k, v)
    user.set_password(password)
    user.save()
    if employee is not None and employee.user_id != user.pk:
        employee.user = user
        employee.save(update_fields=["user"])
    who = f"{employee.employee_id} {employee.name}" if employee else ""
    return Login("", username, password, who)


def seed_logins() -> list[Login]:
    """hr, admin, one team lead and one agent of the lead's team (the first team with both)."""
    team = (
        Team.objects.filter(lead__isnull=False, members__isnull=False)
        .select_related("lead")
        .order_by("name")
        .first()
    )
    if team is None or team.lead is None:
        raise ValueError("the roster names no team lead: cannot create the lead and agent logins")
    agent = team.members.exclude(pk=team.lead.pk).order_by("employee_id").first()
    if agent is None:
        raise ValueError(f"team {team.name} has no member besides its lead")
    hr_group, _ = Group.objects.get_or_create(name=HR_GROUP)
    hr = _login("hr", is_staff=False)
    get_user_model().objects.get(username="hr").groups.add(hr_group)
    logins = [
        Login("agent", *_fields(_login("agent", employee=agent))),
        Login("team lead", *_fields(_login("lead", employee=team.lead))),
        Login("HR", *_fields(hr)),
        Login("administrator", *_fields(_login("admin", is_staff=True, is_superuser=True))),
    ]
    return logins


def _fields(login: Login) -> tuple[str, str, str]:
    return login.username, login.password, login.who


def seed(*, period: str, cycle_name: str, policy_file: Path | None = None) -> dict[str, Any]:
    """Everything the demo needs; returns what was done, with the logins."""
    text = (policy_file or EXAMPLES / "four_positions.yaml").read_text("utf-8")
    version = policy_current()
    if version is None:
        from callgrade.engine.policy.load import validate_text

        policy, _errors = validate_text(text)
        existing = (
            PolicyVersion.objects.filter(code=policy.code, version=policy.version).first()
            if policy
            else None
        )
        version = existing or policy_upload(actor=None, text=text, filename="four_positions.yaml")
        version = policy_publish(version=version, actor=None)
    counts = people_import_warehouse(warehouse=warehouse(), time_zone=version.policy().time_zone)
    cycle = Cycle.objects.filter(name=cycle_name).first()
    if cycle is None:
        cycle = cycle_create(actor=None, name=cycle_name, period=period, policy_version=version)
    if cycle.state == Cycle.DRAFT:
        job = cycle_compute(cycle=cycle, actor=None)
        job.refresh_from_db()
        if job.state != job.DONE:
            raise RuntimeError(f"computing {cycle_name} failed: {job.error}")
        cycle.refresh_from_db()
    with transaction.atomic():
        while cycle.state != Cycle.PUBLISHED and next_state(cycle.state):
            cycle = cycle_advance(cycle=cycle, actor=None, reason="demo seed")
    return {"roster": counts, "policy": str(version), "cycle": cycle, "logins": seed_logins()}
