"""Who may decide someone's case: the one rule promotions (nominations) and selections for key
posts share.

Only HR decides; nobody decides their own case or that of someone they declared a relation with
(conflict of interest: :func:`callgrade.people.access.employee_rule`); and whoever proposed the
case or gathered its evidence — the nominator, whoever shortlisted or interviewed a candidate —
leaves the decision to someone else (separation of duties).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from callgrade.people.access import AnyUser, employee_of, employee_rule, is_hr
from callgrade.people.models import Conflict, Employee


@dataclass(frozen=True)
class Refusals:
    """What a refusal says, in the words of the kind of case."""

    only_hr: str
    involved: str


def may_decide(user: AnyUser, employee: Employee, involved: Iterable[int | None]) -> bool:
    """Whether ``user`` may decide ``employee``'s case in which the users ``involved`` took part."""
    if not user.is_authenticated or user.pk in set(involved):
        return False
    return employee_rule(user, employee, "decide")


def decide_refusal(
    user: AnyUser, employee: Employee, involved: Iterable[int | None], words: Refusals
) -> str:
    """Why ``user`` may not decide the case ("" when they may), naming the part of the rule."""
    involved = set(involved)
    if may_decide(user, employee, involved):
        return ""
    me = employee_of(user)
    if not is_hr(user):
        return str(words.only_hr)
    if user.pk in involved:
        return str(words.involved)
    if me is not None and me.pk == employee.pk:
        return str(_("You cannot decide your own case."))
    if Conflict.objects.filter(user_id=user.pk, employee_id=employee.pk).exists():
        return str(_("You declared a conflict of interest with this employee."))
    return str(_("You may not decide this case."))
