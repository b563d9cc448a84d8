"""The one access function: each role's rules, object by object."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from callgrade.cycles.models import Cycle
from callgrade.people.access import Denied, access, allowed, role_of, visible_employees
from callgrade.people.models import Conflict, Employee
from callgrade.review.models import Nomination
from callgrade.standards.models import PolicyVersion


def _emp(user: Any) -> Employee:
    return Employee.objects.get(user=user)


def test_roles(agent: Any, lead: Any, hr: Any, admin_user: Any) -> None:
    assert role_of(agent) == "agent"
    assert role_of(lead) == "lead"
    assert role_of(hr) == "hr"
    assert role_of(admin_user) == "admin"
    assert role_of(AnonymousUser()) == "anonymous"


def test_employee_visibility(
    agent: Any, other_agent: Any, lead: Any, other_lead: Any, hr: Any
) -> None:
    me, them = _emp(agent), _emp(other_agent)
    assert access(agent, "employee", me.employee_id) == me
    with pytest.raises(Denied):
        access(agent, "employee", them.employee_id)
    assert access(lead, "employee", me.employee_id) == me  # lead of the agent's team
    with pytest.raises(Denied):
        access(other_lead, "employee", me.employee_id)
    assert access(hr, "employee", them.employee_id) == them
    with pytest.raises(Denied):
        access(AnonymousUser(), "employee", me.employee_id)
    assert set(visible_employees(agent)) == {me}
    team = set(visible_employees(lead))
    assert me in team and them not in team
    assert visible_employees(hr).count() == Employee.objects.count()


def test_nobody_reviews_their_own_case(agent: Any, lead: Any) -> None:
    assert allowed(lead, "employee", _emp(agent), "review")
    assert not allowed(lead, "employee", _emp(lead), "review")  # the lead is in their own team
    assert not allowed(agent, "employee", _emp(agent), "review")


def test_hr_decides_except_own_case_and_declared_relations(hr: Any, agent: Any) -> None:
    target = _emp(agent)
    assert allowed(hr, "employee", target, "decide")
    Conflict.objects.create(user=hr, employee=target, relation="sibling")
    assert not allowed(hr, "employee", target, "decide")
    own = Employee.objects.create(employee_id="HR1", name="HR person", position="hr")
    own.user = hr
    own.save()
    # A new request brings a new user object: what access remembered lasts one request.
    hr = type(hr).objects.get(pk=hr.pk)
    assert not allowed(hr, "employee", own, "decide")


def test_the_nominator_never_approves(hr: Any, agent: Any, demo_cycle: Any) -> None:
    n = Nomination.objects.create(
        cycle=demo_cycle, employee=_emp(agent), level_to="senior", reason="r", nominated_by=hr
    )
    assert not allowed(hr, "nomination", n, "decide")


def test_cycle_visibility_follows_its_state(
    agent: Any, lead: Any, hr: Any, demo_cycle: Any
) -> None:
    for state, agent_sees, lead_sees in (
        (Cycle.DRAFT, False, False),
        (Cycle.COMPUTED, False, True),
        (Cycle.IN_REVIEW, False, True),
        (Cycle.PUBLISHED, True, True),
        (Cycle.CLOSED, True, True),
    ):
        demo_cycle.state = state
        demo_cycle.save()
        assert allowed(agent, "cycle", demo_cycle) is agent_sees, state
        assert allowed(lead, "cycle", demo_cycle) is lead_sees, state
        assert allowed(hr, "cycle", demo_cycle)
    assert not allowed(lead, "cycle", demo_cycle, "manage")


def test_draft_standards_are_hr_only(agent: Any, hr: Any) -> None:
    published = PolicyVersion.objects.get(status=PolicyVersion.PUBLISHED)
    draft = PolicyVersion.objects.create(code="x", version="9", yaml="code: x", status="draft")
    assert allowed(agent, "policy", published)
    assert not allowed(agent, "policy", draft)
    assert allowed(hr, "policy", draft)
    with pytest.raises(Denied):
        access(agent, "policy", draft.pk)


def test_garbage_keys_are_denied_not_errors(hr: Any) -> None:
    for kind, key in (("cycle", "abc"), ("policy", None), ("employee", "")):
        with pytest.raises(Denied):
            access(hr, kind, key)  # type: ignore[arg-type]
