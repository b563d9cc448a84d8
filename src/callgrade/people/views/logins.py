"""HR: logins for every employee without one, in one step, with the one-time password sheet.

The sheet is part of the response to the creating request (a table on the page and the same
table as CSV and XLSX downloads embedded in it): the passwords are never stored, so reloading
or coming back later cannot show them again."""

from __future__ import annotations

import base64
from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core import tabular
from callgrade.core.query import query_id
from callgrade.people.access import access, is_hr, require_hr
from callgrade.people.models import Employee, Team
from callgrade.people.services.logins import (
    NewLogin,
    logins_create,
    password_reset,
    without_login,
)


def _team(request: HttpRequest, value: str) -> Team | None:
    team = query_id(value)
    return access(request.user, "team", team, "manage") if team is not None else None


def _sheet(created: list[NewLogin]) -> dict[str, str]:
    header = [_("Employee ID"), _("Name"), _("Team"), _("Username"), _("One-time password")]
    rows = [[n.employee_id, n.name, n.team, n.username, n.password] for n in created]
    csv_body = tabular.table_csv(header, rows)
    xlsx_body = tabular.table_xlsx(_("Logins"), header, rows)
    return {
        "csv": "data:text/csv;charset=utf-8;base64," + base64.b64encode(csv_body).decode(),
        "xlsx": f"data:{tabular.XLSX};base64," + base64.b64encode(xlsx_body).decode(),
    }


@login_required
def logins(request: HttpRequest) -> HttpResponse:
    """GET: who has no login yet, by team; POST: create them and show the password sheet once."""
    require_hr(request.user)
    if request.method != "POST":
        missing = list(without_login())
        per_team = Counter(e.team_id for e in missing)
        teams = [(t, per_team[t.pk]) for t in Team.objects.all() if per_team[t.pk]]
        return render(
            request,
            "people/logins.html",
            {"missing": len(missing), "teams": teams, "no_team": per_team[None]},
        )
    team = _team(request, request.POST.get("team", ""))
    created, skipped = logins_create(actor=request.user, team=team)
    if not created and not skipped:
        messages.info(request, _("Every employee already has a login; none was created."))
        return redirect("org_logins")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    context: dict[str, Any] = {
        "created": created,
        "skipped": skipped,
        "team": team,
        "filename": f"logins-{stamp}",
        **(_sheet(created) if created else {}),
    }
    response = render(request, "people/logins_created.html", context)
    # The one copy of the passwords: no cache, no back-button copy.
    response["Cache-Control"] = "no-store"
    return response


def resettable(employee: Employee) -> bool:
    """HR resets employees' passwords; the logins of HR and of administrators are reset in the
    admin by an administrator, so an HR login cannot take over a more powerful one."""
    user = employee.user
    return user is not None and not (user.is_staff or user.is_superuser or is_hr(user))


@login_required
@require_POST
def employee_password_reset(request: HttpRequest, employee_id: str) -> HttpResponse:
    """A new one-time password, shown on this response only (no-store), changed at next sign-in."""
    require_hr(request.user)
    emp: Employee = access(request.user, "employee", employee_id, "manage")
    if not resettable(emp):
        messages.error(request, _("This employee has no login whose password HR can reset."))
        return redirect("org_employee", employee_id=emp.employee_id)
    password = password_reset(actor=request.user, employee=emp)
    response = render(
        request, "people/password_reset.html", {"employee": emp, "password": password}
    )
    response["Cache-Control"] = "no-store"
    return response


urlpatterns = [
    path("org/logins/", logins, name="org_logins"),
    path(
        "org/employees/<str:employee_id>/password-reset/",
        employee_password_reset,
        name="employee_password_reset",
    ),
]
