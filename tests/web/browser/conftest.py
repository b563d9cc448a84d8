"""Browser tests: Debian's Chromium driven by Playwright against the app served by gunicorn in a
subprocess, over its own copy of the demo center and its own database (SQLite, or PostgreSQL when
the suite runs with DATABASE_URL).

Chromium lives at /usr/bin/chromium (Playwright's own browser download is not used). Under
``CI=true`` a missing Chromium fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CALLGRADE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery-9"
PERIOD = "2026-01-01..2026-02-28"

# Seeds the app like the README's main command, then gives the personas a known password and
# opens a second cycle for review (nominations happen there).
SEED = f"""
from pathlib import Path
import sys
from callgrade.web.launch import seed_app
out = seed_app(Path(sys.argv[1]), period={PERIOD!r}, cycle_name="demo")
from django.contrib.auth import get_user_model
from callgrade.cycles.models import Cycle
from callgrade.people.models import Employee
from callgrade.cycles.services.cycles import cycle_advance, cycle_compute, cycle_create
User = get_user_model()
for name in ("agent", "lead", "hr", "admin"):
    u = User.objects.get(username=name); u.set_password({PASSWORD!r}); u.save()
lead_team = Employee.objects.get(user__username="lead").team
other = Employee.objects.exclude(team=lead_team).exclude(user__isnull=False).first()
u, _ = User.objects.get_or_create(username="other_agent")
u.set_password({PASSWORD!r}); u.save()
other.user = u; other.save()
cycle = out["cycle"]
if not Cycle.objects.filter(name="review").exists():
    c = cycle_create(actor=None, name="review", period={PERIOD!r},
                     policy_version=cycle.policy_version)
    cycle_compute(cycle=c, actor=None)
    c.refresh_from_db()
    cycle_advance(cycle=c, actor=None)
print(other.employee_id)
"""


SETUP_PREAMBLE = """
import django
django.setup()
from django.conf import settings
settings.CALLGRADE_JOBS = "inline"
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _app_database(data: Path) -> str:
    """The served app's own database: SQLite beside its data, or — when the suite runs on
    PostgreSQL (DATABASE_URL) — a fresh PostgreSQL database on that server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{data / 'app.sqlite3'}"
    import psycopg

    name = f"callgrade_browser_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def _drop_app_database(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg

    admin = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _copy_app(seeded: dict[str, Any], data: Path) -> dict[str, str]:
    """A copy of the seeded app (its data directory, and its PostgreSQL database cloned from the
    seeded one, which nothing is connected to): the environment to serve it with."""
    shutil.copytree(seeded["data"], data, dirs_exist_ok=True)
    database = f"sqlite:///{data / 'app.sqlite3'}"
    if seeded["database"].startswith("postgres"):
        import psycopg

        template = seeded["database"].rsplit("/", 1)[1]
        name = f"{template}_{data.name}"[:63]
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        database = seeded["database"].rsplit("/", 1)[0] + "/" + name
    return {**seeded["env"], "CALLGRADE_DATA_DIR": str(data), "DATABASE_URL": database}


def _start(data: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "callgrade.web.wsgi", "--bind", f"127.0.0.1:{port}",
         # a closed page's event stream holds its thread until its next write finds the browser
         # gone (up to 25 s): threads enough that no test waits for an earlier test's streams
         "--workers", "1", "--threads", "12", "--worker-class", "gthread",
         "--graceful-timeout", "3"],  # open award streams need not be waited for
        env=env, stdout=subprocess.DEVNULL, stderr=open(data / "server.log", "w"),  # noqa: SIM115
    )  # fmt: skip
    return server, f"http://127.0.0.1:{port}"


def _ready(server: subprocess.Popen[bytes], base: str, data: Path) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError((data / "server.log").read_text()[-3000:])


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI and missing at {CHROMIUM}")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture(scope="session")
def seeded_app(
    demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The demo center seeded once and never served: every server runs on a copy of it."""
    data = tmp_path_factory.mktemp("browser-seed")
    shutil.copytree(demo_dir / "warehouse", data / "warehouse")
    database = _app_database(data)
    env = {
        **os.environ,
        "CALLGRADE_DATA_DIR": str(data),
        "DATABASE_URL": database,
        "DJANGO_SETTINGS_MODULE": "callgrade.web.settings",
        "CALLGRADE_JOBS": "thread",
    }
    seeded = subprocess.run(
        [sys.executable, "-c", SEED, str(data)], env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    other = seeded.stdout.strip().splitlines()[-1]
    yield {"data": data, "database": database, "env": env, "other_employee": other}
    _drop_app_database(database)


@pytest.fixture(scope="session")
def app_server(
    seeded_app: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The server the browser tests share."""
    data = tmp_path_factory.mktemp("browser-app")
    env = _copy_app(seeded_app, data)
    server, base = _start(data, env)
    _ready(server, base, data)
    yield {"base": base, "other_employee": seeded_app["other_employee"], "data": data, "env": env}
    server.terminate()
    server.wait(timeout=10)
    _drop_app_database(env["DATABASE_URL"])


@pytest.fixture
def own_server(
    seeded_app: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """``own_server(setup)``: a server of the test's own over a fresh copy of the seeded app, for
    a test that changes what every page reads (publishing another standard); ``setup`` is Python
    run against its database first (Django set up, ``CALLGRADE_JOBS`` inline), and whatever it
    prints last comes back as ``server["setup"]``."""
    started: list[tuple[subprocess.Popen[bytes], str]] = []

    def make(setup: str = "") -> dict[str, Any]:
        data = tmp_path_factory.mktemp("browser-own")
        env = _copy_app(seeded_app, data)
        # the server boots while the setup runs: it reads nothing before the first page
        server, base = _start(data, env)
        started.append((server, env["DATABASE_URL"]))
        out = ""
        if setup:
            script = SETUP_PREAMBLE + setup
            ran = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                                 text=True, timeout=120)  # fmt: skip
            assert ran.returncode == 0, ran.stderr[-3000:]
            out = (ran.stdout.strip().splitlines() or [""])[-1]
        _ready(server, base, data)
        return {"base": base, "data": data, "env": env, "setup": out}

    yield make
    for server, database in started:
        server.terminate()
        server.wait(timeout=10)
        _drop_app_database(database)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page_as(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``page_as("agent", lang="en")``: a fresh browser context logged in through the form (on
    the shared server, or on ``server=`` one of ``own_server``'s). Anything the
    Content-Security-Policy blocks on its pages fails the test."""
    contexts = []
    blocked: list[str] = []

    def make(username: str | None, lang: str = "en", server: dict[str, Any] | None = None) -> Any:
        ctx = browser.new_context(locale="zh-CN" if lang.startswith("zh") else "en-US")
        contexts.append(ctx)
        page = ctx.new_page()
        page.on(
            "console",
            lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.set_default_timeout(15_000)
        if username:
            # the shared server only when asked for: a test on its own server does not start it
            base = (server or request.getfixturevalue("app_server"))["base"]
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("form.card button[type=submit]")
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert not blocked, f"blocked by the Content-Security-Policy: {blocked}"
