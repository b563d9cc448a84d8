"""Coaching and two-way feedback (辅导与反馈): the lead's coaching page (notes, overdue
follow-ups, who the coaching rules suggest talking to this week), recording a note, one note
with its acknowledgement and reply, and the employee's own notes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core.query import query_id
from callgrade.core.views import act
from callgrade.engine.kpis import REGISTRY
from callgrade.people.access import access, allowed, require_employee, require_reviewer
from callgrade.review.models import CoachingNote
from callgrade.review.selectors import team_cycles
from callgrade.review.selectors.coaching import coached_people, notes_for, overdue, suggestions
from callgrade.review.services.coaching import (
    CoachingError,
    coaching_follow_up,
    coaching_record,
    coaching_respond,
)


def _today() -> dt.date:
    return timezone.localdate()


@login_required
def coaching(request: HttpRequest) -> HttpResponse:
    require_reviewer(request.user)
    today = _today()
    notes = notes_for(request.user)
    cycle, suggested = suggestions(request.user, today)
    return render(
        request,
        "review/coaching.html",
        {
            "notes": notes[:200],
            "overdue": overdue(notes, today),
            "suggested": suggested,
            "rules_cycle": cycle,
            "has_rules": cycle is not None and cycle.policy_version.policy().coaching_rules,
            "today": today,
        },
    )


def _day(text: str, what: str, *, required: bool) -> dt.date | None:
    text = text.strip()
    if not text and not required:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CoachingError(
            _("%(field)s: give a day such as 2026-05-20.") % {"field": what}
        ) from None


@login_required
def coaching_new(request: HttpRequest) -> HttpResponse:
    require_reviewer(request.user)
    people = coached_people(request.user).order_by("employee_id")
    cycles = team_cycles(request.user)
    fields = ("employee", "kind", "held_on", "kpi", "period", "record_id", "cycle",
              "about_decision", "notes", "actions", "follow_up_on")  # fmt: skip
    form = {k: request.POST.get(k, request.GET.get(k, "")) for k in fields}
    form["held_on"] = form["held_on"] or _today().isoformat()
    if request.method == "POST":
        try:
            emp_id = query_id(form["employee"])
            employee = people.filter(pk=emp_id).first() if emp_id is not None else None
            if employee is None:
                raise CoachingError(_("Employee: choose one of the list."))
            cycle_id = query_id(form["cycle"])
            cycle = next((c for c in cycles if c.pk == cycle_id), None)
            held_on = _day(form["held_on"], _("Held on"), required=True)
            assert held_on is not None
            note = coaching_record(
                actor=request.user, employee=employee, kind=form["kind"], held_on=held_on,
                notes=form["notes"], actions=form["actions"],
                follow_up_on=_day(form["follow_up_on"], _("Follow up on"), required=False),
                kpi=form["kpi"], period=form["period"], record_id=form["record_id"],
                cycle=cycle, about_decision=form["about_decision"] == "on", today=_today(),
            )  # fmt: skip
        except CoachingError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("The coaching note was recorded."))
            return redirect("coaching_note", note_id=note.pk)
    return render(
        request,
        "review/coaching_new.html",
        {
            "form": form,
            "people": people,
            "cycles": cycles,
            "kinds": CoachingNote.KINDS,
            "kpis": sorted(REGISTRY),
        },
    )


@login_required
def coaching_note(request: HttpRequest, note_id: int) -> HttpResponse:
    note = access(request.user, "coaching", note_id)
    return render(
        request,
        "review/coaching_note.html",
        {
            "note": note,
            "responds": allowed(request.user, "coaching", note, "resolve"),
            "follows_up": allowed(request.user, "coaching", note, "manage"),
            "is_overdue": note.overdue(_today()),
        },
    )


@login_required
@require_POST
def coaching_respond_view(request: HttpRequest, note_id: int) -> HttpResponse:
    note = access(request.user, "coaching", note_id)
    reply = request.POST.get("reply", "")
    return act(
        request,
        lambda: coaching_respond(actor=request.user, note=note, reply=reply),
        error=CoachingError,
        done=_("Thank you: your lead sees that you read it."),
        then=redirect("coaching_note", note_id=note.pk),
    )


@login_required
@require_POST
def coaching_follow_up_view(request: HttpRequest, note_id: int) -> HttpResponse:
    note = access(request.user, "coaching", note_id, "manage")
    outcome = request.POST.get("outcome", "")
    return act(
        request,
        lambda: coaching_follow_up(actor=request.user, note=note, outcome=outcome),
        error=CoachingError,
        done=_("The follow-up was recorded."),
        then=redirect("coaching_note", note_id=note.pk),
    )


@login_required
def my_coaching(request: HttpRequest) -> HttpResponse:
    me = require_employee(request.user)
    notes = CoachingNote.objects.filter(employee=me).select_related("author", "cycle")
    return render(request, "review/my_coaching.html", {"notes": notes, "today": _today()})


urlpatterns = [
    path("coaching/", coaching, name="coaching"),
    path("coaching/new/", coaching_new, name="coaching_new"),
    path("coaching/<int:note_id>/", coaching_note, name="coaching_note"),
    path("coaching/<int:note_id>/respond/", coaching_respond_view, name="coaching_respond"),
    path("coaching/<int:note_id>/follow-up/", coaching_follow_up_view, name="coaching_follow_up"),
    path("me/coaching/", my_coaching, name="my_coaching"),
]
