"""Reads for the team lead and HR pages: the team table with its filters, sort and charts, the
review of one employee, the nominations lists and the departures report — all assembled from
stored engine results (never recomputed here). Which rows a user may see is decided by
:mod:`callgrade.people.access`; these functions only shape what they are given."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from callgrade.core.models import AuditEvent
from callgrade.cycles.models import Cycle, Decision, ScoreItem, ScoreTotal
from callgrade.cycles.services.cycles import population_queryset
from callgrade.cycles.workflow import states_allowing
from callgrade.people.access import AnyUser, allowed, is_hr
from callgrade.people.models import Conflict, Employee
from callgrade.review.models import Appeal, Comment, Nomination
from callgrade.review.services.appeals import appeal_figures

NO_VALUE = "—"


def team_cycles(user: AnyUser) -> list[Cycle]:
    """Computed cycles whose team results ``user`` may see, newest first (leads see a cycle from
    "computed" on, everyone a published one; HR every cycle)."""
    qs = Cycle.objects.filter(state__in=states_allowing("lead_view")).exclude(computed_at=None)
    qs = qs.select_related("policy_version").order_by("-created_at", "-id")
    return [c for c in qs if allowed(user, "cycle", c, "view")]


def cycle_periods(cycle: Cycle) -> list[str]:
    return sorted(
        set(ScoreTotal.objects.filter(cycle=cycle).values_list("period", flat=True).distinct())
    )


@dataclass(frozen=True)
class TeamFilters:
    team: str = ""
    position: str = ""
    rating: str = ""
    action: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, params: Any) -> TeamFilters:
        return cls(
            team=params.get("team", "").strip(),
            position=params.get("position", "").strip(),
            rating=params.get("rating", "").strip(),
            action=params.get("action", "").strip(),
            q=params.get("q", "").strip(),
        )


@dataclass
class Row:
    employee_id: str
    name: str
    team: str
    team_id: int | None
    position: str
    level: str
    total: float | None = None
    rating: str = ""
    calibrated: bool = False
    rank: int | None = None
    group_size: int | None = None
    action: str = ""  # the engine's proposal
    level_to: str = ""
    final_action: str = ""  # after review, when set
    final_level: str = ""
    nomination: str = ""  # the latest nomination's state in this cycle
    nomination_level: str = ""

    @property
    def proposed_level(self) -> str:
        """The level this cycle leads to: the final decision when set, else the proposal."""
        return self.final_level or self.level_to


def team_rows(employees: QuerySet[Employee], cycle: Cycle, period: str | None) -> list[Row]:
    """One row per employee the cycle grades: level, this period's total, rating and rank, the
    engine's proposal and the nomination state."""
    graded = population_queryset(cycle).values("pk")  # a subquery, not 10,000 ids in the SQL
    emps = list(employees.filter(pk__in=graded).select_related("team").order_by("employee_id"))
    ids = [e.pk for e in emps]
    totals = {
        t.employee_id: t
        for t in ScoreTotal.objects.filter(cycle=cycle, period=period, employee_id__in=ids)
    }
    decisions = {
        d.employee_id: d for d in Decision.objects.filter(cycle=cycle, employee_id__in=ids)
    }
    nominations: dict[int, Nomination] = {}
    for n in Nomination.objects.filter(cycle=cycle, employee_id__in=ids).order_by(
        "nominated_at", "id"
    ):
        nominations[n.employee_id] = n  # the latest wins
    rows = []
    for e in emps:
        row = Row(
            employee_id=e.employee_id,
            name=e.name,
            team=e.team.name if e.team else "",
            team_id=e.team_id,
            position=e.position,
            level=e.level,
        )
        t = totals.get(e.pk)
        if t is not None:
            row.total, row.rating, row.rank = t.total, t.final_rating, t.rank
            row.calibrated, row.group_size = bool(t.calibrated_rating), t.group_size
        d = decisions.get(e.pk)
        if d is not None:
            row.action, row.level_to = d.action, d.level_to
            row.final_action, row.final_level = d.final_action, d.final_level
        n = nominations.get(e.pk)
        if n is not None:
            row.nomination, row.nomination_level = n.state, n.level_to
        rows.append(row)
    return rows


