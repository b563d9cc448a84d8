"""The integration API: what an identity sees is what the pages show it; writes are validated
with field-named messages and go through the pages' services; tokens are shown once."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client

from callgrade.core.models import AuditEvent
from callgrade.integration.models import Integration
from callgrade.integration.scopes import SCOPES
from callgrade.integration.services import integration_create
from callgrade.people.access import visible_employees
from callgrade.people.models import Employee, TrainingRecord
from callgrade.people.services.records import standards_catalog

NUMBERS = itertools.count()


def client_for(user: Any, scopes: list[str] | None = None) -> Client:
    _integration, token = integration_create(
        name=f"test {user.username} {next(NUMBERS)}",
        acting_user=user,
        scopes=scopes or sorted(SCOPES),
        actor=None,
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def test_only_a_hash_of_the_token_is_kept(hr: Any) -> None:
    integration, token = integration_create(
        name="LMS", acting_user=hr, scopes=["write:trainings"], actor=hr
    )
    stored = Integration.objects.get(pk=integration.pk)
    assert token.startswith("cgk_") and len(token) > 40
    assert token not in (stored.token_hash, stored.token_hint, str(stored.__dict__))
    event = AuditEvent.objects.get(action="integration_create", object_id=str(integration.pk))
    assert token not in str(event.after)


def test_people_are_those_the_acting_user_sees(agent: Any, lead: Any, hr: Any) -> None:
    for user in (agent, lead, hr):
        ids = [p["employee_id"] for p in _all(client_for(user), "/api/v1/people/")]
        expected = list(visible_employees(user).order_by("employee_id"))
        assert ids == [e.employee_id for e in expected]
    me = Employee.objects.get(user=agent)
    assert [
        p["employee_id"] for p in _all(client_for(agent, ["read:people"]), "/api/v1/people/")
    ] == [me.employee_id]


def _all(client: Client, url: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    while url:
        page = client.get(url).json()
        out += page["results"]
        url = page["next"]
    return out


def test_results_follow_the_pages_visibility(
    agent: Any, other_agent: Any, hr: Any, demo_cycle: Any
) -> None:
    me = Employee.objects.get(user=agent)
    url = f"/api/v1/cycles/{demo_cycle.pk}/kpis/?employee_id={me.employee_id}&limit=1000"
    mine = client_for(agent).get(url).json()
    assert mine["count"] > 0 and {r["employee_id"] for r in mine["results"]} == {me.employee_id}
    assert client_for(other_agent).get(url).json()["count"] == 0  # another team's agent
    everyone = client_for(hr).get(f"/api/v1/cycles/{demo_cycle.pk}/scorecards/?period=2026-01")
    assert everyone.json()["count"] == visible_employees(hr).count() or everyone.json()["count"] > 1
    pay = client_for(hr).get(f"/api/v1/cycles/{demo_cycle.pk}/pay/?limit=1").json()
    assert pay["results"] and isinstance(pay["results"][0]["amount"], str)
    assert client_for(hr).get("/api/v1/cycles/999999/decisions/").status_code == 404
    assert client_for(hr).get(f"/api/v1/cycles/{2**70}/kpis/").status_code == 404


def test_recording_a_training_is_validated_and_idempotent(hr: Any, agent: Any, login: Any) -> None:
    client = client_for(hr)
    me = Employee.objects.get(user=agent)
    known = standards_catalog()["trainings"]
    bad = client.post(
        "/api/v1/trainings/",
        {
            "employee_id": "E9999",
            "training": "cooking",
            "completed_at": "2026-02-30",
            "exam_score": 120,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) == {"completed_at", "exam_score"}  # the shape first
    bad = client.post(
        "/api/v1/trainings/",
        {"employee_id": "E9999", "training": "cooking", "completed_at": "2026-02-10"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and set(bad.json()) == {"employee_id", "training"} - (
        set() if known else {"training"}
    )
    body = {
        "employee_id": me.employee_id,
        "training": known[0],
        "completed_at": "2026-02-10",
        "exam_score": 88,
        "passed": True,
        "source_ref": "LMS-77",
    }
    before = TrainingRecord.objects.count()
    made = client.post("/api/v1/trainings/", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["source_ref"] == "LMS-77" and made.json()["source"] == "api"
    again = client.post("/api/v1/trainings/", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"]
    assert TrainingRecord.objects.count() == before + 1
    assert AuditEvent.objects.filter(action="training_record", object_id=str(me.pk)).exists()
    page = login(hr)
    page.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    assert "由其他系统发送" in page.get(f"/org/employees/{me.employee_id}/").content.decode()


def test_writing_people_uses_the_import_rules(hr: Any, agent: Any) -> None:
    client = client_for(hr)
    position = Employee.objects.get(user=agent).position
    bad = client.post(
        "/api/v1/people/",
        {
            "people": [
                {"employee_id": "E7001", "name": "A", "position": position},
                {"employee_id": "E7002", "name": "B", "position": "astronaut"},
            ]
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    errors = bad.json()["people"]
    assert set(errors) == {"1"} and "astronaut" in errors["1"]["position"][0]
    assert not Employee.objects.filter(employee_id="E7001").exists()  # all or nothing
    shape = client.post(
        "/api/v1/people/", {"people": [{"name": "C"}]}, content_type="application/json"
    )
    assert shape.status_code == 400 and "employee_id" in shape.json()["people"]["0"]
    ok = client.post(
        "/api/v1/people/",
        {
            "people": [
                {
                    "employee_id": "E7001",
                    "name": "A",
                    "position": position,
                    "hire_date": "2026-03-01",
                }
            ]
        },
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["create"] == 1
    assert str(Employee.objects.get(employee_id="E7001").hire_date) == "2026-03-01"
    not_json = client.post("/api/v1/people/", "{", content_type="application/json")
    assert not_json.status_code == 400


def test_hr_makes_an_integration_sees_its_token_once_and_revokes_it(login: Any, hr: Any) -> None:
    c = login(hr)
    page = c.get("/org/integrations/")
    assert page.status_code == 200 and "学习平台" in page.content.decode()  # the demo's
    made = c.post(
        "/org/integrations/",
        {"name": "WFM", "acting_user": str(hr.pk), "scopes": ["read:kpis", "bogus"]},
    )
    token = made.context["token"]
    assert token.startswith("cgk_") and token in made.content.decode()
    assert made["Cache-Control"] == "no-store"
    integration = Integration.objects.get(name="WFM")
    assert integration.scopes == ["read:kpis"]
    assert token not in c.get("/org/integrations/").content.decode()  # shown once
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/cycles/").status_code == 200
    assert c.post(f"/org/integrations/{integration.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/cycles/").status_code == 401
    refused = c.post("/org/integrations/", {"name": "", "acting_user": str(hr.pk)})
    assert refused.status_code == 200 and "token" not in refused.context
