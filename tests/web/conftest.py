"""Web tests: one small demo center per test session, seeded once into the test database, and
named personas.

Personas (the demo roster's teams): ``agent`` (E0006) and ``lead`` (E0012) of the customer
service team; ``other_agent`` (E0002) and ``other_lead`` (E0005) of the telesales team; ``head``
(E0016), head of the technical support department, who leads no team; ``hr``; ``admin_user``;
anonymous is a plain client. The seeded cycle ``demo`` is published.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from callgrade.engine.demo import DemoConfig, generate, ingest_demo
from callgrade.engine.warehouse import Warehouse

DEMO = dataclasses.replace(DemoConfig(), agents=16, months=2, calls_per_agent_hour=2.0)
PERIOD = "2026-01-01..2026-02-28"
PASSWORD = "correct-horse-battery-9"
PERSONAS = {
    "agent": "E0006",
    "lead": "E0012",
    "other_agent": "E0002",
    "other_lead": "E0005",
    "head": "E0016",
}


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-center")
    files = generate(out / "input", DEMO)
    ingest_demo(Warehouse(out), files, DEMO.tz)
    return out


def _configure(demo_dir: Path) -> None:
    settings.DATA_DIR = demo_dir
    settings.CALLGRADE_JOBS = "inline"
    # Hashing with the production hasher costs ~0.3 s a login; tests only need it to work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, demo_dir: Path) -> None:
    _configure(demo_dir)
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from callgrade.people.access import HR_GROUP
    from callgrade.people.models import Department, Employee
    from callgrade.web.seed import seed

    with django_db_blocker.unblock():
        seed(period=PERIOD, cycle_name="demo")
        User = get_user_model()
        for name, emp_id in PERSONAS.items():
            user, _ = User.objects.get_or_create(username=name)
            user.set_password(PASSWORD)
            user.save()
            Employee.objects.filter(user=user).exclude(employee_id=emp_id).update(user=None)
            Employee.objects.filter(employee_id=emp_id).update(user=user)
        head = Employee.objects.select_related("team__department").get(employee_id=PERSONAS["head"])
        Department.objects.exclude(pk=head.team.department_id).update(head=None)
        Department.objects.filter(pk=head.team.department_id).update(head=head)
        hr, _ = User.objects.get_or_create(username="hr")
        hr.set_password(PASSWORD)
        hr.save()
        hr.groups.add(Group.objects.get(name=HR_GROUP))
        admin, _ = User.objects.get_or_create(username="admin")
        admin.set_password(PASSWORD)
        admin.is_superuser = admin.is_staff = True
        admin.save()


@pytest.fixture(autouse=True)
def _web_settings(demo_dir: Path) -> None:
    _configure(demo_dir)


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Any:
    """Each test starts in English and leaves no language behind: the active language belongs to
    the thread, and a request's LocaleMiddleware (or a test's activate) would otherwise carry over
    to whichever test the same worker runs next, so a message's language would depend on order."""
    translation.activate("en")
    yield
    translation.deactivate()


def _user(name: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=name)


@pytest.fixture
def agent(db: None) -> Any:
    return _user("agent")


@pytest.fixture
def lead(db: None) -> Any:
    return _user("lead")


@pytest.fixture
def other_agent(db: None) -> Any:
    return _user("other_agent")


@pytest.fixture
def other_lead(db: None) -> Any:
    return _user("other_lead")


@pytest.fixture
def head(db: None) -> Any:
    return _user("head")


@pytest.fixture
def hr(db: None) -> Any:
    return _user("hr")


@pytest.fixture
def admin_user(db: None) -> Any:
    return _user("admin")


@pytest.fixture
def login(db: None) -> Callable[[Any], Client]:
    """A client logged in as the given user (``None``: anonymous)."""

    def make(user: Any) -> Client:
        c = Client(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            c.force_login(user)
        return c

    return make


@pytest.fixture
def demo_cycle(db: None) -> Any:
    from callgrade.cycles.models import Cycle

    return Cycle.objects.get(name="demo")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every browser test is also ``once`` (scripts/test.sh runs it in one database pass only)
    and in the ``browser`` group: one worker seeds and serves the app they drive, not each."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.once)
            item.add_marker(pytest.mark.xdist_group("browser"))
