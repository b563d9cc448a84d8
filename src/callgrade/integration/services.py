"""Making, revoking and checking integration tokens (audited, in a transaction)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core import tabular
from callgrade.core.audit import audit
from callgrade.integration.models import Integration
from callgrade.integration.scopes import SCOPES
from callgrade.people.services import org_import

PREFIX = "cgk_"
# last_used_at is written at most this often, so busy integrations do not write on every call
TOUCH_EVERY = dt.timedelta(minutes=1)


class IntegrationError(ValueError):
    pass


def token_hash(token: str) -> str:
    # tokens are 256 random bits: a fast hash is as safe as a slow one and keeps lookups cheap
    return hashlib.sha256(token.encode()).hexdigest()


def integration_create(
    *, name: str, acting_user: Any, scopes: list[str], actor: Any
) -> tuple[Integration, str]:
    """A new integration and its token; the token is returned here and never stored."""
    name = name.strip()
    if not name:
        raise IntegrationError(_("An integration needs a name."))
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise IntegrationError(_("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)})
    if not scopes:
        raise IntegrationError(_("Choose at least one scope."))
    if not acting_user.is_active:
        raise IntegrationError(_("The integration must act as an active user."))
    if Integration.objects.filter(name=name).exists():
        raise IntegrationError(_("An integration with this name exists already."))
    token = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        integration = Integration.objects.create(
            name=name,
            acting_user=acting_user,
            scopes=sorted(set(scopes)),
            token_hash=token_hash(token),
            token_hint=token[-4:],
            created_by=actor,
        )
        audit(
            actor,
            "integration_create",
            integration,
            after={"name": name, "acting_user": acting_user.username, "scopes": integration.scopes},
        )
    return integration, token


def integration_revoke(*, integration: Integration, actor: Any) -> Integration:
    if integration.revoked_at is not None:
        return integration
    with transaction.atomic():
        integration.revoked_at = timezone.now()
        integration.save(update_fields=["revoked_at"])
        audit(actor, "integration_revoke", integration, before={"scopes": integration.scopes})
    return integration


def integration_for_token(token: str) -> Integration | None:
    """The active integration a token belongs to, or None."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    integration = (
        Integration.objects.select_related("acting_user")
        .filter(token_hash=token_hash(token), revoked_at=None)
        .first()
    )
    if integration is None or not integration.acting_user.is_active:
        return None
    now = timezone.now()
    if integration.last_used_at is None or now - integration.last_used_at > TOUCH_EVERY:
        Integration.objects.filter(pk=integration.pk).update(last_used_at=now)
    return integration


def people_apply(
    *, people: list[dict[str, Any]], actor: Any, integration: Integration
) -> tuple[dict[str, int], dict[int, dict[str, list[str]]]]:
    """Create or update ``people`` with the organization import's checks and effects: all or
    nothing. Returns the counts, or (empty counts and) the rejected people's fields by 0-based
    position. Raises ImportStale when the organization changed between the check and the write."""
    rows = [
        (n, {k: "" if v is None else str(v) for k, v in person.items()})
        for n, person in enumerate(people, start=1)
    ]
    payload = {
        "filename": f"api {integration.name}",
        "columns": list(org_import.COLUMNS),
        "ignored": [],
        "rows": rows,
    }
    token = tabular.stage(actor=actor, kind=org_import.KIND, payload=payload)
    preview = org_import.import_preview(token=token, actor=actor)
    if preview.rejected:
        org_import.import_discard(token=token, actor=actor)
        # as the API reports a malformed person: by 0-based position, only those at fault
        errors: dict[int, dict[str, list[str]]] = {}
        for plan in preview.rejected:
            for field, reason in plan.errors:
                errors.setdefault(plan.row - 1, {}).setdefault(field, []).append(str(reason))
        return {}, errors
    counts = org_import.employee_import_apply(
        token=token, fingerprint=preview.fingerprint, actor=actor
    )
    return counts, {}
