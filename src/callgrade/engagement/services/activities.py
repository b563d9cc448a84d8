"""Team activities: HR organizes them for a team or the whole center, a lead for the teams they
lead; those it is for are told, sign up and cancel before it starts, within the capacity; the
organizer records who took part once it has begun."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.engagement.access import may_join
from callgrade.engagement.models import Activity, SignUp
from callgrade.engagement.services import EngagementError
from callgrade.people.access import allowed, employee_of, is_hr, led_team_ids
from callgrade.people.models import Employee, Team


def activity_create(
    *,
    actor: Any,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    team: Team | None = None,
    capacity: int | None = None,
    description: str = "",
) -> Activity:
    """An activity for ``team`` (a lead's own team; HR any) or, by HR, for the whole center."""
    if team is None and not is_hr(actor):
        raise EngagementError(_("Only HR organizes activities for the whole center."))
    if team is not None and not (is_hr(actor) or team.pk in led_team_ids(actor)):
        raise EngagementError(_("Leads organize activities for the teams they lead."))
    title, place = title.strip(), place.strip()
    if not title:
        raise EngagementError(_("An activity needs a title."))
    if not place:
        raise EngagementError(_("Say where the activity takes place."))
    if ends_at < starts_at:
        raise EngagementError(_("An activity ends after it starts."))
    if capacity is not None and capacity < 1:
        raise EngagementError(_("The capacity is at least one person (or left blank)."))
    with transaction.atomic():
        a = Activity.objects.create(
            title=title[:200],
            description=description.strip(),
            team=team,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place[:200],
            capacity=capacity,
            organizer=actor,
        )
        audit(actor, "activity_create", a, after={
            "title": a.title, "team": team.pk if team else None,
            "starts_at": starts_at.isoformat(), "capacity": capacity,
        })  # fmt: skip
        _announce(a)
    return a


def _announce(activity: Activity) -> None:
    """Tell those the activity is for (who have a login) that it is on, if it is still ahead."""
    if activity.starts_at <= timezone.now():
        return
    when = timezone.localtime(activity.starts_at).strftime("%Y-%m-%d %H:%M")
    members = Employee.objects.filter(user__isnull=False, user__is_active=True)
    if activity.team_id is not None:
        members = members.filter(team_id=activity.team_id)
    for emp in members.select_related("user").exclude(user_id=activity.organizer_id):
        notify(
            emp.user,
            en=f"New activity: {activity.title}, {when}, {activity.place}.",
            zh=f"新活动：{activity.title}，{when}，{activity.place}。",
            url=f"/activities/{activity.pk}/",
        )


def taken(activity: Activity) -> int:
    """How many places are taken (sign-ups not cancelled)."""
    return SignUp.objects.filter(activity=activity, cancelled_at__isnull=True).count()


def activity_signup(*, actor: Any, activity: Activity) -> SignUp:
    """The acting employee takes a place: before the start, within the capacity."""
    me = employee_of(actor)
    if me is None or not may_join(actor, activity):
        raise EngagementError(_("This activity is not open to you."))
    with transaction.atomic():
        # the activity row locked: two people taking the last place cannot both get it
        a = Activity.objects.select_for_update().get(pk=activity.pk)
        if a.starts_at <= timezone.now():
            raise EngagementError(_("This activity has started; sign-up is closed."))
        mine = SignUp.objects.filter(activity=a, employee=me).first()
        if mine is not None and mine.cancelled_at is None:
            raise EngagementError(_("You have already signed up."))
        if a.capacity is not None and taken(a) >= a.capacity:
            raise EngagementError(_("This activity is full."))
        if mine is None:
            mine = SignUp.objects.create(activity=a, employee=me)
        else:
            mine.cancelled_at = None
            mine.save(update_fields=["cancelled_at"])
        audit(actor, "activity_signup", a, after={"employee": me.employee_id})
    return mine


def activity_cancel(*, actor: Any, activity: Activity) -> SignUp:
    """The acting employee gives their place back, before the start."""
    me = employee_of(actor)
    with transaction.atomic():
        mine = (
            SignUp.objects.select_for_update()
            .filter(activity=activity, employee=me, cancelled_at__isnull=True)
            .first()
            if me is not None
            else None
        )
        if mine is None:
            raise EngagementError(_("You have not signed up for this activity."))
        if activity.starts_at <= timezone.now():
            raise EngagementError(_("This activity has started; it can no longer be cancelled."))
        mine.cancelled_at = timezone.now()
        mine.save(update_fields=["cancelled_at"])
        audit(
            actor, "activity_cancel", activity, before={"employee": me.employee_id if me else None}
        )
    return mine


def activity_participation(*, actor: Any, activity: Activity, attended: Iterable[int]) -> int:
    """The organizer records who of those signed up took part (``attended``: sign-up ids; the
    others did not). Once the activity has begun. Returns how many took part."""
    if not allowed(actor, "activity", activity, "manage"):
        raise EngagementError(_("Only the organizer records participation."))
    if activity.starts_at > timezone.now():
        raise EngagementError(_("Participation is recorded once the activity has begun."))
    present = set(attended)
    with transaction.atomic():
        signups = list(
            SignUp.objects.select_for_update().filter(activity=activity, cancelled_at__isnull=True)
        )
        unknown = present - {s.pk for s in signups}
        if unknown:
            raise EngagementError(_("Only those signed up can be recorded as taking part."))
        before = {s.employee_id: s.attended for s in signups}
        for s in signups:
            s.attended = s.pk in present
            s.save(update_fields=["attended"])
        audit(actor, "activity_participation", activity,
              before={"attended": sorted(k for k, v in before.items() if v)},
              after={"attended": sorted(s.employee_id for s in signups if s.attended)})  # fmt: skip
    return len(present)
