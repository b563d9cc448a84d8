"""Sign-in throttling that nobody can use to lock someone else out: per-username failures only
slow that username down for minutes, a per-address limit stops spraying a password over many
usernames, and a browser that signed in before is not held back by strangers' failures."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

from django.test import Client, override_settings
from django.utils import timezone

from callgrade.people.models import LoginFailure
from callgrade.people.services import signin

PASSWORD = "correct-horse-battery-9"
PROXY = "10.0.0.1"  # the reverse proxy every request seems to come from


def _try(client: Client, username: str, password: str) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _time_passes(delta: timedelta) -> None:
    for failure in LoginFailure.objects.all():
        LoginFailure.objects.filter(pk=failure.pk).update(at=failure.at - delta)


def test_spraying_one_password_over_many_usernames_is_refused(agent: Any) -> None:
    sprayer = Client(REMOTE_ADDR="203.0.113.7")
    for i in range(signin.ADDRESS_LIMIT):
        r = _try(sprayer, f"user{i}", "Summer2026!")
        assert r.status_code == 200 and not _signed_in(sprayer)
    r = _try(sprayer, "agent", PASSWORD)  # even a right guess is refused now
    assert r.status_code == 429 and not _signed_in(sprayer)
    assert "登录失败次数过多" in r.content.decode()
    other = Client(REMOTE_ADDR="198.51.100.4")  # another address is not affected
    _try(other, "agent", PASSWORD)
    assert _signed_in(other)
    _time_passes(signin.ADDRESS_WINDOW)
    _try(sprayer, "agent", PASSWORD)
    assert _signed_in(sprayer)


def test_five_wrong_passwords_do_not_keep_hr_out_for_long_behind_a_shared_address(
    hr: Any,
) -> None:
    attacker, colleague = Client(REMOTE_ADDR=PROXY), Client(REMOTE_ADDR=PROXY)
    for _ in range(5):
        _try(attacker, "hr", "guess")
    assert _try(colleague, "hr", PASSWORD).status_code == 429  # a short cool-down, then
    _time_passes(timedelta(minutes=1))
    _try(colleague, "hr", PASSWORD)
    assert _signed_in(colleague)


def test_a_browser_that_signed_in_before_is_not_held_back_by_strangers(hr: Any) -> None:
    own = Client(REMOTE_ADDR=PROXY)
    _try(own, "hr", PASSWORD)
    assert _signed_in(own)
    own.post("/accounts/logout/")  # (Client.logout() would drop every cookie)
    attacker = Client(REMOTE_ADDR=PROXY)
    for _ in range(signin.ADDRESS_LIMIT + 5):
        _try(attacker, "hr", "guess")
    assert _try(attacker, "hr", PASSWORD).status_code == 429
    _try(own, "hr", PASSWORD)  # the same address, right away
    assert _signed_in(own)


def test_a_known_browser_is_slowed_down_by_its_own_failures(hr: Any) -> None:
    own = Client()
    _try(own, "hr", PASSWORD)
    own.post("/accounts/logout/")
    for _ in range(5):
        _try(own, "hr", "typo")
    assert _try(own, "hr", PASSWORD).status_code == 429
    assert not _signed_in(own)


def test_the_cool_down_doubles_and_stays_short(db: None) -> None:
    def after(failures: int) -> timedelta:
        LoginFailure.objects.all().delete()
        for _ in range(failures):
            signin.failed("hr", "192.0.2.1", known=False)
        return signin.wait("hr", "192.0.2.9", known=False)

    assert after(4) == timedelta(0)
    assert timedelta(seconds=25) < after(5) <= timedelta(seconds=30)
    assert timedelta(seconds=55) < after(6) <= timedelta(seconds=60)
    assert timedelta(minutes=14) < after(40) <= signin.COOLDOWN_MAX == timedelta(minutes=15)


def test_a_right_password_clears_the_failures(agent: Any) -> None:
    c = Client()
    for _ in range(4):
        _try(c, "agent", "wrong")
    _try(c, "agent", PASSWORD)
    assert _signed_in(c)
    assert not LoginFailure.objects.filter(username="agent").exists()


@override_settings(CALLGRADE_TRUSTED_PROXIES=1)
def test_behind_a_trusted_proxy_the_clients_own_address_is_limited(agent: Any) -> None:
    sprayer = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    for i in range(signin.ADDRESS_LIMIT):
        _try(sprayer, f"user{i}", "Summer2026!")
    assert _try(sprayer, "agent", PASSWORD).status_code == 429
    other = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.4")
    _try(other, "agent", PASSWORD)
    assert _signed_in(other)


def test_the_admin_sign_in_is_throttled_too(admin_user: Any) -> None:
    c = Client(REMOTE_ADDR="203.0.113.8")
    for i in range(signin.ADDRESS_LIMIT):
        _try(c, f"user{i}", "Summer2026!")
    c.post("/admin/login/", {"username": admin_user.username, "password": PASSWORD})
    assert not _signed_in(c)


def _session_age(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CALLGRADE_")}
    r = subprocess.run(
        [sys.executable, "-c", "import callgrade.web.settings as s; print(s.SESSION_COOKIE_AGE)"],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_a_session_lasts_a_working_day_unless_configured() -> None:
    assert _session_age() == str(12 * 3600)
    assert _session_age(CALLGRADE_SESSION_HOURS="2") == "7200"


def test_the_session_cookie_expires_with_the_configured_lifetime(agent: Any) -> None:
    c = Client()
    _try(c, "agent", PASSWORD)
    expiry = c.session.get_expiry_date()
    assert timedelta(hours=11) < expiry - timezone.now() <= timedelta(hours=12)
