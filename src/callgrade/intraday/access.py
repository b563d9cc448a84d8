"""Who reads which interval reports: HR every agent, team, queue and the center; a team lead the
agents of the teams they lead (and themselves) and those teams; an agent their own intervals.

Queue and center figures include calls no agent took (abandoned calls) and every agent's time,
so they are HR's alone. The agents come from :func:`callgrade.people.access.visible_employees`,
the one place that says whose data a person sees."""

from __future__ import annotations

from dataclasses import dataclass

from callgrade.people.access import (
    AnyUser,
    Denied,
    employee_of,
    is_hr,
    led_team_ids,
    visible_employees,
)

HR_LEVELS = ("center", "queue", "team", "agent")
LEAD_LEVELS = ("team", "agent")
AGENT_LEVELS = ("agent",)


@dataclass(frozen=True)
class Scope:
    levels: tuple[str, ...]  # the levels the reader may choose, the first their default
    agent_ids: frozenset[str] | None  # None: every agent, including those not on the roster

    def summary_level(self) -> str:
        """The level of the reader's overview chart: the center, their teams, themselves."""
        return self.levels[0]


def intraday_scope(user: AnyUser) -> Scope:
    """The reader's scope; :class:`Denied` (a 404) for a signed-in user who is neither HR nor an
    employee."""
    if is_hr(user):
        return Scope(HR_LEVELS, None)
    me = employee_of(user)
    if me is None:
        raise Denied
    ids = frozenset(visible_employees(user).values_list("employee_id", flat=True))
    if led_team_ids(user):
        return Scope(LEAD_LEVELS, ids)
    return Scope(AGENT_LEVELS, ids)
