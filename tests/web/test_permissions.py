"""The permission matrix: every URL of the app, requested as every persona.

Each route is listed once with who may use it; a route missing from the table fails the test, so
a new page cannot ship without its rule. Outcomes:

- ``ok``: served (any status but 404/403 and not a redirect to the login page; a POST the
  service refuses for the object's state is still 'allowed', e.g. a redirect with a message);
- ``no``: 404 — identical to a missing page, and nothing about the subject leaks;
- ``login``: anonymous, sent to the login page;
- ``refused``: the person may see the object but not act on it; the service refuses with a
  message and nothing changes (checked per route in ``UNCHANGED``);
- ``token``: the route takes an event source's token, never a sign-in: 401 for everyone
  without one (the live events endpoint; its tokens are tested in test_awards.py).

The subject is the ``agent`` persona (customer-service team, led by ``lead``); ``other_*`` are
the telesales team.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from callgrade.baseline.models import BaselineReport
from callgrade.core.models import Job
from callgrade.development.models import Course, Enrolment, Proposal, Session
from callgrade.engagement.models import Activity, Contest, Redemption, StoreItem, Support
from callgrade.engagement.services.suggestions import suggestion_submit
from callgrade.integration.services import integration_create
from callgrade.loads.models import Load, Source
from callgrade.people.models import Correction, Employee
from callgrade.review.models import Appeal, Candidacy, CoachingNote, KeyPost, Nomination
from callgrade.standards.models import PolicyVersion

# Page-level checks that read the same on either database: run in one pass (scripts/test.sh).
pytestmark = pytest.mark.once

PERSONAS = ("anonymous", "agent", "other_agent", "lead", "other_lead", "hr", "head")

# Who may: (agent, other_agent, lead, other_lead, hr, head); anonymous is "login" unless said.
# ``head`` heads another department than the agent's (technical support) and leads no team.
EVERYONE = ("ok", "ok", "ok", "ok", "ok", "ok")
EMPLOYEES = ("ok", "ok", "ok", "ok", "no", "ok")  # pages about 'me': HR here has no employee
SUBJECT = ("ok", "no", "ok", "no", "ok", "no")  # the agent's own data: self, their lead, HR
REVIEW = ("no", "no", "ok", "no", "ok", "no")  # reviewing the agent: their lead and HR, never self
LEADS = ("no", "no", "ok", "ok", "ok", "no")
HR = ("no", "no", "no", "no", "ok", "no")
PROGRAM = ("no", "no", "ok", "ok", "ok", "ok")  # leads their teams, a head their department

# name: (method, who, anonymous outcome)
MATRIX: dict[str, tuple[str, tuple[str, ...], str]] = {
    "home": ("GET", EVERYONE, "login"),
    "login": ("GET", EVERYONE, "ok"),
    "logout": ("POST", EVERYONE, "ok"),
    "password_change": ("GET", EVERYONE, "login"),
    "password_change_done": ("GET", EVERYONE, "login"),
    "set_language": ("POST", EVERYONE, "ok"),
    "notifications": ("GET", EVERYONE, "login"),
    "notifications_read": ("POST", EVERYONE, "login"),
    "me": ("GET", EMPLOYEES, "login"),
    "my_appeals": ("GET", EMPLOYEES, "login"),
    "appeal_new": ("POST", EVERYONE, "login"),  # one's own appeal; the service checks the window
    "person": ("GET", SUBJECT, "login"),
    "person_trend": ("GET", SUBJECT, "login"),
    "person_records": ("GET", SUBJECT, "login"),
    "person_indicators": ("GET", SUBJECT, "login"),
    "team": ("GET", LEADS, "login"),
    "team_charts": ("GET", LEADS, "login"),
    "nominations": ("GET", EVERYONE, "login"),  # each sees only their own/their team's
    "nominations_report": ("GET", HR, "login"),
    # The nominee sees their nomination and the nominator made it; neither may decide it.
    "nomination_decide": ("POST", ("refused", "no", "refused", "no", "ok", "no"), "login"),
    "conflicts": ("GET", EVERYONE, "login"),
    "review_employee": ("GET", REVIEW, "login"),
    "cycles": ("GET", HR, "login"),
    "cycle": ("GET", HR, "login"),
    "cycle_job": ("GET", HR, "login"),
    "cycle_compute": ("POST", HR, "login"),
    "cycle_advance": ("POST", HR, "login"),
    "cycle_results": ("GET", HR, "login"),
    "cycle_calibrate": ("POST", HR, "login"),
    "cycle_override": ("POST", HR, "login"),
    "cycle_departures": ("GET", HR, "login"),
    "cycle_departures_xlsx": ("GET", HR, "login"),
    "cycle_appeals": ("GET", HR, "login"),
    "cycle_appeal_resolve": ("POST", HR, "login"),
    "cycle_audit": ("GET", HR, "login"),
    "cycle_fairness": ("GET", HR, "login"),
    "cycle_fairness_run": ("POST", HR, "login"),
    "cycle_pay_xlsx": ("GET", HR, "login"),
    "cycle_pay_csv": ("GET", HR, "login"),
    "standards": ("GET", HR, "login"),
    "standards_upload": ("POST", HR, "login"),
    "standard_version": ("GET", HR, "login"),
    "standard_edit": ("GET", HR, "login"),
    "standard_suggest": ("POST", HR, "login"),
    "standard_publish": ("POST", HR, "login"),
    "standard_simulate": ("POST", HR, "login"),
    "standard_simulation": ("GET", HR, "login"),
    "standard_acknowledgements": ("GET", HR, "login"),
    "standard_acknowledgements_xlsx": ("GET", HR, "login"),
    "standard_acknowledgements_remind": ("POST", HR, "login"),
    "standard": ("GET", EVERYONE, "login"),
    "standard_acknowledge": ("POST", EMPLOYEES, "login"),
    "org": ("GET", HR, "login"),
    "org_employees": ("GET", HR, "login"),
    "org_employee": ("GET", HR, "login"),
    "org_employees_import": ("GET", HR, "login"),
    "org_employees_import_confirm": ("POST", HR, "login"),
    "org_employees_export_csv": ("GET", HR, "login"),
    "org_employees_export_xlsx": ("GET", HR, "login"),
    "org_logins": ("GET", HR, "login"),
    "employee_level_set": ("POST", HR, "login"),
    "employee_password_reset": ("POST", HR, "login"),
    "employee_training": ("POST", HR, "login"),
    "employee_assessment": ("POST", HR, "login"),
    "employee_attribute": ("POST", HR, "login"),
    "corrections": ("GET", HR, "login"),
    "corrections_csv": ("GET", HR, "login"),
    "corrections_xlsx": ("GET", HR, "login"),
    "correction_withdraw": ("POST", HR, "login"),
    "appeals_inbox": ("GET", HR, "login"),
    "records_import": ("GET", HR, "login"),
    "records_import_confirm": ("POST", HR, "login"),
    # suggestions: the subject's, anonymous; nobody supports their own
    "suggestions": ("GET", EVERYONE, "login"),
    "suggestion": ("GET", EVERYONE, "login"),
    "suggestion_new": ("GET", EMPLOYEES, "login"),
    "my_suggestions": ("GET", EMPLOYEES, "login"),
    "suggestion_support": ("POST", ("refused", "ok", "ok", "ok", "no", "ok"), "login"),
    "suggestions_inbox": ("GET", HR, "login"),
    "suggestions_xlsx": ("GET", HR, "login"),
    "suggestion_status": ("POST", HR, "login"),
    "suggestion_award": ("POST", HR, "login"),
    # activities: one of the subject's team, coming up, organized by their lead
    "activities": ("GET", EVERYONE, "login"),
    "activity": ("GET", SUBJECT, "login"),
    "activity_new": ("GET", LEADS, "login"),
    "activity_signup": ("POST", ("ok", "no", "ok", "no", "no", "no"), "login"),
    "activity_cancel": ("POST", ("ok", "no", "ok", "no", "no", "no"), "login"),
    "activity_participation": ("POST", REVIEW, "login"),
    # development: a session open to everyone, a proposal about the subject
    "my_development": ("GET", EMPLOYEES, "login"),
    "team_development": ("GET", LEADS, "login"),
    "session_enrol": ("POST", EVERYONE, "login"),  # HR has no employee record: told so
    "proposal_decide": ("POST", ("refused", "no", "ok", "no", "ok", "no"), "login"),
    "development_catalog": ("GET", HR, "login"),
    "course_new": ("POST", HR, "login"),
    "session_new": ("POST", HR, "login"),
    "placement_new": ("POST", HR, "login"),
    "development_session": ("GET", HR, "login"),
    "session_attendance": ("POST", HR, "login"),
    "session_edit": ("POST", HR, "login"),
    "session_cancel": ("POST", HR, "login"),
    "development_proposals": ("GET", HR, "login"),
    "development_report": ("GET", HR, "login"),
    "development_report_xlsx": ("GET", HR, "login"),
    # feedback: the subject attended the session; HR has no employee record
    "session_feedback": ("GET", ("ok", "no", "no", "no", "no", "no"), "login"),
    "course_questions": ("GET", HR, "login"),
    "team_feedback": ("GET", LEADS, "login"),
    # coaching: a note about the subject written by their lead; only the subject acknowledges
    "coaching": ("GET", LEADS, "login"),
    "coaching_new": ("GET", LEADS, "login"),
    "coaching_note": ("GET", SUBJECT, "login"),
    "coaching_respond": ("POST", ("ok", "no", "refused", "no", "refused", "no"), "login"),
    "coaching_follow_up": ("POST", REVIEW, "login"),
    "my_coaching": ("GET", EMPLOYEES, "login"),
    # the talent pool: HR's alone; the subject is shortlisted for a key post
    "talent": ("GET", HR, "login"),
    "talent_post_new": ("GET", HR, "login"),
    "talent_post": ("GET", HR, "login"),
    "talent_candidates_xlsx": ("GET", HR, "login"),
    "talent_shortlist": ("POST", HR, "login"),
    "talent_assess": ("POST", HR, "login"),
    "talent_decide": ("POST", HR, "login"),
    "integrations": ("GET", HR, "login"),
    # awards: one's own (page and live stream), the ledger for leads (their teams) and HR
    "my_awards": ("GET", EMPLOYEES, "login"),
    "my_awards_stream": ("GET", EMPLOYEES, "login"),
    "awards": ("GET", LEADS, "login"),
    "live_events": ("POST", ("token",) * 6, "token"),
    # the points store: the subject has a request waiting; only they withdraw it, HR decides
    "my_store": ("GET", EMPLOYEES, "login"),
    "store_request": ("POST", EMPLOYEES, "login"),
    "redemption_cancel": ("POST", ("ok", "no", "no", "no", "no", "no"), "login"),
    "store": ("GET", HR, "login"),
    "store_switch": ("POST", HR, "login"),
    "store_item_new": ("POST", HR, "login"),
    "store_item_edit": ("POST", HR, "login"),
    "redemption_decide": ("POST", HR, "login"),
    # contests: a judged contest of the subject's team, opened by their lead
    "contests": ("GET", EVERYONE, "login"),
    "contest_new": ("GET", LEADS, "login"),
    "contest": ("GET", SUBJECT, "login"),
    "contest_scores": ("POST", REVIEW, "login"),
    "contest_freeze": ("POST", REVIEW, "login"),
    "contest_edit": ("GET", REVIEW, "login"),  # the creator (the lead) and HR; started: a message
    "contest_cancel": ("POST", REVIEW, "login"),
    "contest_stream": ("GET", SUBJECT, "login"),
    "my_contests": ("GET", EMPLOYEES, "login"),
    "baseline": ("GET", HR, "login"),
    # the program dashboard: HR the center, a lead their own teams, a head their department
    "program": ("GET", PROGRAM, "login"),
    "program_xlsx": ("GET", PROGRAM, "login"),
    "baseline_run": ("POST", HR, "login"),
    "baseline_job": ("GET", HR, "login"),
    "baseline_xlsx": ("GET", HR, "login"),
    "baseline_print": ("GET", HR, "login"),
    "integration_revoke": ("POST", HR, "login"),
    # intraday: each reads their own scope (HR all, a lead their teams, an agent themselves)
    "intraday": ("GET", EVERYONE, "login"),
    "intraday_xlsx": ("GET", EVERYONE, "login"),
    "loads": ("GET", HR, "login"),
    "load": ("GET", HR, "login"),
    "load_job": ("GET", HR, "login"),
    "load_rejects_csv": ("GET", HR, "login"),
    "load_undo": ("POST", HR, "login"),  # the fixture's load failed: refused with a message
    "sources": ("GET", HR, "login"),
    "source_run": ("POST", HR, "login"),  # the fixture's folder is missing: a message
}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith("admin/"):
                continue  # Django admin: staff only, tested separately
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and not (prefix + str(p.pattern)).startswith("api/"):
            # the integration API takes tokens, not sign-ins: test_api_permissions.py
            yield p.name or "", prefix + str(p.pattern)


ROUTES = dict(_routes(get_resolver().url_patterns))


def test_every_route_is_in_the_matrix() -> None:
    assert set(ROUTES) == set(MATRIX), (
        f"missing: {sorted(set(ROUTES) - set(MATRIX))}; stale: {sorted(set(MATRIX) - set(ROUTES))}"
    )


@pytest.fixture
def objects(agent: Any, lead: Any, demo_cycle: Any) -> dict[str, Any]:
    """One object of each kind about the subject, for the routes that name one."""
    subject = Employee.objects.get(user=agent)
    version = PolicyVersion.objects.get(status=PolicyVersion.PUBLISHED)
    nomination = Nomination.objects.create(
        cycle=demo_cycle, employee=subject, level_to="senior", reason="strong", nominated_by=lead
    )
    appeal = Appeal.objects.create(cycle=demo_cycle, employee=subject, reason="r", filed_by=agent)
    job = Job.objects.create(kind="policy_simulate", arguments={"version": version.pk})
    correction = Correction.objects.create(
        employee=subject,
        target_table="qa_evaluations",
        record_id="QA-1",
        field="score",
        value="90",
        reason="re-evaluated",
        by=lead,
    )
    suggestion = suggestion_submit(
        actor=agent, title="Queue wallboard", text="Show waiting calls", category="tools",
        anonymous=True,
    )  # fmt: skip
    soon = timezone.now() + dt.timedelta(days=3)
    activity = Activity.objects.create(
        title="Team lunch", team=subject.team, starts_at=soon, place="Canteen",
        ends_at=soon + dt.timedelta(hours=1), capacity=10, organizer=lead,
    )  # fmt: skip
    contest = Contest.objects.create(
        title="Greeting contest", metric=Contest.JUDGED, team=subject.team, created_by=lead,
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 31),
    )  # fmt: skip
    course, _ = Course.objects.get_or_create(
        training="courtesy", defaults={"title_zh": "服务礼仪", "title_en": "Courtesy",
                                       "kind": "service"},
    )  # fmt: skip
    session = Session.objects.create(
        course=course, starts_at=soon, ends_at=soon + dt.timedelta(hours=2), trainer="Lin",
        capacity=10, place="Room 2", open_to_all=True,
    )  # fmt: skip
    Enrolment.objects.create(session=session, employee=subject, attended=True)
    proposal = Proposal.objects.create(
        employee=subject, gap_key="permissions|E", rule="retraining_decided", kind="retrain",
        training="courtesy", course=course, evidence={"kind": "retrain", "action": "retrain"},
    )  # fmt: skip
    integration, _token = integration_create(
        name="LMS", acting_user=lead, scopes=["read:people"], actor=None
    )
    note = CoachingNote.objects.create(
        employee=subject, author=lead, held_on=dt.date(2026, 3, 2), notes="Hold times",
        actions="Shadow a senior", follow_up_on=dt.date(2026, 3, 16),
    )  # fmt: skip
    admin = get_user_model().objects.get(username="admin")
    post = KeyPost.objects.create(title="QA inspector", kind=KeyPost.QUALITY, created_by=admin)
    candidacy = Candidacy.objects.create(key_post=post, employee=subject, shortlisted_by=admin)
    source = Source.objects.create(
        name="inbox", kind=Source.DROP, format="queue_log", folder="/nonexistent/callgrade-in"
    )
    load = Load.objects.create(
        filename="queue_log.txt", format="queue_log", state=Load.FAILED, error="empty"
    )
    report = BaselineReport.objects.order_by("id").first()
    assert report is not None  # the demo seed computes one
    item = StoreItem.objects.create(name_zh="餐券", name_en="Meal voucher", cost=1, stock=5)
    redemption = Redemption.objects.create(
        employee=subject, item=item, points=1, requested_by=agent
    )
    return {
        "item_id": item.pk,
        "redemption_id": redemption.pk,
        "note_id": note.pk,
        "post_id": post.pk,
        "candidacy_id": candidacy.pk,
        "load_id": load.pk,
        "source_id": source.pk,
        "report_id": report.pk,
        "suggestion_id": suggestion.pk,
        "activity_id": activity.pk,
        "contest_id": contest.pk,
        "integration_id": integration.pk,
        "session_id": session.pk,
        "course_id": course.pk,
        "proposal_id": proposal.pk,
        "employee_id": subject.employee_id,
        "employee_pk": subject.pk,
        "cycle_id": demo_cycle.pk,
        "version_id": version.pk,
        "nomination_id": nomination.pk,
        "appeal_id": appeal.pk,
        "job_id": job.pk,
        "correction_id": correction.pk,
        "name": subject.name,
    }


def _url(route: str, objects: dict[str, Any]) -> str:
    path = route
    for key, value in objects.items():
        for conv in ("int", "str"):
            path = path.replace(f"<{conv}:{key}>", str(value))
    assert "<" not in path, f"no object for {route}"
    query = ""
    if "records" in path:
        query = f"?cycle={objects['cycle_id']}&period=2026-01&kpi=answer_rate"
    elif "indicators" in path:
        query = f"?cycle={objects['cycle_id']}&period=2026-01"
    elif path.startswith("intraday."):  # a week of every agent: every name is in the file
        query = "?by=agent&grain=60min&from=2026-02-22T00:00&to=2026-03-01T00:00"
    return "/" + path + query


# POST bodies for routes that name their object in the form.
BODIES: dict[str, dict[str, str]] = {
    "cycle_calibrate": {"employee_id": "{employee_id}", "period": "2026-01", "rating": "A"},
    "cycle_override": {"employee_id": "{employee_id}", "level": "senior"},
    "nomination_decide": {"decision": "approve", "reason": "deserved"},
    "suggestion_status": {"to": "under_review"},
    "suggestion_award": {"amount": "100", "reason": "useful"},
    "employee_attribute": {"name": "shift", "value": "night"},
    "coaching_respond": {"reply": "I agree"},
    "coaching_follow_up": {"outcome": "Hold times are down"},
    "talent_shortlist": {"employee": "{employee_pk}"},
    "talent_assess": {"score": "80", "notes": "clear answers"},
    "talent_decide": {"decision": "decline", "reason": "not yet"},
    "baseline_run": {"period": "2026-01"},
    "store_item_new": {"name_zh": "电影票", "name_en": "Cinema ticket", "cost": "20", "stock": "3"},
    "store_item_edit": {"name_en": "Meal voucher", "cost": "2", "stock": "4"},
    "redemption_decide": {"decision": "decline", "reason": "out of season"},
    "contest_cancel": {"reason": "the team moves to another site"},
}
# A redirect to the login page is what these routes do when served.
LOGIN_IS_SERVED = {"logout"}


def _nomination_pending(objects: dict[str, Any]) -> bool:
    return Nomination.objects.get(pk=objects["nomination_id"]).state == Nomination.PENDING


def _own_unsupported(objects: dict[str, Any]) -> bool:
    return not Support.objects.filter(suggestion_id=objects["suggestion_id"]).exists()


def _proposal_open(objects: dict[str, Any]) -> bool:
    return Proposal.objects.get(pk=objects["proposal_id"]).state == Proposal.PROPOSED


def _note_unanswered(objects: dict[str, Any]) -> bool:
    note = CoachingNote.objects.get(pk=objects["note_id"])
    return note.acknowledged_at is None and not note.reply


UNCHANGED = {
    "nomination_decide": _nomination_pending,
    "suggestion_support": _own_unsupported,
    "proposal_decide": _proposal_open,
    "coaching_respond": _note_unanswered,
}

CASES = [(name, persona) for name in sorted(MATRIX) for persona in PERSONAS]


@pytest.mark.parametrize(("name", "persona"), CASES)
def test_matrix(name: str, persona: str, objects: dict[str, Any], login: Any) -> None:
    from django.contrib.auth import get_user_model

    method, who, anonymous = MATRIX[name]
    expected = anonymous if persona == "anonymous" else who[PERSONAS.index(persona) - 1]
    user = None if persona == "anonymous" else get_user_model().objects.get(username=persona)
    client = login(user)
    url = _url(ROUTES[name], objects)
    body = {k: v.format(**objects) for k, v in BODIES.get(name, {}).items()}
    response = client.post(url, body) if method == "POST" else client.get(url)
    status = response.status_code
    location = response.get("Location", "") if status in (301, 302) else ""
    if expected == "no":
        assert status == 404, f"{persona} {method} {url}: {status}, expected 404"
        assert objects["name"].encode() not in response.content
    elif expected == "refused":
        assert status < 500 and UNCHANGED[name](objects), f"{persona} {method} {url}: acted"
    elif expected == "token":
        assert status == 401 and b"token" in response.content, f"{persona} {url}: {status}"
    elif expected == "login":
        assert status == 302 and "/accounts/login/" in location, (
            f"{persona} {method} {url}: {status} {location}, expected the login page"
        )
    else:
        served_login = name in LOGIN_IS_SERVED
        assert status not in (403, 404) and (served_login or "/accounts/login/" not in location), (
            f"{persona} {method} {url}: {status} {location}, expected to be served"
        )
        assert status < 500
