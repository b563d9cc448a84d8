"""The employee's and the lead's development pages, enrolment, and deciding a proposal."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core.views import act
from callgrade.development.selectors import my_development, team_board
from callgrade.development.services import DevelopmentError
from callgrade.development.services.catalog import enrol
from callgrade.development.services.proposals import proposal_decide
from callgrade.people.access import access, require_employee, require_reviewer


@login_required
def my_development_view(request: HttpRequest) -> HttpResponse:
    me = require_employee(request.user)
    return render(request, "development/me.html", {"me": me, **my_development(me, request.user)})


@login_required
def team_development(request: HttpRequest) -> HttpResponse:
    require_reviewer(request.user)
    return render(request, "development/team.html", team_board(request.user))


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def session_enrol(request: HttpRequest, session_id: int) -> HttpResponse:
    session = access(request.user, "session", session_id)
    return act(
        request,
        lambda: enrol(actor=request.user, session=session),
        error=DevelopmentError,
        done=_("You are enrolled."),
        then=_back(request, "my_development"),
    )


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        raise DevelopmentError(_("Give the date as YYYY-MM-DD, e.g. 2026-05-20.")) from None


@login_required
@require_POST
def proposal_decide_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = access(request.user, "proposal", proposal_id)
    return act(
        request,
        lambda: proposal_decide(
            proposal=proposal,
            decision=request.POST.get("decision", ""),
            due=_day(request.POST.get("due", "")),
            until=_day(request.POST.get("until", "")),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        ),
        error=DevelopmentError,
        done=_("The proposal was decided."),
        then=_back(request, "team_development"),
    )


urlpatterns = [
    path("me/development/", my_development_view, name="my_development"),
    path("team/development/", team_development, name="team_development"),
    path("development/sessions/<int:session_id>/enrol/", session_enrol, name="session_enrol"),
    path(
        "development/proposals/<int:proposal_id>/decide/",
        proposal_decide_view,
        name="proposal_decide",
    ),
]
