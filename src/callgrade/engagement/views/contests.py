"""Contests (技能竞赛): the list, the creation form (HR, and leads for their teams), a contest's
leaderboard (live while open, frozen at the end), judged-score entry, freezing, and the agent's
own contests with their rank."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core.query import query_id
from callgrade.core.views import act
from callgrade.cycles.models import Cycle, KpiValue
from callgrade.engagement.access import in_contest, visible_contests
from callgrade.engagement.boards import gate_words, leaderboard, metric_words, prize_words
from callgrade.engagement.models import Contest, ContestScore
from callgrade.engagement.services import EngagementError
from callgrade.engagement.services.contests import (
    ContestSpec,
    as_of,
    check_scorable,
    contest_cancel,
    contest_create,
    contest_edit,
    contest_freeze,
    contest_score,
    contestants,
    editable,
    may_change,
)
from callgrade.engine.kpis import REGISTRY
from callgrade.people.access import (
    Denied,
    access,
    allowed,
    is_hr,
    led_team_ids,
    require_employee,
    require_reviewer,
)
from callgrade.people.models import Team
from callgrade.standards.services import policy_current
from callgrade.standards.text import kpi_label

GATE_ROWS = 2
PRIZE_ROWS = 3
STREAM_SECONDS = 25.0  # then the browser reconnects (a worker thread is never held for long)
BOARD_POLL_LIVE = 1.0  # seconds between looks at a live contest's board
BOARD_POLL = 10.0  # the others change only when results are recomputed or a judge scores


def _lang() -> str:
    return get_language() or "en"


def _currency() -> str:
    version = policy_current()
    return version.policy().currency if version is not None else "CNY"


def _summary(c: Contest, lang: str) -> dict[str, Any]:
    return {
        "c": c,
        "metric": metric_words(c, lang),
        "team": c.team.name if c.team_id else "",
        "gates": [gate_words(g, lang) for g in c.gates],
    }


@login_required
def contest_list(request: HttpRequest) -> HttpResponse:
    lang = _lang()
    qs = visible_contests(request.user).select_related("team").order_by("-ends_on", "-id")
    rows = [_summary(c, lang) for c in qs[:200]]
    return render(request, "engagement/contests.html", {
        "open": [r for r in rows if r["c"].state == Contest.OPEN],
        "frozen": [r for r in rows if r["c"].state != Contest.OPEN],
        "creates": is_hr(request.user) or bool(led_team_ids(request.user)),
    })  # fmt: skip


def _sources() -> list[tuple[str, str]]:
    """(value, label) of each cycle period with stored KPI results, newest cycle first."""
    out = []
    for cycle in Cycle.objects.filter(computed_at__isnull=False).order_by("-created_at")[:20]:
        periods = (KpiValue.objects.filter(cycle=cycle).values_list("period", flat=True)
                   .distinct().order_by("period"))  # fmt: skip
        out += [(f"{cycle.pk}:{p}", f"{cycle.name} · {p}") for p in periods]
    return out


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise EngagementError(_("Give the days as dates, e.g. 2026-05-01.")) from None


def _whole(text: str, default: int) -> int:
    text = text.strip()
    if not text:
        return default
    if not text.isdecimal() or len(text) > 6:
        raise EngagementError(_("The minimum sample and the places shown are whole numbers."))
    return int(text)


def _spec(post: Any, teams: Any) -> ContestSpec:
    team_id = query_id(post.get("team", ""))
    team = teams.filter(pk=team_id).first() if team_id is not None else None
    if post.get("team") and team is None:
        raise EngagementError(_("Choose one of your teams."))
    cycle, period = None, ""
    source = post.get("source", "")
    if source:
        cycle_id, _sep, period = source.partition(":")
        cycle = Cycle.objects.filter(pk=query_id(cycle_id) or 0).first()
    metric = post.get("metric", "")
    named = metric if metric in (Contest.JUDGED, *Contest.LIVE) else Contest.KPI
    return ContestSpec(
        title=post.get("title", ""), description=post.get("description", ""),
        starts_on=_day(post.get("starts_on", "")), ends_on=_day(post.get("ends_on", "")),
        kind=post.get("kind", Contest.INDIVIDUAL),
        metric=named, kpi=metric if named == Contest.KPI else "", cycle=cycle, period=period,
        team=team,
        gates=tuple((post.get(f"gate_kpi_{i}", ""), post.get(f"gate_op_{i}", ""),
                     post.get(f"gate_value_{i}", "")) for i in range(GATE_ROWS)),
        min_sample=_whole(post.get("min_sample", ""), 0),
        prizes=tuple((i + 1, post.get(f"prize_points_{i}", ""), post.get(f"prize_amount_{i}", ""))
                     for i in range(PRIZE_ROWS)),
        top_n=_whole(post.get("top_n", ""), 10), hide_names=bool(post.get("hide_names")),
    )  # fmt: skip


def _teams(user: Any) -> Any:
    teams = Team.objects.order_by("name")
    return teams if is_hr(user) else teams.filter(pk__in=led_team_ids(user))


def _form_page(request: HttpRequest, form: dict[str, Any], contest: Contest | None) -> HttpResponse:
    lang = _lang()
    kpis = sorted(((code, kpi_label(code, lang)) for code in REGISTRY), key=lambda k: k[1])
    return render(request, "engagement/contest_new.html", {
        "form": form, "teams": _teams(request.user), "hr": is_hr(request.user), "kpis": kpis,
        "live_metrics": [(code, label) for code, label in Contest.METRICS if code in Contest.LIVE],
        "sources": _sources(),
        "gate_rows": [{"i": i, "kpi": form.get(f"gate_kpi_{i}", ""),
                       "op": form.get(f"gate_op_{i}", ""), "value": form.get(f"gate_value_{i}", "")}
                      for i in range(GATE_ROWS)],
        "prize_rows": [{"i": i, "points": form.get(f"prize_points_{i}", ""),
                        "amount": form.get(f"prize_amount_{i}", "")} for i in range(PRIZE_ROWS)],
        "ops": [(">=", "≥"), (">", ">"), ("<=", "≤"), ("<", "<")], "contest": contest,
    })  # fmt: skip


@login_required
def contest_new(request: HttpRequest) -> HttpResponse:
    require_reviewer(request.user)  # leads (their teams) and HR create contests
    form = dict(request.POST.items()) if request.method == "POST" else {}
    if request.method == "POST":
        try:
            c = contest_create(actor=request.user, spec=_spec(request.POST, _teams(request.user)))
        except EngagementError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("The contest is open."))
            return redirect("contest", contest_id=c.pk)
    return _form_page(request, form, None)


def _as_form(c: Contest) -> dict[str, Any]:
    """A contest as the form's fields (to edit it)."""
    form: dict[str, Any] = {
        "title": c.title, "description": c.description, "kind": c.kind,
        "team": str(c.team_id or ""), "metric": c.kpi if c.metric == Contest.KPI else c.metric,
        "source": f"{c.cycle_id}:{c.period}" if c.cycle_id else "",
        "starts_on": c.starts_on.isoformat(), "ends_on": c.ends_on.isoformat(),
        "min_sample": str(c.min_sample), "top_n": str(c.top_n),
        "hide_names": "1" if c.hide_names else "",
    }  # fmt: skip
    for i, g in enumerate(c.gates[:GATE_ROWS]):
        form |= {f"gate_kpi_{i}": g["kpi"], f"gate_op_{i}": g["op"],
                 f"gate_value_{i}": f"{g['value']:g}"}  # fmt: skip
    for p in c.prizes:
        i = int(p["rank"]) - 1
        if 0 <= i < PRIZE_ROWS:
            form |= {f"prize_points_{i}": p["points"], f"prize_amount_{i}": p["amount"]}
    return form


