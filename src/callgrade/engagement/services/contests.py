"""Contests (技能竞赛): HR or a lead (for a team they lead) creates one, and HR or its creator
may change it until it starts or cancel it with a reason; judges enter scores for a skill
contest; the standings are computed by the engine's ranking (:mod:`callgrade.engine.live.contests`)
from the stored cycle results, the judged scores, or — live contests — the calls answered and
instant reward points as the live service counts them; and freezing stores the standings with
their inputs and writes the prizes to the awards ledger, once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Avg, Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.cycles.models import Cycle, KpiValue
from callgrade.engagement.models import Award, Contest, ContestScore, LiveTally
from callgrade.engagement.services import EngagementError
from callgrade.engine.kpis import REGISTRY
from callgrade.engine.live.contests import (
    OPS,
    Aggregate,
    Entry,
    Gate,
    Measure,
    Prize,
    Rules,
    Standing,
    prizes_for,
    rank,
    team_entries,
)
from callgrade.people.access import is_hr, led_team_ids
from callgrade.people.models import Employee, Team

MAX_GATES = 5
MAX_PRIZES = 20


@dataclass(frozen=True)
class ContestSpec:
    """What a contest is, as the creation form gives it (checked by :func:`contest_create`)."""

    title: str
    starts_on: dt.date
    ends_on: dt.date
    kind: str = Contest.INDIVIDUAL
    metric: str = Contest.KPI
    kpi: str = ""
    cycle: Cycle | None = None
    period: str = ""
    team: Team | None = None
    gates: tuple[tuple[str, str, str], ...] = ()  # (kpi, op, value) as typed
    min_sample: int = 0
    prizes: tuple[tuple[int, str, str], ...] = ()  # (rank, points, amount) as typed
    top_n: int = 10
    hide_names: bool = False
    description: str = ""


def _number(text: str, what: str) -> Decimal:
    try:
        d = Decimal(text.strip() or "0")
    except InvalidOperation:
        raise EngagementError(
            _("%(what)s is a number, e.g. 85 or 100.50.") % {"what": what}
        ) from None
    if not d.is_finite() or d < 0 or d > Decimal("1e9"):
        raise EngagementError(_("%(what)s is a number from 0 up.") % {"what": what})
    return d


def _checked_gates(spec: ContestSpec) -> list[dict[str, Any]]:
    out = []
    for kpi, op, value in spec.gates[:MAX_GATES]:
        if not kpi:
            continue
        if kpi not in REGISTRY:
            raise EngagementError(_("A quality gate names a KPI that does not exist."))
        if op not in OPS:
            raise EngagementError(_("A quality gate compares with ≥, >, ≤ or <."))
        out.append({"kpi": kpi, "op": op, "value": float(_number(value, _("A gate's value")))})
    return out


def _checked_prizes(spec: ContestSpec) -> list[dict[str, Any]]:
    out = []
    for rank_, points, amount in spec.prizes[:MAX_PRIZES]:
        p, a = _number(points, _("Prize points")), _number(amount, _("A cash prize"))
        if p or a:
            out.append({"rank": rank_, "points": str(p), "amount": str(a)})
    return out


def _check_scope(actor: Any, spec: ContestSpec) -> None:
    if is_hr(actor):
        if spec.kind == Contest.TEAM and spec.team is not None:
            raise EngagementError(_("A team contest ranks the center's teams: leave the team out."))
        return
    if spec.team is None or spec.team.pk not in led_team_ids(actor):
        raise EngagementError(_("Leads create contests for the teams they lead."))
    if spec.kind == Contest.TEAM:
        raise EngagementError(_("Only HR creates contests between teams."))


def _check_source(spec: ContestSpec, gates: list[dict[str, Any]]) -> None:
    if spec.metric == Contest.KPI and spec.kpi not in REGISTRY:
        raise EngagementError(_("Choose the KPI the contest ranks by."))
    if spec.metric not in (Contest.KPI, Contest.JUDGED, *Contest.LIVE):
        raise EngagementError(_("Choose the KPI the contest ranks by."))
    needs_results = spec.metric == Contest.KPI or bool(gates)
    if needs_results:
        if spec.cycle is None or not spec.period:
            raise EngagementError(
                _("Choose the cycle and period whose results the KPIs come from.")
            )
        if not KpiValue.objects.filter(cycle=spec.cycle, period=spec.period).exists():
            raise EngagementError(_("The chosen cycle has no results for that period yet."))


def _fields(actor: Any, spec: ContestSpec) -> dict[str, Any]:
    """The contest's fields from ``spec``, checked; refuses (with the reason) anything the
    rules do not allow."""
    title = spec.title.strip()
    if not title:
        raise EngagementError(_("A contest needs a title."))
    if spec.ends_on < spec.starts_on:
        raise EngagementError(_("A contest ends after it starts."))
    if spec.kind not in (Contest.INDIVIDUAL, Contest.TEAM):
        raise EngagementError(_("A contest is between people or between teams."))
    if spec.top_n < 1 or spec.top_n > 300:
        raise EngagementError(_("Everyone sees from 1 to 300 top places."))
    _check_scope(actor, spec)
    gates, prizes = _checked_gates(spec), _checked_prizes(spec)
    _check_source(spec, gates)
    # a judged or live contest reads cycle results only for its gates
    results = spec.metric == Contest.KPI or bool(gates)
    return {
        "title": title[:200], "description": spec.description.strip(), "kind": spec.kind,
        "metric": spec.metric, "kpi": spec.kpi if spec.metric == Contest.KPI else "",
        "cycle": spec.cycle if results else None, "period": spec.period if results else "",
        "starts_on": spec.starts_on, "ends_on": spec.ends_on, "team": spec.team,
        "gates": gates, "min_sample": spec.min_sample, "prizes": prizes, "top_n": spec.top_n,
        "hide_names": spec.hide_names,
    }  # fmt: skip


def _audited(c: Contest) -> dict[str, Any]:
    return {
        "title": c.title, "description": c.description, "kind": c.kind, "metric": c.metric,
        "kpi": c.kpi, "team": c.team_id, "cycle": c.cycle_id, "period": c.period,
        "starts_on": c.starts_on.isoformat(), "ends_on": c.ends_on.isoformat(),
        "gates": c.gates, "min_sample": c.min_sample, "prizes": c.prizes, "top_n": c.top_n,
        "hide_names": c.hide_names,
    }  # fmt: skip


def contest_create(*, actor: Any, spec: ContestSpec) -> Contest:
    """A new open contest; refuses (with the reason) anything the rules do not allow."""
    fields = _fields(actor, spec)
    with transaction.atomic():
        c = Contest.objects.create(**fields, created_by=actor)
        audit(actor, "contest_create", c, after=_audited(c))
    return c


def may_change(actor: Any, contest: Contest) -> bool:
    """Whether ``actor`` may edit or cancel ``contest``: HR, or whoever created it (while they
    still lead its team)."""
    if is_hr(actor):
        return True
    return contest.created_by_id == actor.pk and contest.team_id in led_team_ids(actor)


def editable(contest: Contest, today: dt.date | None = None) -> bool:
    """An open contest can be edited until the day it starts (nobody has competed yet)."""
    today = today or timezone.localdate()
    return contest.state == Contest.OPEN and today < contest.starts_on


def contest_edit(*, actor: Any, contest: Contest, spec: ContestSpec) -> Contest:
    """Change a contest that has not started; audited with what it was and what it is."""
    if not may_change(actor, contest):
        raise EngagementError(_("Only HR or the contest's creator changes it."))
    fields = _fields(actor, spec)
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if not editable(locked):
            raise EngagementError(_("A contest can be changed only before the day it starts."))
        if fields["starts_on"] <= timezone.localdate():
            raise EngagementError(_("A changed contest starts after today."))
        before = _audited(locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.changed_at = timezone.now()
        locked.save()
        after = _audited(locked)
        changed = {k: v for k, v in after.items() if before[k] != v}
        audit(actor, "contest_edit", locked, before={k: before[k] for k in changed}, after=changed)
    return locked


def contest_cancel(*, actor: Any, contest: Contest, reason: str) -> None:
    """Cancel an open contest with a reason (told to its contestants on its page); no prize is
    written. A frozen contest keeps its results."""
    if not may_change(actor, contest):
        raise EngagementError(_("Only HR or the contest's creator changes it."))
    reason = reason.strip()
    if not reason:
        raise EngagementError(_("Say why the contest is cancelled."))
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.state != Contest.OPEN:
            raise EngagementError(_("Only an open contest can be cancelled."))
        locked.state, locked.cancel_reason = Contest.CANCELLED, reason[:2000]
        locked.cancelled_at, locked.cancelled_by = timezone.now(), actor
        locked.save(update_fields=["state", "cancel_reason", "cancelled_at", "cancelled_by"])
        audit(actor, "contest_cancel", locked, before={"state": Contest.OPEN},
              after={"state": Contest.CANCELLED, "reason": locked.cancel_reason})  # fmt: skip
    contest.refresh_from_db()


def contestants(contest: Contest) -> Any:
    """The people who compete: the team's (or the center's) employees who have not left."""
    qs = Employee.objects.exclude(status="left")
    if contest.team_id is not None:
        qs = qs.filter(team_id=contest.team_id)
    return qs.order_by("employee_id")


def check_scorable(contest: Contest) -> None:
    """Refuse judged scores for a KPI contest or a frozen or cancelled one."""
    if contest.metric != Contest.JUDGED:
        raise EngagementError(_("This contest ranks by a KPI; it takes no judged scores."))
    if contest.frozen:
        raise EngagementError(_("The contest is frozen; its results do not change."))
    if contest.cancelled:
        raise EngagementError(_("The contest is cancelled."))


def contest_score(*, actor: Any, contest: Contest, employee: Employee, score: str) -> None:
    """A judge's score of one contestant (a later score by the same judge replaces theirs)."""
    check_scorable(contest)
    if not contestants(contest).filter(pk=employee.pk).exists():
        raise EngagementError(_("This person does not compete in the contest."))
    value = _number(score, _("A score"))
    if value > 100:
        raise EngagementError(_("A score is from 0 to 100."))
    with transaction.atomic():
        _s, created = ContestScore.objects.update_or_create(
            contest=contest, employee=employee, judge=actor, defaults={"score": value}
        )
        audit(actor, "contest_score", contest, after={
            "employee": employee.employee_id, "score": str(value), "new": created,
        })  # fmt: skip


