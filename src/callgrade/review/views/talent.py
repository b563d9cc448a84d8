"""The talent pool and selection for key posts (人才库与关键岗位选拔), HR's pages: the key
posts, a new post with its requirements, one post's candidates with their readiness and gap
(XLSX too), the shortlist, assessments and interviews, and the decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core import tabular
from callgrade.core.query import query_id
from callgrade.core.views import act
from callgrade.people.access import access, require_hr
from callgrade.people.models import Employee, Team
from callgrade.review.models import Candidacy, KeyPost
from callgrade.review.selectors.talent import (
    candidates,
    check_words,
    evidence_of,
    standard_codes,
)
from callgrade.review.services.talent import (
    TalentError,
    candidate_assess,
    candidate_decide,
    candidate_shortlist,
    key_post_create,
    selection_refusal,
)
from callgrade.standards.labels import standard_names


def _names() -> dict[str, dict[str, str]]:
    return standard_names(get_language() or "zh-hans")


@login_required
def talent(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    posts = KeyPost.objects.select_related("team")
    return render(request, "review/talent.html", {"posts": posts})


def _whole(text: str, what: str, *, lo: int = 0, hi: int = 600) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdecimal() or not lo <= int(text) <= hi:
        raise TalentError(
            _("%(field)s: a whole number from %(lo)s to %(hi)s.") % {"field": what, "lo": lo,
                                                                     "hi": hi}
        )  # fmt: skip
    return int(text)


def _scores(codes: list[str], values: list[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for code, value in zip(codes, values, strict=False):
        if code and value.strip():
            try:
                out[code] = float(value)
            except ValueError:
                raise TalentError(_("Competencies: a score from 0 to 100.")) from None
    return out


@login_required
def talent_post_new(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    codes = standard_codes()
    fields = ("title", "kind", "position", "team", "openings", "min_rating", "rating_periods",
              "min_tenure_months", "max_major_complaints")  # fmt: skip
    form = {k: request.POST.get(k, "") for k in fields}
    if request.method == "POST":
        try:
            team_id = query_id(form["team"])
            team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
            post = key_post_create(
                actor=request.user, title=form["title"], kind=form["kind"],
                position=form["position"], team=team,
                openings=_whole(form["openings"], _("Openings"), lo=1, hi=100) or 1,
                min_rating=form["min_rating"],
                rating_periods=_whole(form["rating_periods"], _("Rating periods"), hi=24) or 0,
                min_tenure_months=_whole(form["min_tenure_months"], _("Tenure in months")),
                competencies=_scores(request.POST.getlist("competency"),
                                     request.POST.getlist("competency_score")),
                trainings=[t for t in request.POST.getlist("training") if t],
                max_major_complaints=_whole(form["max_major_complaints"],
                                            _("Major complaints"), hi=100),
                known=codes,
            )  # fmt: skip
        except TalentError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("The key post was created."))
            return redirect("talent_post", post_id=post.pk)
    return render(
        request,
        "review/talent_new.html",
        {
            "form": form,
            "kinds": KeyPost.KINDS,
            "codes": codes,
            "names": _names(),
            "teams": Team.objects.order_by("name"),
            "competency_rows": range(3),
        },
    )


def _today() -> dt.date:
    return timezone.localdate()


@login_required
def talent_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access(request.user, "keypost", post_id)
    names = _names()
    rows = candidates(post, _today())
    shortlist = list(
        post.candidacies.select_related("employee", "shortlisted_by", "assessed_by", "decided_by")
    )
    return render(
        request,
        "review/talent_post.html",
        {
            "post": post,
            "names": names,
            "rows": [(r, [(c, check_words(c, names)) for c in r.readiness.checks]) for r in rows],
            "shortlist": [(c, selection_refusal(c, request.user)) for c in shortlist],
            "today": _today(),
        },
    )


@login_required
def talent_candidates_xlsx(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access(request.user, "keypost", post_id)
    names = _names()
    header = [_("Employee ID"), _("Name"), _("Team"), _("Position"), _("Requirements met"),
              _("Ready"), _("Gap"), _("Shortlist")]  # fmt: skip
    rows: list[list[Any]] = []
    for r in candidates(post, _today()):
        gap = "; ".join(
            f"{check_words(c, names)} ({_('has')} {c.have or '—'})" for c in r.readiness.gap
        )
        rows.append([
            r.employee.employee_id, r.employee.name,
            r.employee.team.name if r.employee.team else "",
            names["positions"].get(r.employee.position, r.employee.position),
            f"{r.readiness.met}/{len(r.readiness.checks)}",
            _("yes") if r.readiness.ready else _("no"), gap,
            r.candidacy.get_state_display() if r.candidacy else "",
        ])  # fmt: skip
    body = tabular.table_xlsx(_("Candidates"), header, rows)
    response = HttpResponse(body, content_type=tabular.XLSX)
    response["Content-Disposition"] = f'attachment; filename="key-post-{post.pk}-candidates.xlsx"'
    return response


@login_required
@require_POST
def talent_shortlist(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access(request.user, "keypost", post_id, "manage")
    emp = Employee.objects.filter(pk=query_id(request.POST.get("employee", ""))).first()
    if emp is None:
        messages.error(request, _("Employee: choose one of the list."))
        return redirect("talent_post", post_id=post.pk)
    row = next((r for r in candidates(post, _today()) if r.employee.pk == emp.pk), None)
    evidence = evidence_of(row.readiness, _names()) if row else {}
    return act(
        request,
        lambda: candidate_shortlist(actor=request.user, post=post, employee=emp, evidence=evidence),
        error=TalentError,
        done=_("The employee is on the shortlist."),
        then=redirect("talent_post", post_id=post.pk),
    )


@login_required
@require_POST
def talent_assess(request: HttpRequest, candidacy_id: int) -> HttpResponse:
    c: Candidacy = access(request.user, "candidacy", candidacy_id)

    def do() -> None:
        try:
            score = float(request.POST.get("score", ""))
        except ValueError:
            raise TalentError(_("Assessment score: a number from 0 to 100.")) from None
        candidate_assess(actor=request.user, candidacy=c, score=score,
                         notes=request.POST.get("notes", ""))  # fmt: skip

    return act(
        request,
        do,
        error=TalentError,
        done=_("The assessment was recorded."),
        then=redirect("talent_post", post_id=c.key_post.pk),
    )


@login_required
@require_POST
def talent_decide(request: HttpRequest, candidacy_id: int) -> HttpResponse:
    c: Candidacy = access(request.user, "candidacy", candidacy_id)

    def do() -> None:
        effective = None
        if request.POST.get("effective", "").strip():
            try:
                effective = dt.date.fromisoformat(request.POST["effective"].strip())
            except ValueError:
                raise TalentError(_("Effective from: give a day such as 2026-05-20.")) from None
        candidate_decide(
            actor=request.user, candidacy=c, appoint=request.POST.get("decision") == "appoint",
            reason=request.POST.get("reason", ""), effective=effective, today=_today(),
        )  # fmt: skip

    return act(
        request,
        do,
        error=TalentError,
        done=_("The decision was recorded."),
        then=redirect("talent_post", post_id=c.key_post.pk),
    )


urlpatterns = [
    path("talent/", talent, name="talent"),
    path("talent/new/", talent_post_new, name="talent_post_new"),
    path("talent/<int:post_id>/", talent_post, name="talent_post"),
    path(
        "talent/<int:post_id>/candidates.xlsx",
        talent_candidates_xlsx,
        name="talent_candidates_xlsx",
    ),
    path("talent/<int:post_id>/shortlist/", talent_shortlist, name="talent_shortlist"),
    path("talent/candidates/<int:candidacy_id>/assess/", talent_assess, name="talent_assess"),
    path("talent/candidates/<int:candidacy_id>/decide/", talent_decide, name="talent_decide"),
]
