"""Coaching and two-way feedback: a lead records a session or a 1:1 with what was agreed and when
to follow up; the employee acknowledges it and may reply; the lead records the follow-up. Each
step is audited and told to the other side."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.cycles.models import Cycle, Decision
from callgrade.engine.kpis import REGISTRY
from callgrade.people.access import allowed, employee_of
from callgrade.people.models import Employee
from callgrade.review.models import CoachingNote

MAX_TEXT = 5000


class CoachingError(ValueError):
    """A coaching step refused: the message says which field and why."""


def _text(value: str, what: str, *, required: bool) -> str:
    value = value.strip()
    if required and not value:
        raise CoachingError(_("%(field)s: write something.") % {"field": what})
    if len(value) > MAX_TEXT:
        raise CoachingError(
            _("%(field)s: at most %(n)s characters.") % {"field": what, "n": MAX_TEXT}
        )
    return value


def coaching_record(
    *,
    actor: Any,
    employee: Employee,
    kind: str,
    held_on: dt.date,
    notes: str,
    actions: str = "",
    follow_up_on: dt.date | None = None,
    kpi: str = "",
    period: str = "",
    record_id: str = "",
    cycle: Cycle | None = None,
    about_decision: bool = False,
    today: dt.date,
) -> CoachingNote:
    """The employee's lead (or HR) records a coaching session or a 1:1 — never about themselves
    nor someone they declared a relation with."""
    if not allowed(actor, "employee", employee, "review"):
        raise CoachingError(_("You may not record coaching for this employee."))
    if kind not in dict(CoachingNote.KINDS):
        raise CoachingError(_("Kind: choose a coaching session or a one-to-one."))
    if held_on > today:
        raise CoachingError(_("Held on: the day cannot be in the future."))
    notes = _text(notes, _("Notes"), required=True)
    actions = _text(actions, _("Agreed actions"), required=False)
    if follow_up_on is not None and follow_up_on < held_on:
        raise CoachingError(_("Follow up on: the day must not be before the conversation."))
    if follow_up_on is not None and not actions:
        raise CoachingError(_("Agreed actions: a follow-up needs the actions to follow up."))
    if kpi and kpi not in REGISTRY:
        raise CoachingError(_("Indicator: choose one of the list."))
    if record_id and not kpi:
        raise CoachingError(_("Record: name the indicator the record is behind."))
    if about_decision and (
        cycle is None or not Decision.objects.filter(cycle=cycle, employee=employee).exists()
    ):
        raise CoachingError(_("Decision: the employee has no decision in this cycle."))
    with transaction.atomic():
        note = CoachingNote.objects.create(
            employee=employee, author=actor, kind=kind, held_on=held_on, notes=notes,
            actions=actions, follow_up_on=follow_up_on, kpi=kpi, period=period.strip()[:20],
            record_id=record_id.strip()[:200], cycle=cycle, about_decision=about_decision,
        )  # fmt: skip
        audit(
            actor,
            "coaching_record",
            note,
            after={
                "employee": employee.employee_id,
                "kind": kind,
                "held_on": held_on.isoformat(),
                "follow_up_on": follow_up_on.isoformat() if follow_up_on else "",
            },
        )
        notify(
            employee.user,
            en="Your lead recorded a coaching note for you: please read and acknowledge it.",
            zh="您的主管为您记录了一条辅导记录，请阅读并确认。",
            url=f"/coaching/{note.pk}/",
        )
    return note


def coaching_respond(*, actor: Any, note: CoachingNote, reply: str = "") -> CoachingNote:
    """The employee acknowledges the note, with a reply if they wish (one reply: what they
    answered stays as they wrote it). Acknowledging again changes nothing."""
    if not allowed(actor, "coaching", note, "resolve"):
        raise CoachingError(_("Only the employee the note is about acknowledges it."))
    reply = _text(reply, _("Reply"), required=False)
    if reply and note.reply:
        raise CoachingError(_("You have already replied to this note."))
    if note.acknowledged_at is not None and not reply:
        return note
    with transaction.atomic():
        before = {"acknowledged": note.acknowledged_at is not None, "replied": bool(note.reply)}
        note.acknowledged_at = note.acknowledged_at or timezone.now()
        note.reply = reply or note.reply
        note.save(update_fields=["acknowledged_at", "reply"])
        audit(
            actor,
            "coaching_respond",
            note,
            before=before,
            after={"acknowledged": True, "replied": bool(note.reply)},
        )
        me = employee_of(actor)
        name = me.name if me is not None else ""
        notify(
            note.author,
            en=f"{name} acknowledged your coaching note{' and replied' if reply else ''}.",
            zh=f"{name} 已确认您的辅导记录{'并回复' if reply else ''}。",
            url=f"/coaching/{note.pk}/",
        )
    return note


def coaching_follow_up(*, actor: Any, note: CoachingNote, outcome: str) -> CoachingNote:
    """Whoever wrote the note (or may review the employee) records how the follow-up went."""
    if not allowed(actor, "coaching", note, "manage"):
        raise CoachingError(_("You may not follow up this note."))
    if note.follow_up_on is None:
        raise CoachingError(_("This note has no follow-up."))
    if note.followed_up_at is not None:
        raise CoachingError(_("The follow-up was already recorded."))
    outcome = _text(outcome, _("Outcome"), required=True)
    with transaction.atomic():
        note.followed_up_at = timezone.now()
        note.follow_up_outcome = outcome
        note.save(update_fields=["followed_up_at", "follow_up_outcome"])
        audit(actor, "coaching_follow_up", note, after={"followed_up": True}, reason=outcome)
        notify(
            note.employee.user,
            en="Your lead recorded the follow-up of a coaching note.",
            zh="您的主管记录了辅导跟进结果。",
            url=f"/coaching/{note.pk}/",
        )
    return note