# --- the standings ----------------------------------------------------------------------------


def _kpi_measures(contest: Contest, kpis: list[str], people: dict[int, str]) -> dict[str, dict]:
    out: dict[str, dict[str, Measure]] = {}
    rows = KpiValue.objects.filter(cycle_id=contest.cycle_id, period=contest.period, kpi__in=kpis,
                                   employee_id__in=list(people))  # fmt: skip
    for kv in rows:
        out.setdefault(people[kv.employee_id], {})[kv.kpi] = Measure(
            kv.value, kv.sample_size, kv.numerator, kv.denominator
        )
    return out


def _judged(contest: Contest, people: dict[int, str]) -> dict[str, Measure]:
    rows = (
        ContestScore.objects.filter(contest=contest, employee_id__in=list(people))
        .values("employee_id")
        .annotate(mean=Avg("score"), n=Count("id"))
    )
    return {people[r["employee_id"]]: Measure(float(r["mean"]), r["n"]) for r in rows}


def _live(contest: Contest, people: dict[int, str]) -> dict[str, Measure]:
    """Live contests: each contestant's calls answered (from the live tally) or instant reward
    points (from the awards ledger) over the contest's days; the sample is the calls counted or
    the awards."""
    ids = list(people.values())
    days = {"day__gte": contest.starts_on, "day__lte": contest.ends_on}
    if contest.metric == Contest.CALLS:
        rows = (
            LiveTally.objects.filter(employee_id__in=ids, **days)
            .values("employee_id")
            .annotate(total=Sum("calls"))
        )
        return {r["employee_id"]: Measure(float(r["total"]), int(r["total"])) for r in rows}
    rows = (
        Award.objects.filter(kind=Award.INSTANT, employee_id__in=list(people), **days)
        .values("employee_id")
        .annotate(total=Sum("points"), n=Count("id"))
    )
    return {people[r["employee_id"]]: Measure(float(r["total"]), r["n"]) for r in rows}