@login_required
def contest_edit_view(request: HttpRequest, contest_id: int) -> HttpResponse:
    c = access(request.user, "contest", contest_id, "manage")
    if not may_change(request.user, c):
        raise Denied
    if not editable(c):
        messages.error(request, _("A contest can be changed only before the day it starts."))
        return redirect("contest", contest_id=c.pk)
    form = dict(request.POST.items()) if request.method == "POST" else _as_form(c)
    if request.method == "POST":
        try:
            contest_edit(actor=request.user, contest=c,
                         spec=_spec(request.POST, _teams(request.user)))  # fmt: skip
        except EngagementError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("The contest is changed."))
            return redirect("contest", contest_id=c.pk)
    return _form_page(request, form, c)


@login_required
@require_POST
def contest_cancel_view(request: HttpRequest, contest_id: int) -> HttpResponse:
    c = access(request.user, "contest", contest_id, "manage")
    if not may_change(request.user, c):
        raise Denied
    reason = request.POST.get("reason", "")
    return act(
        request,
        lambda: contest_cancel(actor=request.user, contest=c, reason=reason),
        error=EngagementError,
        done=_("The contest is cancelled."),
        then=redirect("contest", contest_id=c.pk),
    )


def _board_part(request: HttpRequest, c: Contest, lang: str) -> str:
    """The part of a contest's page that changes while it is open: one's own place, the
    leaderboard, those not ranked and when its inputs were last brought up to date."""
    return render_to_string("engagement/_board.html", {
        "c": c, "metric": metric_words(c, lang), "board": leaderboard(request.user, c, lang),
        "as_of": as_of(c),
    }, request=request)  # fmt: skip


