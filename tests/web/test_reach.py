"""Reaching everyone: HR creates the missing logins in one step (one-time passwords that must be
changed at the first sign-in), reminds those who have not acknowledged the standard, and each
role's navigation lists only what it can use."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from callgrade.core.models import AuditEvent, Notification
from callgrade.people.models import Employee, Team
from callgrade.standards.models import PolicyVersion
from callgrade.standards.services import acknowledge
from callgrade.web.context import nav_entries

NEW_PASSWORD = "a-new-long-password-77"


def _sheet(html: str, kind: str) -> bytes:
    m = re.search(rf'id="sheet-{kind}" href="data:[^;]+(?:;charset=utf-8)?;base64,([^"]+)"', html)
    assert m, f"no {kind} sheet"
    return base64.b64decode(m.group(1))


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# --- logins in bulk -------------------------------------------------------------------------------


def test_hr_creates_the_missing_logins_once_and_sees_the_passwords_once(
    login: Any, hr: Any
) -> None:
    team = Team.objects.first()
    assert team is not None
    without = set(
        Employee.objects.filter(team=team, user__isnull=True)
        .exclude(status="left")
        .values_list("employee_id", flat=True)
    )
    assert without
    c = login(hr)
    page = c.get("/org/logins/")
    assert page.status_code == 200 and b'id="create-logins"' in page.content

    r = c.post("/org/logins/", {"team": str(team.pk)})
    assert r.status_code == 200
    assert r["Cache-Control"] == "no-store"
    html = r.content.decode()
    rows = _csv_rows(_sheet(html, "csv"))
    assert rows[0] == ["Employee ID", "Name", "Team", "Username", "One-time password"]
    assert {row[0] for row in rows[1:]} == without
    assert all(row[3] == row[0] and len(row[4]) == 14 for row in rows[1:])
    ws = load_workbook(io.BytesIO(_sheet(html, "xlsx"))).active
    assert ws is not None
    assert {ws.cell(row=i, column=1).value for i in range(2, ws.max_row + 1)} == without

    # every one of them now has a login that must change its password; other teams untouched
    linked = Employee.objects.filter(employee_id__in=without)
    assert all(e.user_id and e.must_change_password for e in linked)
    assert Employee.objects.exclude(team=team).filter(must_change_password=True).count() == 0
    assert AuditEvent.objects.filter(action="login_create").count() == len(without)
    # the passwords are kept nowhere: not in the audit trail, not on the page when reloaded
    one_password = rows[1][4]
    assert not AuditEvent.objects.filter(after__icontains=one_password).exists()
    assert one_password not in c.get("/org/logins/").content.decode()

    again = c.post("/org/logins/", {"team": str(team.pk)})
    assert again.status_code == 302  # none left to create: nothing shown, nothing made
    assert AuditEvent.objects.filter(action="login_create").count() == len(without)


def test_a_one_time_password_must_be_changed_before_anything_else(login: Any, hr: Any) -> None:
    r = login(hr).post("/org/logins/", {})
    rows = _csv_rows(_sheet(r.content.decode(), "csv"))
    assert not Employee.objects.filter(user__isnull=True).exclude(status="left").exists()
    username, password = rows[1][3], rows[1][4]

    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    signed_in = c.post("/accounts/login/", {"username": username, "password": password})
    assert signed_in.status_code == 302
    for page in ("/", "/me/", "/standard/", "/notifications/"):
        forced = c.get(page)
        assert forced.status_code == 302 and forced["Location"] == "/accounts/password_change/"
    form = c.get("/accounts/password_change/")
    assert form.status_code == 200 and b'id="first-password"' in form.content

    changed = c.post(
        "/accounts/password_change/",
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert not Employee.objects.get(employee_id=rows[1][0]).must_change_password
    assert c.get("/me/").status_code == 200


def test_the_password_sheet_cannot_run_formulas(login: Any, hr: Any) -> None:
    emp = Employee.objects.filter(user__isnull=True).exclude(status="left").first()
    assert emp is not None
    emp.name = "=HYPERLINK(1)"
    emp.save(update_fields=["name"])
    r = login(hr).post("/org/logins/", {"team": str(emp.team_id)})
    rows = _csv_rows(_sheet(r.content.decode(), "csv"))
    assert [row[1] for row in rows if row[0] == emp.employee_id] == ["'=HYPERLINK(1)"]


def test_the_demo_logins_are_not_forced_to_change(login: Any, agent: Any) -> None:
    assert login(agent).get("/me/").status_code == 200


def test_logins_are_for_hr_only(login: Any, lead: Any) -> None:
    assert login(lead).post("/org/logins/", {}).status_code == 404
    assert not Employee.objects.filter(must_change_password=True).exists()


# --- acknowledgement reminders ----------------------------------------------------------------


def test_reminders_reach_everyone_with_a_login_who_has_not_acknowledged_once_a_day(
    login: Any, hr: Any, agent: Any, lead: Any, other_agent: Any
) -> None:
    version = PolicyVersion.objects.get(status=PolicyVersion.PUBLISHED)
    acknowledge(employee=lead.employee, version=version)
    url = f"/standards/{version.pk}/acknowledgements/"
    c = login(hr)
    report = c.get(url).content
    assert b'id="remind"' in report
    assert b'id="without-login"' in report and b'href="/org/logins/"' in report
    before = Notification.objects.count()

    r = c.post(url + "remind/", follow=True)
    expected = set(
        Employee.objects.filter(user__isnull=False)
        .exclude(status="left")
        .exclude(acks__policy_version=version)
        .values_list("user_id", flat=True)
    )
    assert {agent.pk, other_agent.pk} <= expected
    reminded = Notification.objects.filter(text_en__startswith="Reminder:")
    assert set(reminded.values_list("user_id", flat=True)) == expected
    assert lead.pk not in set(reminded.values_list("user_id", flat=True))
    assert Notification.objects.count() - before == len(expected)
    assert f"Reminded {len(expected)} employees" in r.content.decode()

    # a second click the same day reminds nobody again
    r = c.post(url + "remind/", follow=True)
    assert Notification.objects.count() - before == len(expected)
    assert "Reminded 0 employees" in r.content.decode()
    # a day later they may be reminded again
    AuditEvent.objects.filter(action="policy_remind").update(
        at=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    c.post(url + "remind/")
    assert Notification.objects.count() - before == 2 * len(expected)


# --- the navigation per role ------------------------------------------------------------------


def _nav(client: Client) -> list[str]:
    html = client.get("/standard/").content.decode()
    return re.findall(r'data-nav="([a-z_]+)"', html)


def test_agent_navigation_lists_only_their_own_pages(login: Any, agent: Any) -> None:
    assert _nav(login(agent)) == [
        "me",
        "my_appeals",
        "my_development",
        "my_coaching",
        "my_awards",
        "my_contests",
        "contests",
        "intraday",
        "suggestions",
        "activities",
        "standard",
        "notifications",
    ]


def test_lead_navigation_adds_the_team_and_reviewing(login: Any, lead: Any) -> None:
    assert _nav(login(lead)) == [
        "me",
        "my_appeals",
        "my_development",
        "my_coaching",
        "my_awards",
        "my_contests",
        "team",
        "team_development",
        "program",
        "coaching",
        "nominations",
        "conflicts",
        "awards",
        "contests",
        "intraday",
        "suggestions",
        "activities",
        "standard",
        "notifications",
    ]


def test_hr_navigation_has_the_management_pages(login: Any, hr: Any) -> None:
    assert _nav(login(hr)) == [
        "team",
        "team_development",
        "program",
        "coaching",
        "cycles",
        "baseline",
        "standards",
        "org",
        "loads",
        "appeals_inbox",
        "suggestions_inbox",
        "development_catalog",
        "talent",
        "nominations",
        "conflicts",
        "awards",
        "contests",
        "intraday",
        "suggestions",
        "activities",
        "standard",
        "notifications",
    ]


def test_every_navigation_entry_is_served_to_its_role(login: Any, agent: Any, lead: Any) -> None:
    for user, role in ((agent, "agent"), (lead, "lead")):
        c = login(user)
        for name, _label in nav_entries(role, has_employee=True):
            assert c.get(reverse(name)).status_code == 200, (role, name)


def test_one_time_passwords_are_hashed_light_and_rehashed_at_full_strength_on_use() -> None:
    from django.contrib.auth.hashers import check_password, get_hasher
    from django.test import override_settings

    from callgrade.people.services.logins import ONE_TIME_ROUNDS, _hashed, one_time_password

    pbkdf2 = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    with override_settings(PASSWORD_HASHERS=pbkdf2):
        password = one_time_password()
        encoded = _hashed(password)
        assert encoded.startswith(f"pbkdf2_sha256${ONE_TIME_ROUNDS}$")
        upgraded: list[str] = []
        assert check_password(password, encoded, setter=upgraded.append)
        assert upgraded and get_hasher().must_update(encoded)  # re-hashed at the first sign-in