def filter_rows(rows: Iterable[Row], f: TeamFilters) -> list[Row]:
    out = []
    q = f.q.casefold()
    for r in rows:
        if f.team and str(r.team_id) != f.team:
            continue
        if f.position and r.position != f.position:
            continue
        if f.rating and (r.rating or NO_VALUE) != f.rating:
            continue
        if f.action and (r.final_action or r.action or NO_VALUE) != f.action:
            continue
        if q and q not in r.name.casefold() and q not in r.employee_id.casefold():
            continue
        out.append(r)
    return out


SORTS: dict[str, Any] = {
    "id": lambda r: r.employee_id,
    "name": lambda r: r.name,
    "team": lambda r: r.team,
    "position": lambda r: r.position,
    "level": lambda r: r.level,
    "total": lambda r: r.total,
    "rating": lambda r: r.rating or None,
    "rank": lambda r: r.rank,
    "action": lambda r: r.final_action or r.action or None,
    "nomination": lambda r: r.nomination or None,
}


def sort_rows(rows: list[Row], key: str, descending: bool) -> list[Row]:
    """Sorted by ``key`` (employee id when unknown); rows without a value always come last."""
    get = SORTS.get(key, SORTS["id"])
    present = [r for r in rows if get(r) is not None]
    missing = [r for r in rows if get(r) is None]
    present.sort(key=lambda r: (get(r), r.employee_id), reverse=descending)
    return present + missing


def rating_codes(cycle: Cycle) -> list[str]:
    """The standard's rating grades, best first."""
    return [g.code for g in cycle.policy_version.policy().ratings.grades]


def level_codes(cycle: Cycle) -> list[str]:
    """Every ladder level of the standard, ladder by ladder from the lowest rank."""
    codes: list[str] = []
    for ladder in cycle.policy_version.policy().ladders:
        codes += [lv.code for lv in ladder.ordered() if lv.code not in codes]
    return codes


def charts(
    rows: list[Row], cycle: Cycle, level_names: dict[str, str] | None = None
) -> dict[str, Any]:
    """Rating distribution and level distribution (current level and the level this cycle leads
    to) of the given rows; every row is counted once in each series. ``level_names`` gives the
    axis its display names (codes otherwise)."""
    ratings = Counter(r.rating or NO_VALUE for r in rows)
    rating_labels = [g for g in rating_codes(cycle) if g in ratings]
    rating_labels += sorted(k for k in ratings if k not in rating_labels)
    current = Counter(r.level or NO_VALUE for r in rows)
    proposed = Counter(r.proposed_level or NO_VALUE for r in rows)
    known = level_codes(cycle)
    seen = set(current) | set(proposed)
    level_labels = [k for k in known if k in seen] + sorted(k for k in seen if k not in known)
    return {
        "count": len(rows),
        "rating": {"labels": rating_labels, "counts": [ratings[k] for k in rating_labels]},
        "level": {
            "labels": level_labels,
            "names": [(level_names or {}).get(k, k) for k in level_labels],
            "current": [current[k] for k in level_labels],
            "proposed": [proposed[k] for k in level_labels],
        },
    }


def filter_options(rows: list[Row]) -> dict[str, list[Any]]:
    """The values the filters offer, taken from the rows the user may see."""
    teams = sorted({(r.team_id, r.team) for r in rows if r.team_id is not None}, key=lambda t: t[1])
    return {
        "teams": teams,
        "positions": sorted({r.position for r in rows if r.position}),
        "ratings": sorted({r.rating or NO_VALUE for r in rows}),
        "actions": sorted({r.final_action or r.action or NO_VALUE for r in rows}),
    }


# --- one employee's review ----------------------------------------------------------------------


def review(cycle: Cycle, employee: Employee) -> dict[str, Any]:
    totals = list(ScoreTotal.objects.filter(cycle=cycle, employee=employee).order_by("period"))
    return {
        "decision": Decision.objects.filter(cycle=cycle, employee=employee).first(),
        "total": totals[-1] if totals else None,
        "comments": list(
            Comment.objects.filter(cycle=cycle, employee=employee).select_related("author")
        ),
        "nominations": list(
            Nomination.objects.filter(cycle=cycle, employee=employee).select_related(
                "nominated_by", "decided_by"
            )
        ),
    }


# --- nominations and the departures report -------------------------------------------------------


