"""Suggestions and team activities.

The anonymity guarantee: who made an anonymous suggestion is in no response to anyone but the
designated reviewer — not the suggestion pages, the inbox, the export, anyone's notifications,
the audit trail as the admin shows it, or the admin's lists. (The organization pages list every
employee by design; they say nothing of suggestions and are not part of the check.)"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from openpyxl import load_workbook
from test_permissions import MATRIX, ROUTES, _url
from test_permissions import objects as objects

from callgrade.core.models import AuditEvent, Notification
from callgrade.engagement.access import REVIEWER_GROUP
from callgrade.engagement.models import Activity, SignUp, Suggestion, Support
from callgrade.engagement.services import EngagementError
from callgrade.engagement.services.activities import (
    activity_cancel,
    activity_participation,
    activity_signup,
)
from callgrade.engagement.services.suggestions import (
    suggestion_award,
    suggestion_move,
    suggestion_submit,
    suggestion_support,
)
from callgrade.people.access import HR_GROUP
from callgrade.people.models import Employee

SECRET = {"name": "Zhuge Whisperwind", "username": "whisper9001", "employee_id": "E9001"}
ENGAGEMENT = sorted(
    n for n, (method, _w, _a) in MATRIX.items()
    if method == "GET" and (n.startswith(("suggestion", "activit")) or n == "my_suggestions")
)  # fmt: skip
ALWAYS = ["notifications", "home"]
ADMIN_PAGES = [
    "/admin/engagement/suggestion/",
    "/admin/engagement/support/",
    "/admin/core/notification/",
    "/admin/core/auditevent/",
    "/admin/core/auditevent/?object_type=suggestion",
]


def _user(name: str, *groups: str) -> Any:
    user = get_user_model().objects.create_user(username=name, password="x-long-password-1")
    for g in groups:
        user.groups.add(Group.objects.get_or_create(name=g)[0])
    return user


@pytest.fixture
def secret(agent: Any, lead: Any, hr: Any) -> Suggestion:
    """An anonymous suggestion by an employee of the agent's team, supported, answered,
    adopted and awarded — every step that writes, audits and notifies."""
    team = Employee.objects.get(user=agent).team
    author = _user(SECRET["username"])
    Employee.objects.create(
        employee_id=SECRET["employee_id"], name=SECRET["name"], user=author, team=team,
        position="customer_service",
    )  # fmt: skip
    s = suggestion_submit(
        actor=author, title="Quiet room for breaks", text="A room without phones.",
        category="workplace", anonymous=True,
    )  # fmt: skip
    suggestion_support(actor=agent, suggestion=s)
    suggestion_support(actor=lead, suggestion=s)
    s = suggestion_move(actor=hr, suggestion=s, to="under_review", answer="Looking at rooms.")
    s = suggestion_move(actor=hr, suggestion=s, to="adopted", answer="Room 3 from May.")
    return suggestion_award(actor=hr, suggestion=s, amount="300", reason="Good idea")


def _text(response: Any) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        wb = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
        )
    return response.content.decode()


def _leaks(text: str) -> list[str]:
    return [v for v in SECRET.values() if v in text]


@pytest.mark.parametrize("persona", ["anonymous", "agent", "other_agent", "lead", "other_lead",
                                     "hr", "admin"])  # fmt: skip
def test_an_anonymous_author_is_in_no_response_but_the_reviewers(
    persona: str, secret: Suggestion, objects: dict[str, Any], login: Any
) -> None:
    user = None if persona == "anonymous" else get_user_model().objects.get(username=persona)
    client = login(user)
    at = {**objects, "suggestion_id": secret.pk}
    for lang in ("en", "zh-hans"):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = lang
        for name in ENGAGEMENT + ALWAYS:
            r = client.get(_url(ROUTES[name], at), follow=True)
            assert not _leaks(_text(r)), f"{name} as {persona} ({lang})"
        if persona == "admin":
            change = f"/admin/engagement/suggestion/{secret.pk}/change/"
            for page in [*ADMIN_PAGES, change]:
                r = client.get(page)
                assert r.status_code == 200, page
                assert not _leaks(r.content.decode()), f"{page} as admin"
    # what the author is told names neither them nor the suggestion, for anyone to read
    told = Notification.objects.filter(user__username=SECRET["username"])
    assert told.count() == 3  # under review, adopted, the award
    assert all(secret.title not in n.text_en + n.text_zh for n in told)
    assert not any(_leaks(n.text_en + n.text_zh) for n in Notification.objects.all())
    submitted = AuditEvent.objects.get(action="suggestion_submit", object_id=str(secret.pk))
    assert submitted.actor is None and not _leaks(str(submitted.after))


def test_the_designated_reviewer_alone_sees_the_author(
    secret: Suggestion, login: Any, hr: Any
) -> None:
    reviewer = _user("reviewer9", HR_GROUP, REVIEWER_GROUP)
    c = login(reviewer)
    for url in ("/suggestions/inbox/", f"/suggestions/{secret.pk}/", "/suggestions/export.xlsx"):
        r = c.get(url)
        assert r.status_code == 200 and SECRET["name"] in _text(r), url
    # the public list names nobody, even for the reviewer
    assert SECRET["name"] not in c.get("/suggestions/").content.decode()
    # HR without the designation does not, and neither does a superuser
    assert SECRET["name"] not in login(hr).get("/suggestions/inbox/").content.decode()


def test_a_signed_suggestion_names_its_author(login: Any, agent: Any, hr: Any) -> None:
    s = suggestion_submit(actor=agent, title="Headsets", text="New ones.", category="tools",
                          anonymous=False)  # fmt: skip
    name = Employee.objects.get(user=agent).name
    assert name in login(hr).get(f"/suggestions/{s.pk}/").content.decode()
    assert name in _text(login(hr).get("/suggestions/export.xlsx"))


# --- the workflow ---------------------------------------------------------------------------------


def test_the_status_workflow_refuses_what_its_table_refuses(agent: Any, hr: Any) -> None:
    s = suggestion_submit(actor=agent, title="T", text="x", category="other", anonymous=False)
    told = Notification.objects.filter(user=agent, url=f"/suggestions/{s.pk}/")
    for to in ("adopted", "declined", "implemented", "received", "bogus"):
        with pytest.raises(EngagementError):
            suggestion_move(actor=hr, suggestion=s, to=to)
    with pytest.raises(EngagementError):
        suggestion_move(actor=agent, suggestion=s, to="under_review")  # not HR
    with pytest.raises(EngagementError):
        suggestion_award(actor=hr, suggestion=s, amount="100", reason="early")  # not adopted
    assert told.count() == 0
    s = suggestion_move(actor=hr, suggestion=s, to="under_review", answer="Reading it.")
    with pytest.raises(EngagementError, match="reason"):
        suggestion_move(actor=hr, suggestion=s, to="declined")
    s = suggestion_move(actor=hr, suggestion=s, to="adopted", answer="Yes.")
    for bad in ("-5", "abc", "0", "NaN"):
        with pytest.raises(EngagementError):
            suggestion_award(actor=hr, suggestion=s, amount=bad, reason="r")
    s = suggestion_award(actor=hr, suggestion=s, amount="1,250.5", reason="Saved hours")
    assert str(s.award_amount) == "1250.50"
    s = suggestion_move(actor=hr, suggestion=s, to="implemented", answer="Done.")
    for to in ("adopted", "declined", "under_review"):
        with pytest.raises(EngagementError):
            suggestion_move(actor=hr, suggestion=s, to=to)
    moves = AuditEvent.objects.filter(object_id=str(s.pk), object_type="suggestion")
    assert [e.action for e in moves.order_by("at", "id")] == [
        "suggestion_submit", "suggestion_status", "suggestion_status", "suggestion_award",
        "suggestion_status",
    ]  # fmt: skip
    assert told.count() == 4 and "implemented" in told.first().text_en  # type: ignore[union-attr]


def test_declined_with_a_reason_everyone_reads(
    agent: Any, other_agent: Any, hr: Any, login: Any
) -> None:
    s = suggestion_submit(actor=agent, title="T", text="x", category="other", anonymous=True)
    suggestion_move(actor=hr, suggestion=s, to="under_review")
    suggestion_move(actor=hr, suggestion=s, to="declined", reason="Too costly this year")
    assert (
        "Too costly this year" in login(other_agent).get(f"/suggestions/{s.pk}/").content.decode()
    )
    with pytest.raises(EngagementError):
        suggestion_support(actor=other_agent, suggestion=s)  # settled


def test_the_status_form_moves_it_and_others_get_a_404(
    agent: Any, lead: Any, hr: Any, login: Any
) -> None:
    s = suggestion_submit(actor=agent, title="T", text="x", category="other", anonymous=False)
    url = f"/suggestions/{s.pk}/status/"
    assert login(lead).post(url, {"to": "under_review"}).status_code == 404
    r = login(hr).post(url, {"to": "adopted"}, follow=True)
    assert "cannot move there" in r.content.decode()
    login(hr).post(url, {"to": "under_review", "answer": "On it"})
    s.refresh_from_db()
    assert s.status == "under_review" and s.answer == "On it"
    # from the inbox: one field, the answer or the reason to decline
    r = login(hr).post(url, {"to": "declined", "answer": "No budget", "back": "inbox"})
    assert r["Location"] == "/suggestions/inbox/"
    s.refresh_from_db()
    assert s.status == "declined" and s.decline_reason == "No budget" and s.answer == "On it"


def test_support_once_and_never_ones_own(agent: Any, lead: Any, other_agent: Any) -> None:
    s = suggestion_submit(actor=agent, title="T", text="x", category="other", anonymous=True)
    with pytest.raises(EngagementError, match="own"):
        suggestion_support(actor=agent, suggestion=s)
    suggestion_support(actor=lead, suggestion=s)
    with pytest.raises(EngagementError, match="already"):
        suggestion_support(actor=lead, suggestion=s)
    suggestion_support(actor=other_agent, suggestion=s)
    assert Support.objects.filter(suggestion=s).count() == 2


def test_submitting_checks_what_it_is_given(agent: Any, hr: Any) -> None:
    for title, text, category in (("", "x", "other"), ("T", " ", "other"), ("T", "x", "nope"),
                                  ("x" * 201, "x", "other")):  # fmt: skip
        with pytest.raises(EngagementError):
            suggestion_submit(actor=agent, title=title, text=text, category=category,
                              anonymous=False)  # fmt: skip
    with pytest.raises(EngagementError):
        suggestion_submit(actor=hr, title="T", text="x", category="other", anonymous=False)


# --- activities ----------------------------------------------------------------------------------


def _activity(lead: Any, *, capacity: int | None, days: float = 3) -> Activity:
    start = timezone.now() + dt.timedelta(days=days)
    return Activity.objects.create(
        title="Lunch", team=Employee.objects.get(user=lead).team, place="Canteen",
        starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity=capacity,
        organizer=lead,
    )  # fmt: skip


def test_sign_up_within_the_capacity_and_cancel(
    agent: Any, lead: Any, other_agent: Any, login: Any
) -> None:
    a = _activity(lead, capacity=2)
    third = _user("third9")
    colleague = Employee.objects.filter(team=a.team, user__isnull=True).order_by("employee_id")
    Employee.objects.filter(pk=colleague[0].pk).update(user=third)
    activity_signup(actor=agent, activity=a)
    with pytest.raises(EngagementError, match="already"):
        activity_signup(actor=agent, activity=a)
    activity_signup(actor=lead, activity=a)
    with pytest.raises(EngagementError, match="full"):
        activity_signup(actor=third, activity=a)
    with pytest.raises(EngagementError, match="not open"):
        activity_signup(actor=other_agent, activity=a)  # another team's
    activity_cancel(actor=agent, activity=a)
    with pytest.raises(EngagementError):
        activity_cancel(actor=agent, activity=a)
    activity_signup(actor=third, activity=a)  # the freed place
    with pytest.raises(EngagementError, match="full"):
        activity_signup(actor=agent, activity=a)
    assert SignUp.objects.filter(activity=a, cancelled_at__isnull=True).count() == 2
    page = login(agent).get(f"/activities/{a.pk}/").content.decode()
    assert "2 / 2" in page


def test_participation_is_recorded_by_the_organizer_once_begun(agent: Any, lead: Any) -> None:
    a = _activity(lead, capacity=None)
    mine = activity_signup(actor=agent, activity=a)
    with pytest.raises(EngagementError, match="begun"):
        activity_participation(actor=lead, activity=a, attended=[mine.pk])
    Activity.objects.filter(pk=a.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    a.refresh_from_db()
    with pytest.raises(EngagementError):
        activity_signup(actor=lead, activity=a)  # started: sign-up closed
    with pytest.raises(EngagementError):
        activity_cancel(actor=agent, activity=a)
    with pytest.raises(EngagementError, match="organizer"):
        activity_participation(actor=agent, activity=a, attended=[mine.pk])
    with pytest.raises(EngagementError, match="signed up"):
        activity_participation(actor=lead, activity=a, attended=[mine.pk + 1000])
    assert activity_participation(actor=lead, activity=a, attended=[mine.pk]) == 1
    mine.refresh_from_db()
    assert mine.attended is True


def test_hr_organizes_for_the_center_and_a_lead_for_their_team(
    login: Any, hr: Any, lead: Any, other_lead: Any
) -> None:
    day = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    form = {"title": "Reading club", "day": day, "start": "18:00", "end": "19:30",
            "place": "Room A", "capacity": "12", "team": ""}  # fmt: skip
    r = login(hr).post("/activities/new/", form)
    assert r.status_code == 302
    a = Activity.objects.get(title="Reading club")
    assert a.team is None and a.capacity == 12
    told = Notification.objects.filter(url=f"/activities/{a.pk}/")
    assert told.count() == Employee.objects.filter(user__isnull=False).count()
    r = login(lead).post("/activities/new/", {**form, "title": "Lead's"}, follow=True)
    assert not Activity.objects.filter(title="Lead's").exists()  # not for the whole center
    other_team = Employee.objects.get(user=other_lead).team
    login(lead).post("/activities/new/", {**form, "title": "Other", "team": str(other_team.pk)})
    assert not Activity.objects.filter(title="Other").exists()
    for bad in ({"end": "17:00"}, {"day": "someday"}, {"capacity": "0"}, {"capacity": "x"}):
        login(hr).post("/activities/new/", {**form, "title": "Bad", **bad})
        assert not Activity.objects.filter(title="Bad").exists(), bad


def test_the_demo_fills_every_state(db: None) -> None:
    states = set(Suggestion.objects.values_list("status", flat=True))
    assert states >= {"received", "under_review", "adopted", "declined", "implemented"}
    assert Suggestion.objects.filter(anonymous=True).exists()
    assert Suggestion.objects.filter(award_amount__isnull=False, status="adopted").exists()
    assert Support.objects.exists()
    now = timezone.now()
    assert Activity.objects.filter(starts_at__gt=now).exists()
    assert SignUp.objects.filter(activity__ends_at__lt=now, attended=True).exists()
