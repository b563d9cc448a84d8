"""Leaderboards: what each reader sees of a contest's standings, in their words.

Privacy: HR sees every row with names. Anyone else sees the top N places, their own row and the
rows of the teams they lead (a lead sees their team); with hidden names, every row that is not
theirs or their team's shows as "Contestant #k" (its place on the board), and nothing else about
the person — no name, no employee number — reaches the page. Those not ranked are listed, with
the reason, only to HR, to themselves and to their lead."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from callgrade.engagement.models import Contest
from callgrade.engagement.services.contests import current_standings
from callgrade.engine.kpis import REGISTRY
from callgrade.people.access import AnyUser, employee_of, is_hr, led_team_ids
from callgrade.people.models import Employee, Team
from callgrade.standards.result_words import money
from callgrade.standards.text import kpi_label, value_text

OP_WORDS = {">=": "≥", ">": ">", "<=": "≤", "<": "<"}


@dataclass
class Row:
    place: str  # "3", or "3=" for a shared rank; empty when not ranked
    label: str
    value: str
    sample: int
    mine: bool = False
    reason: str = ""


@dataclass
class Board:
    ranked: list[Row] = field(default_factory=list)
    not_ranked: list[Row] = field(default_factory=list)
    mine: Row | None = None
    total: int = 0  # how many are ranked in all
    hidden: bool = False  # some names are hidden from this reader


def value_words(contest: Contest, value: float | None, lang: str) -> str:
    if value is None:
        return "—"
    if contest.metric == Contest.JUDGED:
        return f"{value:.1f}"
    if contest.live:  # a count of calls, or points
        return f"{value:,.0f}"
    d = REGISTRY.get(contest.kpi)
    return value_text(value, d.unit if d is not None else "score", lang)


def metric_words(contest: Contest, lang: str) -> str:
    if contest.metric == Contest.JUDGED:
        return _("judged scores")
    if contest.metric == Contest.CALLS:
        return _("calls answered (live)")
    if contest.metric == Contest.POINTS:
        return _("instant reward points (live)")
    return kpi_label(contest.kpi, lang)


def gate_words(g: dict[str, Any], lang: str) -> str:
    d = REGISTRY.get(g["kpi"])
    shown = value_text(float(g["value"]), d.unit if d is not None else "score", lang)
    return f"{kpi_label(g['kpi'], lang)} {OP_WORDS.get(g['op'], g['op'])} {shown}"


def prize_words(p: dict[str, Any], currency: str) -> str:
    parts = []
    if Decimal(p["points"]):
        parts.append(_("%(points)s points") % {"points": f"{Decimal(p['points']):,.0f}"})
    if Decimal(p["amount"]):
        parts.append(money(Decimal(p["amount"]), currency))
    return " + ".join(parts)


def reason_words(r: dict[str, Any], lang: str) -> str:
    if r["code"] == "no_value":
        return _("no value for the period")
    if r["code"] == "sample":
        return _("a sample of %(measured)s, at least %(needed)s needed") % {
            "measured": r["measured"], "needed": int(r["needed"])}  # fmt: skip
    d = REGISTRY.get(r["kpi"])
    unit = d.unit if d is not None else "score"
    measured = r["measured"]
    return _("%(kpi)s is %(measured)s, needs %(op)s %(needed)s") % {
        "kpi": kpi_label(r["kpi"], lang),
        "measured": value_text(measured, unit, lang) if measured is not None else "—",
        "op": OP_WORDS.get(r["op"], r["op"]), "needed": value_text(r["needed"], unit, lang),
    }  # fmt: skip


def _names(contest: Contest, keys: set[str]) -> dict[str, str]:
    if contest.kind == Contest.TEAM:
        ids = [int(k) for k in keys if k.isdigit()]
        return {str(pk): n for pk, n in Team.objects.filter(pk__in=ids).values_list("pk", "name")}
    return dict(Employee.objects.filter(employee_id__in=keys).values_list("employee_id", "name"))


def _known(user: AnyUser, contest: Contest) -> tuple[set[str], str | None]:
    """The contestants whose rows and names ``user`` always sees, and their own key."""
    me = employee_of(user)
    led = led_team_ids(user)
    if contest.kind == Contest.TEAM:
        own = str(me.team_id) if me is not None and me.team_id is not None else None
        return {str(t) for t in led} | ({own} if own else set()), own
    known = set(Employee.objects.filter(team_id__in=led).values_list("employee_id", flat=True))
    own = me.employee_id if me is not None else None
    return known | ({own} if own else set()), own


def leaderboard(user: AnyUser, contest: Contest, lang: str) -> Board:
    """The board ``user`` may see (see the module's docstring)."""
    standings = current_standings(contest)
    hr = is_hr(user)
    known, own = _known(user, contest)
    ranked = [s for s in standings if s["rank"] is not None]
    board = Board(total=len(ranked))
    show = {s["key"] for s in standings if hr or s["key"] in known}
    show |= {s["key"] for s in ranked[: contest.top_n]}
    names = _names(contest, show if (hr or not contest.hide_names) else show & known)
    hidden_word = _("Team #%(n)s") if contest.kind == Contest.TEAM else _("Contestant #%(n)s")
    for i, s in enumerate(standings):
        key = s["key"]
        if key not in show:
            continue
        visible = hr or key in known or not contest.hide_names
        label = names.get(key, key) if visible else hidden_word % {"n": i + 1}
        board.hidden = board.hidden or not visible
        place = "" if s["rank"] is None else f"{s['rank']}{'=' if s['shared'] else ''}"
        sep = "；" if lang.startswith("zh") else "; "
        reason = sep.join(reason_words(r, lang) for r in s["reasons"])
        row = Row(place, label, value_words(contest, s["value"], lang), s["sample"],
                  mine=key == own, reason=reason)  # fmt: skip
        (board.ranked if s["rank"] is not None else board.not_ranked).append(row)
        if row.mine:
            board.mine = row
    return board
