"""Seeding the app from a warehouse: the organization, the shipped standard, one login per role,
a closed cycle whose decisions the next one grades from, and that next cycle published.
Re-running changes nothing but the passwords."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from callgrade.cycles.models import Cycle
from callgrade.cycles.services.cycles import cycle_advance, cycle_compute, cycle_create
from callgrade.cycles.workflow import next_state
from callgrade.engagement.access import REVIEWER_GROUP
from callgrade.engine.cycle import last_local_day, rating_periods
from callgrade.people.access import HR_GROUP
from callgrade.people.inputs import warehouse
from callgrade.people.models import Employee, Team
from callgrade.people.services.sync import people_import_warehouse
from callgrade.standards.models import PolicyVersion
from callgrade.standards.services import policy_current, policy_publish, policy_upload
from callgrade.web.seed_baseline import seed_baseline
from callgrade.web.seed_contests import seed_contests
from callgrade.web.seed_demo import (
    demo_departure,
    demo_integrations,
    demo_roster_attributes,
    draft_simulation,
    revision_simulation,
    upheld_demo_appeal,
)
from callgrade.web.seed_development import seed_development
from callgrade.web.seed_engagement import seed_engagement
from callgrade.web.seed_feedback import seed_feedback
from callgrade.web.seed_loads import seed_loads
from callgrade.web.seed_rewards import seed_rewards
from callgrade.web.seed_store import seed_store
from callgrade.web.seed_talent import seed_talent

EXAMPLES = Path(__file__).resolve().parents[1] / "engine" / "policy" / "examples"


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
    """hr, the suggestion reviewer (HR), admin, one team lead and one agent of the lead's team
    (the first team with both), and the head of that team's department."""
    team = (
        Team.objects.filter(lead__isnull=False, members__isnull=False)
        .select_related("lead", "department")
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
    # the HR member who alone sees who made an anonymous suggestion
    reviewer_group, _ = Group.objects.get_or_create(name=REVIEWER_GROUP)
    reviewer = _login("reviewer", is_staff=False)
    get_user_model().objects.get(username="reviewer").groups.add(hr_group, reviewer_group)
    logins = [
        Login("agent", *_fields(_login("agent", employee=agent))),
        Login("team lead", *_fields(_login("lead", employee=team.lead))),
        Login("HR", *_fields(hr)),
        Login("suggestion reviewer", *_fields(reviewer)),
        Login("administrator", *_fields(_login("admin", is_staff=True, is_superuser=True))),
    ]
    head = demo_department_head(team, agent)
    if head is not None:
        logins.insert(2, Login("department head", *_fields(_login("head", employee=head))))
    return logins


def demo_department_head(team: Team, agent: Employee) -> Employee | None:
    """The lead's department gets a head, who reads its program dashboard: the department's
    last employee (by id) who leads no team and is not the demo agent."""
    if team.department is None:
        return None
    if team.department.head is not None:  # seeded before
        return team.department.head
    head = (
        Employee.objects.filter(team__department=team.department)
        .exclude(pk=agent.pk)
        .exclude(pk__in=Team.objects.filter(lead__isnull=False).values("lead_id"))
        .order_by("-employee_id")
        .first()
    )
    if head is not None:
        team.department.head = head
        team.department.save(update_fields=["head"])
    return head


def _fields(login: Login) -> tuple[str, str, str]:
    return login.username, login.password, login.who


def _published_standard(policy_file: Path | None) -> PolicyVersion:
    version = policy_current()
    if version is not None:
        return version
    from callgrade.engine.policy.load import validate_text

    path = policy_file or EXAMPLES / "four_positions.yaml"
    text = path.read_text("utf-8")
    policy, _errors = validate_text(text)
    existing = (
        PolicyVersion.objects.filter(code=policy.code, version=policy.version).first()
        if policy
        else None
    )
    version = existing or policy_upload(actor=None, text=text, filename=path.name)
    return policy_publish(version=version, actor=None)


def _computed(name: str, period: str, version: PolicyVersion) -> Cycle:
    cycle = Cycle.objects.filter(name=name).first()
    if cycle is None:
        cycle = cycle_create(actor=None, name=name, period=period, policy_version=version)
    if cycle.state == Cycle.DRAFT:
        job = cycle_compute(cycle=cycle, actor=None)
        job.refresh_from_db()
        if job.state != job.DONE:
            raise RuntimeError(f"computing {name} failed: {job.error}")
        cycle.refresh_from_db()
    return cycle


def _advance_to(cycle: Cycle, state: str, **options: Any) -> Cycle:
    while cycle.state != state and next_state(cycle.state):
        cycle = cycle_advance(cycle=cycle, actor=None, reason="demo seed", **options)
    return cycle


def _last_day(period: str, version: PolicyVersion) -> dt.date:
    periods = rating_periods(version.policy(), period)
    return last_local_day(periods[-1], version.policy().time_zone)


def seed(
    *,
    period: str,
    cycle_name: str,
    policy_file: Path | None = None,
    previous: tuple[str, str] | None = None,
    draft_file: Path | None = None,
) -> dict[str, Any]:
    """Everything the demo needs; returns what was done, with the logins.

    With ``previous`` (period, name), the loop is shown: that cycle is graded, an appeal of the
    agent's is upheld with a correction, and it is closed with its level changes effective the
    day after it ends; then ``period`` is graded from those levels and published. With
    ``draft_file``, that standard is uploaded as a draft and simulated over both periods, and so
    is a revision of the standard in force made as the form editor makes it.
    """
    version = _published_standard(policy_file)
    counts = people_import_warehouse(warehouse=warehouse(), time_zone=version.policy().time_zone)
    logins = seed_logins()
    demo_roster_attributes()
    demo_integrations()
    if previous is not None:
        before = _computed(previous[1], previous[0], version)
        if before.state != Cycle.CLOSED:
            before = _advance_to(before, Cycle.APPEALS)
            upheld_demo_appeal(before)
            effective = _last_day(previous[0], version) + dt.timedelta(days=1)
            before = _advance_to(before, Cycle.CLOSED, effective_date=effective)
    # a demo day's awards first, so that the cycle's pay statements carry them
    rewards = seed_rewards(_last_day(period, version), version.policy().time_zone)
    store = seed_store()  # the points store spends the points those awards earned
    cycle = _computed(cycle_name, period, version)
    if previous is not None and cycle.allows("override"):
        demo_departure(cycle)  # the demo's second cycle: one departure for the fairness audit
    with transaction.atomic():
        cycle = _advance_to(cycle, Cycle.PUBLISHED)
    engagement = seed_engagement()
    contests = seed_contests(cycle)
    development = seed_development()
    feedback = seed_feedback()
    talent = seed_talent(cycle)
    loads = seed_loads()
    start = previous[0].partition("..")[0] if previous else period.partition("..")[0]
    whole = f"{start}..{period.partition('..')[2]}" if ".." in period else period
    seed_baseline(whole)  # the survey of the state before: over both cycles' months
    simulation = None
    if draft_file is not None:
        simulation = draft_simulation(draft_file, whole)
        revision_simulation(version, whole)
    return {
        "roster": counts,
        "policy": str(version),
        "cycle": cycle,
        "logins": logins,
        "simulation": simulation,
        "engagement": engagement,
        "development": development,
        "feedback": feedback,
        "rewards": rewards,
        "store": store,
        "contests": contests,
        "talent": talent,
        "loads": loads,
    }
