"""Recording roster attributes (gender, age band, shift …) for the fairness audit: HR sets a
value per attribute and employee, a blank value removes it; each change is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from callgrade.core.audit import audit
from callgrade.people.models import Employee, RosterAttribute
from callgrade.people.services.records import RecordError

NAME_MAX, VALUE_MAX = 50, 100


def attribute_checked(name: str, value: str) -> tuple[str, str]:
    """``name`` and ``value`` trimmed, or :class:`RecordError` saying what is wrong."""
    name, value = name.strip(), value.strip()
    if not name:
        raise RecordError(_("Name the attribute, for example gender or shift."))
    if len(name) > NAME_MAX:
        raise RecordError(_("An attribute name has at most %(n)s characters.") % {"n": NAME_MAX})
    if len(value) > VALUE_MAX:
        raise RecordError(_("A value has at most %(n)s characters.") % {"n": VALUE_MAX})
    return name, value


def attribute_set(
    *, employee: Employee, name: str, value: str, actor: Any, source: str = "app"
) -> RosterAttribute | None:
    """Set ``employee``'s ``name`` to ``value`` (a blank value removes the attribute)."""
    name, value = attribute_checked(name, value)
    with transaction.atomic():
        held = RosterAttribute.objects.filter(employee=employee, name=name).first()
        before = {"attribute": name, "value": held.value} if held else None
        if not value:
            if held is None:
                return None
            held.delete()
            audit(actor, "attribute_delete", employee, before=before)
            return None
        if held is not None and held.value == value:
            return held
        attr, _created = RosterAttribute.objects.update_or_create(
            employee=employee,
            name=name,
            defaults={"value": value, "source": source, "recorded_by": actor},
        )
        audit(
            actor,
            "attribute_set",
            employee,
            before=before,
            after={"attribute": name, "value": value},
        )
    return attr
