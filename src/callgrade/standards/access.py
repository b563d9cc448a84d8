"""Who may see or manage a version of the standard (registered with
:mod:`callgrade.people.access`)."""

from __future__ import annotations

from callgrade.people.access import Action, AnyUser, is_hr, register
from callgrade.standards.models import PolicyVersion


def _policy(user: AnyUser, version: PolicyVersion, action: Action) -> bool:
    if action == "view" and version.status != PolicyVersion.DRAFT:
        return user.is_authenticated and user.is_active
    return is_hr(user)


register("policy", PolicyVersion, "pk", _policy)
