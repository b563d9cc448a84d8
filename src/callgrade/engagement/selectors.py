"""Reads for the engagement pages.

The author of a suggestion is read here in two places only: :func:`authors_for`, which answers
the designated reviewer alone, and :func:`my_suggestions`, the author's own list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from callgrade.core.models import AuditEvent
from callgrade.engagement.access import (
    is_suggestion_reviewer,
    may_join,
    visible_activities,
    visible_awards,
)
from callgrade.engagement.models import (
    Activity,
    Award,
    SignUp,
    Suggestion,
    SuggestionAuthor,
    Support,
)
from callgrade.people.access import AnyUser, employee_of
from callgrade.people.models import Employee
from callgrade.standards.text import text

OPEN_STATES = (Suggestion.RECEIVED, Suggestion.UNDER_REVIEW)


def suggestions(*, status: str = "", category: str = "") -> QuerySet[Suggestion]:
    """Suggestions with their number of supports, newest first; filtered when asked."""
    qs = Suggestion.objects.select_related("submitter").annotate(support_count=Count("supports"))
    if status in dict(Suggestion.STATES):
        qs = qs.filter(status=status)
    if category in dict(Suggestion.CATEGORIES):
        qs = qs.filter(category=category)
    return qs


def inbox() -> QuerySet[Suggestion]:
    """HR's inbox: the open suggestions first (oldest first), then the settled ones."""
    open_first = Case(When(status__in=OPEN_STATES, then=Value(0)), default=Value(1))
    return suggestions().annotate(settled=open_first).order_by("settled", "submitted_at", "id")


def open_count() -> int:
    return Suggestion.objects.filter(status__in=OPEN_STATES).count()


def authors_for(user: AnyUser, items: list[Suggestion]) -> dict[int, Employee]:
    """Who wrote each of ``items`` — for the designated reviewer only; everyone else gets
    nothing, whatever they ask."""
    if not is_suggestion_reviewer(user):
        return {}
    rows = SuggestionAuthor.objects.filter(suggestion__in=[s.pk for s in items])
    return {a.suggestion_id: a.employee for a in rows.select_related("employee")}


def my_suggestion_ids(user: AnyUser) -> set[int]:
    """The suggestions ``user`` wrote (for their own pages: not to support their own)."""
    if not user.is_authenticated:
        return set()
    return set(
        SuggestionAuthor.objects.filter(user_id=user.pk).values_list("suggestion_id", flat=True)
    )


def my_suggestions(user: AnyUser) -> QuerySet[Suggestion]:
    return suggestions().filter(pk__in=my_suggestion_ids(user))


def supported_ids(user: AnyUser) -> set[int]:
    me = employee_of(user)
    if me is None:
        return set()
    return set(Support.objects.filter(employee=me).values_list("suggestion_id", flat=True))


@dataclass(frozen=True)
class Step:
    at: Any
    action: str
    actor: str
    before: Any
    after: Any
    reason: str


def suggestion_history(suggestion: Suggestion) -> list[Step]:
    """The suggestion's audited changes, oldest first, supports left out (they are counted);
    the submission of an anonymous one has no actor to show."""
    events = (
        AuditEvent.objects.filter(object_type="suggestion", object_id=str(suggestion.pk))
        .exclude(action="suggestion_support")
        .select_related("actor")
        .order_by("at", "id")
    )
    return [
        Step(
            at=e.at,
            action=e.action,
            actor=e.actor.get_username() if e.actor and e.action != "suggestion_submit" else "",
            before=e.before,
            after=e.after,
            reason=e.reason,
        )
        for e in events
    ]


# --- activities -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityRow:
    activity: Activity
    taken: int
    took_part: int
    mine: SignUp | None
    can_join: bool
    full: bool
    started: bool


def activity_rows(user: AnyUser, qs: Any, limit: int | None = None) -> list[ActivityRow]:
    me = employee_of(user)
    annotated = qs.select_related("team", "organizer").annotate(
        taken=Count("signups", filter=Q(signups__cancelled_at__isnull=True)),
        took_part=Count("signups", filter=Q(signups__attended=True)),
    )
    items = list(annotated[:limit] if limit else annotated)
    mine = {
        s.activity_id: s
        for s in SignUp.objects.filter(activity__in=items, employee=me, cancelled_at__isnull=True)
    } if me is not None else {}  # fmt: skip
    now = timezone.now()
    return [
        ActivityRow(
            activity=a,
            taken=a.taken,
            took_part=a.took_part,
            mine=mine.get(a.pk),
            can_join=may_join(user, a),
            full=a.capacity is not None and a.taken >= a.capacity,
            started=a.starts_at <= now,
        )
        for a in items
    ]


