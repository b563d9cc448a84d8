"""Template context: the acting user's role, their navigation and unread notifications.

The navigation lists only what the person can use: an agent sees their own pages (their
development and coaching notes too), the standard and notifications; team leads add their team,
its development, nominations and conflicts of interest; HR the cycles, standards, organization,
appeals, the suggestion inbox, training and the talent pool; leads and HR the coaching page.
Everyone sees the intraday report of what they may see, the center's suggestions and team
activities."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from callgrade.engagement.selectors import open_count as suggestions_open
from callgrade.engagement.services.store import store_open
from callgrade.people.access import employee_of, is_hr, role_of
from callgrade.review.models import Appeal

REVIEWERS = ("lead", "hr", "admin")
HR_ROLES = ("hr", "admin")


def nav_entries(role: str, *, has_employee: bool, store: bool = False) -> list[tuple[str, Any]]:
    """(url name, label) of the navigation for ``role``, in order; employees see the points
    store when the center has opened it (``store``), HR always (HR opens it)."""
    entries: list[tuple[str, Any]] = []
    if has_employee:
        entries += [
            ("me", _("My scorecard")),
            ("my_appeals", _("My appeals")),
            ("my_development", _("My development")),
            ("my_coaching", _("My coaching")),
        ]
        entries.append(("my_awards", _("My awards")))
        if store:
            entries.append(("my_store", _("Points store")))
        entries.append(("my_contests", _("My contests")))
    if role in REVIEWERS:
        entries += [
            ("team", _("Team")),
            ("team_development", _("Team development")),
            ("program", _("Program dashboard")),
            ("coaching", _("Coaching")),
        ]
    elif role == "head":  # a department head reads their department's program dashboard
        entries.append(("program", _("Program dashboard")))
    if role in HR_ROLES:
        entries += [
            ("cycles", _("Cycles")),
            ("baseline", _("Current state")),
            ("standards", _("Standards")),
            ("org", _("Organization")),
            ("loads", _("Data loads")),
            ("appeals_inbox", _("Appeals")),
            ("suggestions_inbox", _("Suggestion inbox")),
            ("development_catalog", _("Training")),
            ("talent", _("Talent pool")),
            ("store", _("Points store")),
        ]
    if role in REVIEWERS:
        entries += [("nominations", _("Nominations")), ("conflicts", _("Conflicts of interest"))]
        entries.append(("awards", _("Awards ledger") if role in HR_ROLES else _("Team awards")))
    entries.append(("contests", _("Contests")))
    if has_employee or role in HR_ROLES:
        entries.append(("intraday", _("Intraday")))
    entries += [("suggestions", _("Suggestions")), ("activities", _("Team activities"))]
    entries += [("standard", _("The standard")), ("notifications", _("Notifications"))]
    return entries


def nav(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"role": "anonymous", "nav": []}
    role = role_of(user)
    me = employee_of(user)
    unread = user.notifications.filter(read=False).count()
    open_appeals = Appeal.objects.filter(state=Appeal.OPEN).count() if is_hr(user) else 0
    open_suggestions = suggestions_open() if is_hr(user) else 0
    badges = {
        "notifications": unread,
        "appeals_inbox": open_appeals,
        "suggestions_inbox": open_suggestions,
    }
    items = [
        {"name": name, "url": reverse(name), "label": label, "badge": badges.get(name, 0)}
        for name, label in nav_entries(role, has_employee=me is not None, store=store_open())
    ]
    return {"role": role, "me": me, "unread": unread, "open_appeals": open_appeals, "nav": items}