def as_of(contest: Contest) -> dict[str, Any]:
    """When the board's inputs were last brought up to date: the live counts' latest change
    (live contests) and the computation of the cycle results the KPIs and gates come from."""
    out: dict[str, Any] = {"live": None, "computed": None}
    if contest.live:
        days = {"day__gte": contest.starts_on, "day__lte": contest.ends_on}
        if contest.metric == Contest.CALLS:
            out["live"] = LiveTally.objects.filter(**days).aggregate(t=Max("updated_at"))["t"]
        else:
            latest = Award.objects.filter(kind=Award.INSTANT, **days)
            out["live"] = latest.aggregate(t=Max("granted_at"))["t"]
    if contest.cycle_id is not None:
        out["computed"] = (
            Cycle.objects.filter(pk=contest.cycle_id).values_list("computed_at", flat=True).first()
        )
    return out


def _how(kpi: str) -> Aggregate:
    d = REGISTRY.get(kpi)
    return "sum" if d is not None and d.kind == "total" else "pooled"


def compute_standings(contest: Contest) -> list[Standing]:
    """The contest's standings now, from the stored results (or judged scores)."""
    people = dict(contestants(contest).values_list("pk", "employee_id"))
    gate_kpis = [g["kpi"] for g in contest.gates]
    kpis = ([contest.kpi] if contest.metric == Contest.KPI else []) + gate_kpis
    measured = _kpi_measures(contest, kpis, people) if contest.cycle_id else {}
    judged = _judged(contest, people) if contest.metric == Contest.JUDGED else {}
    if contest.live:  # nobody counted yet has answered no call and earned no points
        judged = {e: Measure(0.0, 0) for e in people.values()} | _live(contest, people)
    entries = []
    for emp_id in people.values():
        mine = measured.get(emp_id, {})
        metric = mine.get(contest.kpi) if contest.metric == Contest.KPI else judged.get(emp_id)
        gates = {k: mine[k] for k in gate_kpis if k in mine}
        entries.append(Entry(emp_id, metric or Measure(None, 0), gates))
    if contest.kind == Contest.TEAM:
        team_of = {
            e: str(t) for e, t in contestants(contest).filter(team__isnull=False)
            .values_list("employee_id", "team_id")
        }  # fmt: skip
        how: Aggregate = (
            "mean" if contest.metric == Contest.JUDGED
            else "sum" if contest.live else _how(contest.kpi)
        )  # fmt: skip
        entries = team_entries(entries, team_of, how, {k: _how(k) for k in gate_kpis})
    direction = (
        REGISTRY[contest.kpi].direction if contest.metric == Contest.KPI else "higher_better"
    )
    rules = tuple(Gate(g["kpi"], g["op"], float(g["value"])) for g in contest.gates)
    return rank(entries, Rules(direction, rules, contest.min_sample))


