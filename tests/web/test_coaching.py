"""Coaching and two-way feedback: a lead records a note, the employee alone acknowledges and
replies, overdue follow-ups reach the lead, and the coaching rules' suggestions on the lead's
page match the stored results they read."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from callgrade.core.models import AuditEvent, Notification
from callgrade.cycles.models import KpiValue
from callgrade.engine.kpis import REGISTRY
from callgrade.people.models import Conflict, Employee
from callgrade.review.models import CoachingNote
from callgrade.review.selectors import cycle_periods, team_cycles
from callgrade.review.selectors.coaching import suggestions
from callgrade.review.services.coaching import (
    CoachingError,
    coaching_follow_up,
    coaching_record,
    coaching_respond,
)

TODAY = timezone.localdate()


def _note(lead: Any, employee: Employee, **kw: Any) -> CoachingNote:
    args: dict[str, Any] = {
        "kind": CoachingNote.SESSION, "held_on": TODAY - dt.timedelta(days=3),
        "notes": "Talked through three calls", "actions": "Confirm the need first",
        "follow_up_on": TODAY + dt.timedelta(days=7), "today": TODAY,
    }  # fmt: skip
    return coaching_record(actor=lead, employee=employee, **{**args, **kw})


def test_the_demo_has_notes_acknowledged_and_overdue(login: Any, lead: Any) -> None:
    notes = CoachingNote.objects.all()
    assert notes.filter(acknowledged_at__isnull=False).exists()
    assert notes.exclude(reply="").exists()
    assert notes.filter(follow_up_on__lt=TODAY, followed_up_at__isnull=True).exists()
    html = login(lead).get("/coaching/").content.decode()
    overdue = html.split('id="overdue"')[1].split("</table>")[0]
    assert "data-note=" in overdue


def test_a_lead_records_the_agent_reads_acknowledges_and_replies_once(
    login: Any, lead: Any, agent: Any
) -> None:
    me = Employee.objects.get(user=agent)
    note = _note(lead, me)
    assert AuditEvent.objects.filter(action="coaching_record", object_id=str(note.pk)).exists()
    assert Notification.objects.filter(user=agent, url=f"/coaching/{note.pk}/").exists()
    c = login(agent)
    assert f'data-note="{note.pk}"' in c.get("/me/coaching/").content.decode()
    c.post(f"/coaching/{note.pk}/respond/", {"reply": ""})
    note.refresh_from_db()
    assert note.acknowledged_at is not None and note.reply == ""
    c.post(f"/coaching/{note.pk}/respond/", {"reply": "I will try it"})
    note.refresh_from_db()
    assert note.reply == "I will try it"
    with pytest.raises(CoachingError):
        coaching_respond(actor=agent, note=note, reply="changed my mind")
    assert CoachingNote.objects.get(pk=note.pk).reply == "I will try it"
    assert AuditEvent.objects.filter(action="coaching_respond", object_id=str(note.pk)).count() == 2


def test_only_the_employee_acknowledges(
    login: Any, lead: Any, agent: Any, hr: Any, other_agent: Any
) -> None:
    note = _note(lead, Employee.objects.get(user=agent))
    for user in (lead, hr):
        with pytest.raises(CoachingError):
            coaching_respond(actor=user, note=note, reply="not mine to say")
    assert login(other_agent).post(f"/coaching/{note.pk}/respond/").status_code == 404
    note.refresh_from_db()
    assert note.acknowledged_at is None and note.reply == ""


def test_who_may_record_coaching(lead: Any, agent: Any, other_lead: Any, hr: Any) -> None:
    me = Employee.objects.get(user=agent)
    with pytest.raises(CoachingError):  # not their team
        _note(other_lead, me)
    with pytest.raises(CoachingError):  # not about oneself
        _note(agent, me)
    Conflict.objects.create(user=lead, employee=me, relation="cousin")
    with pytest.raises(CoachingError):  # a declared relation
        _note(lead, me)
    assert _note(hr, me).author == hr


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_on": TODAY + dt.timedelta(days=1)}, "Held on"),
        ({"follow_up_on": TODAY - dt.timedelta(days=10)}, "Follow up on"),
        ({"notes": "  "}, "Notes"),
        ({"actions": ""}, "Agreed actions"),
        ({"kpi": "no_such_kpi"}, "Indicator"),
        ({"record_id": "QA-1"}, "Record"),
        ({"about_decision": True}, "Decision"),
        ({"kind": "chat"}, "Kind"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    lead: Any, agent: Any, change: dict[str, Any], field: str
) -> None:
    before = CoachingNote.objects.count()
    with pytest.raises(CoachingError, match=field):
        _note(lead, Employee.objects.get(user=agent), **change)
    assert CoachingNote.objects.count() == before


def test_an_overdue_follow_up_is_listed_until_it_is_recorded(
    login: Any, lead: Any, agent: Any
) -> None:
    me = Employee.objects.get(user=agent)
    held = TODAY - dt.timedelta(days=20)
    note = _note(lead, me, held_on=held, follow_up_on=held + dt.timedelta(days=5))
    c = login(lead)
    overdue = c.get("/coaching/").content.decode().split('id="overdue"')[1].split("</table>")[0]
    assert f'data-note="{note.pk}"' in overdue
    c.post(f"/coaching/{note.pk}/follow-up/", {"outcome": "Better since"})
    note.refresh_from_db()
    assert note.followed_up_at is not None and note.follow_up_outcome == "Better since"
    overdue = c.get("/coaching/").content.decode().split('id="overdue"')[1].split("</table>")[0]
    assert f'data-note="{note.pk}"' not in overdue
    with pytest.raises(CoachingError):
        coaching_follow_up(actor=lead, note=note, outcome="again")


def test_suggestions_match_the_stored_results_and_the_notes(lead: Any, agent: Any) -> None:
    cycle, rows = suggestions(lead, TODAY)
    assert cycle is not None and cycle == next(c for c in team_cycles(lead) if cycle_periods(c))
    policy = cycle.policy_version.policy()
    assert policy.coaching_rules is not None
    members = {r.employee.pk for r in rows}
    me = Employee.objects.get(user=lead)
    assert me.pk not in members  # never oneself
    assert all(r.employee.team_id in {t.pk for t in me.teams_led.all()} for r in rows)
    # every KPI below its scorecard floor in the last period is suggested, with its evidence
    period = max(KpiValue.objects.filter(cycle=cycle).values_list("period", flat=True))
    expected = set()
    for e in Employee.objects.filter(team__lead=me).exclude(pk=me.pk).exclude(status="left"):
        card = policy.scorecard(policy.position(e.position).scorecard)
        floors = {
            m.kpi: (m.floor, m.direction or REGISTRY[m.kpi].direction)
            for d in card.dimensions
            for m in d.items
            if m.kpi
        }
        for kv in KpiValue.objects.filter(cycle=cycle, employee=e, period=period):
            floor, direction = floors.get(kv.kpi, (None, None))
            if kv.value is None or floor is None:
                continue
            if (kv.value < floor) if direction == "higher_better" else (kv.value > floor):
                expected.add((e.employee_id, kv.kpi, kv.value, floor))
    found = {
        (r.employee.employee_id, r.suggestion.kpi, r.suggestion.value, r.suggestion.reference)
        for r in rows
        if r.suggestion.rule == "below_floor"
    }
    assert found == expected
    # somebody not coached for six weeks is suggested; a note today takes them off that rule
    stale = [r.employee for r in rows if r.suggestion.rule == "no_coaching"]
    assert stale
    _note(lead, stale[0], held_on=TODAY)
    _cycle, after = suggestions(lead, TODAY)
    assert (stale[0].pk, "no_coaching") not in {(r.employee.pk, r.suggestion.rule) for r in after}


def test_the_lead_page_shows_the_suggestions_in_words(login: Any, lead: Any) -> None:
    html = login(lead).get("/coaching/").content.decode()
    table = html.split('id="suggested"')[1].split("</table>")[0]
    assert re.search(r'data-rule="(below_floor|drop|decision|no_coaching)"', table)
    assert "_" not in re.sub(r"<[^>]+>", "", table)  # no codes, only words
