"""Template context: the acting user's role and unread notifications, for the navigation bar."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from callgrade.people.access import employee_of, is_hr, role_of
from callgrade.review.models import Appeal


def nav(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"role": "anonymous"}
    return {
        "role": role_of(user),
        "me": employee_of(user),
        "unread": user.notifications.filter(read=False).count(),
        "open_appeals": Appeal.objects.filter(state=Appeal.OPEN).count() if is_hr(user) else 0,
    }
