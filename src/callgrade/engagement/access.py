"""Who may see suggestions and activities, act on them, and who reads a suggestion's author
(registered with :mod:`callgrade.people.access`).

The designated reviewer of suggestions is an HR member who is also in the group
``suggestion_reviewer`` (given in the Django admin). They alone see who wrote an anonymous
suggestion; other HR members manage suggestions without knowing it, and a superuser is not a
reviewer by being a superuser."""

from __future__ import annotations

from typing import Any

from callgrade.engagement.models import Activity, Award, Contest, Suggestion
from callgrade.people.access import (
    Action,
    AnyUser,
    employee_of,
    is_hr,
    led_team_ids,
    register,
)

REVIEWER_GROUP = "suggestion_reviewer"


def is_suggestion_reviewer(user: AnyUser) -> bool:
    """Whether ``user`` is the designated reviewer who may read suggestions' authors."""
    if not is_hr(user):
        return False
    return bool(user.groups.filter(name=REVIEWER_GROUP).exists())


def _suggestion(user: AnyUser, suggestion: Suggestion, action: Action) -> bool:
    if action == "view":  # suggestions are open to the whole center
        return is_hr(user) or employee_of(user) is not None
    if action == "manage":
        return is_hr(user)
    return False


def may_join(user: AnyUser, activity: Activity) -> bool:
    """Whether ``user`` is among those an activity is for (its team, or everyone)."""
    me = employee_of(user)
    if me is None:
        return False
    return activity.team_id is None or me.team_id == activity.team_id


def _activity(user: AnyUser, activity: Activity, action: Action) -> bool:
    organizes = (
        is_hr(user)
        or activity.organizer_id == user.pk
        or (activity.team_id is not None and activity.team_id in led_team_ids(user))
    )
    if action == "view":
        return organizes or may_join(user, activity)
    if action == "manage":
        return organizes
    return False


def visible_activities(user: AnyUser) -> Any:
    """The activities ``user`` may list: HR all; anyone else the center's, their team's and
    those of the teams they lead or organize."""
    if is_hr(user):
        return Activity.objects.all()
    me = employee_of(user)
    teams = set(led_team_ids(user))
    if me is not None and me.team_id is not None:
        teams.add(me.team_id)
    center = (
        Activity.objects.filter(team__isnull=True) if me is not None else Activity.objects.none()
    )
    return (
        center
        | Activity.objects.filter(team_id__in=teams)
        | Activity.objects.filter(organizer_id=user.pk)
    )


def visible_awards(user: AnyUser) -> Any:
    """The awards ``user`` may see: HR all; a lead their teams' and their own; an employee
    their own; anyone else none."""
    if is_hr(user):
        return Award.objects.all()
    me = employee_of(user)
    if me is None:
        return Award.objects.none()
    teams = led_team_ids(user)
    return Award.objects.filter(employee=me) | Award.objects.filter(employee__team_id__in=teams)


def _contest(user: AnyUser, contest: Contest, action: Action) -> bool:
    manages = is_hr(user) or (contest.team_id is not None and contest.team_id in led_team_ids(user))
    if action == "view":
        return manages or in_contest(user, contest)
    if action == "manage":
        return manages
    return False


def in_contest(user: AnyUser, contest: Contest) -> bool:
    """Whether ``user`` competes in ``contest`` (the center's, or their team's)."""
    me = employee_of(user)
    if me is None:
        return False
    return contest.team_id is None or me.team_id == contest.team_id


def visible_contests(user: AnyUser) -> Any:
    """The contests ``user`` may list: HR all; anyone else the center's, their team's and those
    of the teams they lead."""
    if is_hr(user):
        return Contest.objects.all()
    me = employee_of(user)
    teams = set(led_team_ids(user))
    if me is not None and me.team_id is not None:
        teams.add(me.team_id)
    center = Contest.objects.filter(team__isnull=True) if me is not None else Contest.objects.none()
    return center | Contest.objects.filter(team_id__in=teams)


register("suggestion", Suggestion, "pk", _suggestion)
register("contest", Contest, "pk", _contest)
register("activity", Activity, "pk", _activity)
