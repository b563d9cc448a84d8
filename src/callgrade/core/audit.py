"""Writing the audit trail."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from callgrade.core.models import AuditEvent, Notification


def audit(
    actor: Any,
    action: str,
    obj: Model,
    *,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Record who did ``action`` to ``obj``, with the values before and after and why."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name or "",
        object_id=str(obj.pk),
        before=before,
        after=after,
        reason=reason,
    )


def notify(user: Any, *, en: str, zh: str, url: str = "") -> None:
    if user is not None:
        Notification.objects.create(user=user, text_en=en, text_zh=zh, url=url)