def _version(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8")).hexdigest()[:16]


@login_required
def contest_detail(request: HttpRequest, contest_id: int) -> HttpResponse:
    c = access(request.user, "contest", contest_id)
    lang, currency = _lang(), _currency()
    manages = allowed(request.user, "contest", c, "manage")
    judging = manages and c.metric == Contest.JUDGED and c.state == Contest.OPEN
    scores: dict[int, Any] = {}
    if judging:
        mine = ContestScore.objects.filter(contest=c, judge=request.user)
        scores = {s.employee_id: s.score for s in mine}
    people = [(e, scores.get(e.pk, "")) for e in contestants(c)] if judging else []
    part = _board_part(request, c, lang)
    changes = manages and may_change(request.user, c)
    return render(request, "engagement/contest.html", {
        **_summary(c, lang),
        "board_part": part,
        "version": _version(part),
        "prizes": [(p["rank"], prize_words(p, currency)) for p in c.prizes],
        "manages": manages,
        "edits": changes and editable(c),
        "cancels": changes and c.state == Contest.OPEN,
        "judging": judging,
        "people": people,
    })  # fmt: skip


def _board_events(request: HttpRequest, c: Contest, seen: str, lang: str) -> Iterator[str]:
    """The board part again whenever it changes, as ``board`` events whose id is its version
    (the browser sends the last one back when it reconnects, so an unchanged board is not sent
    again)."""
    yield f"retry: 1000\n: {' ' * 2048}\n\n"  # padding: some proxies hold a first small chunk
    every = BOARD_POLL_LIVE if c.live else BOARD_POLL
    deadline = time.monotonic() + STREAM_SECONDS
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        with translation.override(lang):
            part = _board_part(request, c, lang)
        version = _version(part)
        if version != seen:
            seen, quiet_since = version, time.monotonic()
            yield f"id: {version}\nevent: board\ndata: {json.dumps({'html': part})}\n\n"
        elif time.monotonic() - quiet_since > 10:
            yield ": still here\n\n"
            quiet_since = time.monotonic()
        time.sleep(every)


@login_required
def contest_stream(request: HttpRequest, contest_id: int) -> HttpResponse:
    """An open contest's board as it changes (server-sent events, as the awards page's)."""
    c = access(request.user, "contest", contest_id)
    if c.state != Contest.OPEN:
        return HttpResponse(status=204)  # nothing will change: the browser stops asking
    raw = request.headers.get("Last-Event-ID") or request.GET.get("version", "")
    seen = raw if len(raw) == 16 and all(ch in "0123456789abcdef" for ch in raw) else ""
    response = StreamingHttpResponse(
        _board_events(request, c, seen, _lang()), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"
    return response


@login_required
@require_POST
def contest_scores(request: HttpRequest, contest_id: int) -> HttpResponse:
    """Judged scores for several contestants at once (``score_<pk>`` fields; blank: unchanged)."""
    c = access(request.user, "contest", contest_id, "manage")
    people = {str(e.pk): e for e in contestants(c)}

    def enter() -> int:
        entered = 0
        check_scorable(c)
        with transaction.atomic():  # all the typed scores, or none
            for name, value in request.POST.items():
                pk = name.removeprefix("score_")
                if name.startswith("score_") and value.strip() and pk in people:
                    contest_score(actor=request.user, contest=c, employee=people[pk], score=value)
                    entered += 1
        return entered

    return act(
        request,
        enter,
        error=EngagementError,
        done=lambda entered: _("%(n)s scores were recorded.") % {"n": entered},
        then=redirect("contest", contest_id=c.pk),
    )


@login_required
@require_POST
def contest_freeze_view(request: HttpRequest, contest_id: int) -> HttpResponse:
    c = access(request.user, "contest", contest_id, "manage")
    return act(
        request,
        lambda: contest_freeze(actor=request.user, contest=c),
        error=EngagementError,
        done=lambda n: (
            _("The results are frozen; %(n)s prizes were written to the awards ledger.") % {"n": n}
        ),
        then=redirect("contest", contest_id=c.pk),
    )


@login_required
def my_contests(request: HttpRequest) -> HttpResponse:
    require_employee(request.user)
    lang = _lang()
    rows = []
    for c in visible_contests(request.user).select_related("team").order_by("-ends_on", "-id")[:50]:
        if in_contest(request.user, c):
            board = leaderboard(request.user, c, lang)
            rows.append({**_summary(c, lang), "mine": board.mine, "total": board.total})
    return render(request, "engagement/my_contests.html", {"rows": rows})


urlpatterns = [
    path("contests/", contest_list, name="contests"),
    path("contests/new/", contest_new, name="contest_new"),
    path("contests/<int:contest_id>/", contest_detail, name="contest"),
    path("contests/<int:contest_id>/scores/", contest_scores, name="contest_scores"),
    path("contests/<int:contest_id>/freeze/", contest_freeze_view, name="contest_freeze"),
    path("contests/<int:contest_id>/edit/", contest_edit_view, name="contest_edit"),
    path("contests/<int:contest_id>/cancel/", contest_cancel_view, name="contest_cancel"),
    path("contests/<int:contest_id>/stream/", contest_stream, name="contest_stream"),
    path("me/contests/", my_contests, name="my_contests"),
]
