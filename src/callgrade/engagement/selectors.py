"""Reads for the engagement pages.

The author of a suggestion is read here in two places only: :func:`authors_for`, which answers
the designated reviewer alone, and :func:`my_suggestions`, the author's own list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from callgrade.core.models import AuditEvent
from callgrade.engagement.access import is_suggestion_reviewer, may_join, visible_activities
from callgrade.engagement.models import Activity, SignUp, Suggestion, SuggestionAuthor, Support
from callgrade.people.access import AnyUser, employee_of
from callgrade.people.models import Employee

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