def with_proposals(nominations: QuerySet[Nomination]) -> list[Nomination]:
    """Nominations with the engine's proposal for the same cycle and employee attached as
    ``proposal`` (a Decision or None) and ``departs``."""
    items = list(
        nominations.select_related("cycle", "employee", "nominated_by", "decided_by").order_by(
            "-nominated_at", "-id"
        )
    )
    keys = {(n.cycle_id, n.employee_id) for n in items}
    decisions = {
        (d.cycle_id, d.employee_id): d
        for d in Decision.objects.filter(
            cycle_id__in={k[0] for k in keys}, employee_id__in={k[1] for k in keys}
        )
    }
    for n in items:
        d = decisions.get((n.cycle_id, n.employee_id))
        n.proposal = d
        n.departs = d is not None and n.level_to != d.level_to
    return items


def departures(cycle: Cycle | None = None) -> list[dict[str, Any]]:
    """Final decisions that depart from the engine's proposal, with the written reason, who
    decided and when: through an approved nomination or set directly by HR."""
    qs = Decision.objects.exclude(final_level="").select_related("cycle", "employee")
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    out = []
    for d in qs.order_by("cycle_id", "employee__employee_id"):
        if d.final_level == d.level_to:
            continue
        nomination = (
            Nomination.objects.filter(cycle=d.cycle, employee=d.employee, state=Nomination.APPROVED)
            .select_related("nominated_by", "decided_by")
            .order_by("-decided_at", "-id")
            .first()
        )
        event = (
            AuditEvent.objects.filter(object_type="decision", object_id=str(d.pk))
            .select_related("actor")
            .first()
        )
        if nomination is not None and nomination.level_to == d.final_level:
            by, at = nomination.decided_by, nomination.decided_at
        else:
            nomination = None
            by, at = (event.actor, event.at) if event else (None, None)
        out.append(
            {
                "decision": d,
                "nomination": nomination,
                "by": by,
                "at": at,
                "reason": d.final_reason,
            }
        )
    return out


def declarations(user: AnyUser) -> list[AuditEvent]:
    """What ``user`` declared on the conflicts page, newest first, from the audit trail (which
    keeps ids that matched nobody too, so the list never tells whether an id exists)."""
    return list(AuditEvent.objects.filter(actor_id=user.pk, action="conflict_declare"))


def all_conflicts_for(user: AnyUser) -> Any:
    """Every declared conflict, for HR (who needs to know who may not decide which case)."""
    if not is_hr(user):
        return Conflict.objects.none()
    return Conflict.objects.select_related("user", "employee").order_by("employee__employee_id")


# --- appeals --------------------------------------------------------------------------------------


def appeal_kpis(employee: Employee, cycle: Cycle, period: str) -> list[tuple[str, str]]:
    """(code, label) of the indicators an employee may dispute for ``period``: those scored."""
    from callgrade.standards.text import kpi_label

    codes = (
        ScoreItem.objects.filter(cycle=cycle, employee=employee, period=period, detail__input="kpi")
        .values_list("item", flat=True)
        .distinct()
    )
    lang = get_language() or "zh-hans"
    return sorted(((c, kpi_label(c, lang)) for c in set(codes)), key=lambda x: x[1])


def appeal_outcome(appeal: Appeal) -> dict[str, Any] | None:
    """Before → after of an appeal upheld with a correction: the figures kept when it was
    upheld and the same figures as stored now."""
    if not appeal.recomputed or appeal.before is None:
        return None
    return {"before": appeal.before, "after": appeal_figures(appeal)}


def appeal_windows(employee: Employee) -> list[Cycle]:
    """Published cycles of the employee's whose appeal window is open, with its deadline."""
    return [
        c
        for c in Cycle.objects.filter(state__in=states_allowing("appeal")).order_by("-created_at")
        if c.appeal_deadline is None or c.appeal_deadline >= timezone.localdate()
        if ScoreTotal.objects.filter(cycle=c, employee=employee).exists()
    ]


def appeals_open() -> list[Appeal]:
    """HR's inbox: every open appeal, the oldest first, with its cycle's deadline."""
    return list(
        Appeal.objects.filter(state=Appeal.OPEN)
        .select_related("cycle", "employee", "employee__team")
        .order_by("filed_at", "id")
    )
