"""Login throttling, CSRF, production settings from the environment and denied == not found."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.test import Client

PASSWORD = "correct-horse-battery-9"


def test_five_failed_logins_hold_the_account_back_even_for_the_right_password(agent: Any) -> None:
    c = Client()
    for _ in range(5):
        r = c.post("/accounts/login/", {"username": "agent", "password": "wrong"})
        assert "_auth_user_id" not in c.session
    r = c.post("/accounts/login/", {"username": "agent", "password": PASSWORD})
    assert "_auth_user_id" not in c.session
    assert r.status_code in (403, 429)


def test_the_right_password_logs_in(agent: Any) -> None:
    c = Client()
    c.post("/accounts/login/", {"username": "agent", "password": PASSWORD})
    assert c.session["_auth_user_id"] == str(agent.pk)


def test_posts_without_a_csrf_token_are_refused(agent: Any, demo_cycle: Any) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(agent)
    r = c.post("/notifications/read/")
    assert r.status_code == 403
    r = c.post("/i18n/setlang/", {"language": "en"})
    assert r.status_code == 403


def test_a_refusal_looks_exactly_like_a_missing_page(
    login: Any, agent: Any, other_agent: Any
) -> None:
    c = login(agent)
    refused = c.get(f"/people/{other_agent.employee.employee_id}/")
    missing = c.get("/people/NO-SUCH-EMPLOYEE/")
    assert refused.status_code == missing.status_code == 404
    assert refused.content == missing.content
    assert other_agent.employee.name.encode() not in refused.content


def _settings_in_production(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CALLGRADE_")}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import callgrade.web.settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
        ],
        env={**clean, "CALLGRADE_PRODUCTION": "1", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_takes_secrets_only_from_the_environment() -> None:
    r = _settings_in_production()
    assert r.returncode != 0 and "CALLGRADE_SECRET_KEY" in r.stderr
    r = _settings_in_production(
        CALLGRADE_SECRET_KEY="k" * 50, CALLGRADE_ALLOWED_HOSTS="grading.example.com"
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "True", "True", "31536000"]