def calendar(user: AnyUser) -> tuple[list[ActivityRow], list[ActivityRow]]:
    """(upcoming, past) activities ``user`` may see; the upcoming soonest first, the past
    latest first."""
    now = timezone.now()
    visible = visible_activities(user).distinct()
    upcoming = activity_rows(user, visible.filter(ends_at__gte=now).order_by("starts_at", "id"))
    past = activity_rows(user, visible.filter(ends_at__lt=now).order_by("-starts_at", "-id"), 50)
    return upcoming, past


def signups_of(activity: Activity) -> list[SignUp]:
    return list(
        SignUp.objects.filter(activity=activity, cancelled_at__isnull=True)
        .select_related("employee")
        .order_by("signed_at", "id")
    )


# --- awards -----------------------------------------------------------------------------------


def awards_for(user: AnyUser) -> QuerySet[Award]:
    """The awards ``user`` may see (their own; a lead's team's; HR all), newest first."""
    return visible_awards(user).select_related("employee", "employee__team")


def award_months(qs: QuerySet[Award]) -> list[str]:
    """The months (``YYYY-MM``) that have awards, newest first."""
    return sorted({d.strftime("%Y-%m") for d in qs.values_list("day", flat=True)}, reverse=True)


def in_month(qs: QuerySet[Award], month: str) -> QuerySet[Award]:
    year, mon = (int(x) for x in month.split("-"))
    return qs.filter(day__year=year, day__month=mon)


def award_totals(qs: QuerySet[Award]) -> dict[str, Any]:
    got = qs.aggregate(points=Sum("points"), amount=Sum("amount"), n=Count("id"))
    zero = Decimal(0)
    return {"points": got["points"] or zero, "amount": got["amount"] or zero, "count": got["n"]}


@dataclass
class RuleCost:
    code: str
    label: str
    count: int
    points: Decimal
    amount: Decimal
    budget: float | None

    @property
    def share(self) -> float | None:
        """The part of the month's budget spent, 0..1."""
        if not self.budget:
            return None
        return min(1.0, float(self.amount) / self.budget)

    @property
    def used(self) -> str:
        return "—" if self.share is None else f"{self.share:.0%}"


def costs(qs: QuerySet[Award], rules: list[Any], lang: str) -> list[RuleCost]:
    """Per rule of the standard (then any other rule awarded): awards, points and money in the
    month against the rule's monthly budget."""
    spent = {
        r["rule"]: r
        for r in qs.values("rule").annotate(n=Count("id"), p=Sum("points"), a=Sum("amount"))
    }
    out = []
    for r in rules:
        s = spent.pop(r.code, {})
        out.append(RuleCost(r.code, text(r.label, lang), s.get("n", 0), s.get("p") or Decimal(0),
                            s.get("a") or Decimal(0), r.budget_per_month))  # fmt: skip
    for code, s in sorted(spent.items()):
        first = qs.filter(rule=code).select_related("contest").first()
        # a contest's prizes are one line under the contest's title, not the first winner's place
        label = (
            first.contest.title if first and first.contest else first.label(lang) if first else code
        )
        out.append(RuleCost(code, label, s["n"],
                            s["p"] or Decimal(0), s["a"] or Decimal(0), None))  # fmt: skip
    return out


def _pay_kind(a: Award) -> tuple[str, str]:
    """The pay line an award adds to: (kind, code)."""
    if a.kind == Award.SUGGESTION:
        return "suggestion_award", f"suggestion_{a.suggestion_id}"
    if a.kind == Award.CONTEST:
        return "contest_prize", f"contest_{a.contest_id}"
    return "instant_reward", a.rule


def award_pay_lines(
    periods: list[tuple[str, dt.date, dt.date]], employees: dict[str, int]
) -> Iterator[dict[str, Any]]:
    """The pay-statement lines of the cash awards earned in each rating period: one per employee,
    period and rule (instant rewards) or suggestion, with the awards it sums (``detail``)."""
    if not periods:
        return
    pks = set(employees.values())
    qs = (
        Award.objects.filter(amount__gt=0, day__gte=periods[0][1], day__lte=periods[-1][2])
        .select_related("employee")
        .order_by("day", "id")
    )
    groups: dict[tuple[str, int, str, str], list[Award]] = {}
    for a in qs:
        if a.employee_id not in pks:
            continue
        label = next((p for p, first, last in periods if first <= a.day <= last), None)
        if label is None:
            continue
        kind, code = _pay_kind(a)
        groups.setdefault((label, a.employee_id, kind, code), []).append(a)
    for (period, emp, kind, code), awards in groups.items():
        total = sum((a.amount for a in awards), start=Decimal(0))
        first = awards[0]
        detail = {"kind": kind, "code": code, "count": len(awards), "amount": float(total),
                  "label_en": first.label_en, "label_zh": first.label_zh,
                  "awards": [a.key for a in awards],
                  "days": sorted({a.day.isoformat() for a in awards})}  # fmt: skip
        yield {
            "employee_id": emp,
            "period": period,
            "kind": kind,
            "code": code,
            "amount": total,
            "cash": True,
            "explanation": f"{len(awards)} × {first.label_en} = {total}",
            "detail": detail,
        }
