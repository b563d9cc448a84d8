"""HR resets an employee's password: a one-time password shown once and never stored, changed
at the next sign-in, audited; a password set in the admin's form is changed at next sign-in too."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from callgrade.core.audit import ACTIONS
from callgrade.core.models import AuditEvent
from callgrade.people.models import Employee

PASSWORD = "correct-horse-battery-9"


def _reset(client: Client, employee_id: str) -> Any:
    return client.post(f"/org/employees/{employee_id}/password-reset/")


def test_hr_resets_a_password_that_must_be_changed_at_the_next_sign_in(
    login: Any, hr: Any, agent: Any
) -> None:
    emp = Employee.objects.get(user=agent)
    page = login(hr).get(f"/org/employees/{emp.employee_id}/")
    assert b'id="password-reset"' in page.content
    r = _reset(login(hr), emp.employee_id)
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    found = re.search(r'<code id="one-time-password">([^<]+)</code>', r.content.decode())
    assert found
    password = found.group(1)
    # never stored in plain text: the login keeps a hash, the audit trail no password at all
    agent.refresh_from_db()
    assert password not in agent.password and agent.check_password(password)
    event = AuditEvent.objects.get(action="password_reset", object_id=str(emp.pk))
    assert event.actor == hr and password not in str(event.after)
    assert "password_reset" in ACTIONS
    emp.refresh_from_db()
    assert emp.must_change_password

    c = Client()
    c.post("/accounts/login/", {"username": "agent", "password": PASSWORD})
    assert "_auth_user_id" not in c.session  # the old password is gone
    c.post("/accounts/login/", {"username": "agent", "password": password})
    assert c.session["_auth_user_id"] == str(agent.pk)
    assert c.get("/me/")["Location"] == "/accounts/password_change/"
    r = c.post(
        "/accounts/password_change/",
        {
            "old_password": password,
            "new_password1": "a-new-one-2027!",
            "new_password2": "a-new-one-2027!",
        },
    )
    assert r.status_code == 302
    emp.refresh_from_db()
    assert not emp.must_change_password
    assert c.get("/me/").status_code == 200


def test_a_reset_ends_the_sessions_signed_in_with_the_old_password(
    login: Any, hr: Any, agent: Any
) -> None:
    c = Client()
    c.post("/accounts/login/", {"username": "agent", "password": PASSWORD})
    assert c.get("/me/").status_code == 200
    _reset(login(hr), agent.employee.employee_id)
    assert "/accounts/login/" in c.get("/me/")["Location"]


def test_hr_cannot_reset_the_login_of_hr_or_an_administrator(
    login: Any, hr: Any, agent: Any
) -> None:
    emp = Employee.objects.get(user=agent)
    agent.is_staff = True
    agent.save()
    before = agent.password
    r = _reset(login(hr), emp.employee_id)
    assert r.status_code == 302
    agent.refresh_from_db()
    assert agent.password == before
    assert not AuditEvent.objects.filter(action="password_reset").exists()
    page = login(hr).get(f"/org/employees/{emp.employee_id}/")
    assert b'id="password-reset"' not in page.content


def test_an_employee_without_a_login_has_nothing_to_reset(login: Any, hr: Any) -> None:
    emp = Employee.objects.filter(user__isnull=True).first()
    assert emp is not None
    assert b'id="password-reset"' not in login(hr).get(f"/org/employees/{emp.employee_id}/").content
    assert _reset(login(hr), emp.employee_id).status_code == 302


def test_a_password_set_in_the_admin_must_be_changed_at_the_next_sign_in(
    login: Any, admin_user: Any, agent: Any
) -> None:
    new = "set-by-the-admin-2027"
    r = login(admin_user).post(
        f"/admin/auth/user/{agent.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert r.status_code == 302, r.content[:2000]
    emp = Employee.objects.get(user=agent)
    assert emp.must_change_password
    assert AuditEvent.objects.filter(action="password_reset", object_id=str(emp.pk)).exists()
    c = Client()
    c.post("/accounts/login/", {"username": "agent", "password": new})
    assert c.get("/me/")["Location"] == "/accounts/password_change/"


def test_the_admin_changing_their_own_password_is_not_forced(login: Any, admin_user: Any) -> None:
    new = "my-own-choice-2027"
    r = login(admin_user).post(
        f"/admin/auth/user/{admin_user.pk}/password/", {"password1": new, "password2": new}
    )
    assert r.status_code == 302
    assert not AuditEvent.objects.filter(action="password_reset").exists()
    assert get_user_model().objects.get(pk=admin_user.pk).check_password(new)