def standings_json(standings: list[Standing]) -> list[dict[str, Any]]:
    return [asdict(s) for s in standings]


def current_standings(contest: Contest) -> list[dict[str, Any]]:
    """The frozen standings of a frozen contest; an open one's computed now."""
    if contest.frozen:
        return list(contest.standings)
    return standings_json(compute_standings(contest))


def _prize_table(contest: Contest) -> list[Prize]:
    return [Prize(int(p["rank"]), Decimal(p["points"]), Decimal(p["amount"]))
            for p in contest.prizes]  # fmt: skip


def contest_freeze(*, actor: Any, contest: Contest) -> int:
    """Freeze the results and write the prizes to the awards ledger; the number of awards
    written. A frozen contest is refused, so the prizes are written once; each award's key is
    the contest and the person, so even a second writer could not pay twice."""
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.frozen:
            raise EngagementError(_("The contest is frozen already; its prizes were written."))
        if locked.cancelled:
            raise EngagementError(_("The contest is cancelled."))
        standings = compute_standings(locked)
        now = timezone.now()
        locked.standings = standings_json(standings)
        locked.state, locked.frozen_at, locked.frozen_by = Contest.FROZEN, now, actor
        locked.save(update_fields=["standings", "state", "frozen_at", "frozen_by"])
        by_key = {s.key: s for s in standings}
        written = 0
        for key, prize in prizes_for(standings, _prize_table(locked)):
            winners = by_key[key].members if locked.kind == Contest.TEAM else (key,)
            for emp in Employee.objects.filter(employee_id__in=winners).order_by("employee_id"):
                _award, created = Award.objects.get_or_create(
                    key=f"contest:{locked.pk}:{emp.employee_id}",
                    defaults=_award_fields(locked, emp, by_key[key], prize, now),
                )
                written += created
                if created:  # told once, with the prize, only the winner
                    _tell_winner(locked, emp, by_key[key])
        audit(actor, "contest_freeze", locked, after={
            "ranked": sum(1 for s in standings if s.rank is not None),
            "not_ranked": sum(1 for s in standings if s.rank is None), "awards": written,
        })  # fmt: skip
    contest.refresh_from_db()
    return written


def _award_fields(
    contest: Contest, emp: Employee, standing: Standing, prize: Prize, now: dt.datetime
) -> dict[str, Any]:
    return {
        "kind": Award.CONTEST, "employee": emp, "contest": contest, "rule": f"contest_{contest.pk}",
        "label_en": f"{contest.title}: rank {standing.rank}"[:200],
        "label_zh": f"{contest.title}：第 {standing.rank} 名"[:200],
        "points": prize.points, "amount": prize.amount, "day": contest.ends_on, "at": now,
        "evidence": {"contest": contest.pk, "rank": standing.rank, "value": standing.value,
                     "sample": standing.sample, "shared": standing.shared, "kpi": contest.kpi,
                     "metric": contest.metric, "period": contest.period,
                     "team": standing.key if contest.kind == Contest.TEAM else None},
    }  # fmt: skip


def _tell_winner(contest: Contest, emp: Employee, standing: Standing) -> None:
    if emp.user_id is None:
        return
    notify(
        emp.user,
        en=f"You placed {standing.rank} in the contest {contest.title}; "
        "the prize is in your awards.",
        zh=f"你在竞赛“{contest.title}”中获得第 {standing.rank} 名，奖品已计入你的奖励。",
        url="/me/awards/",
    )
