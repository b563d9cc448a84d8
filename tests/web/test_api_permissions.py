"""The API's permission matrix: every /api/v1/ endpoint, called with a token acting as every
persona, with and without the endpoint's scope, and without a token.

Outcomes, as on the pages (tests/web/test_permissions.py, which leaves /api/ to this file):
``ok`` served; ``no`` 404, identical to a missing object, nothing about the subject leaks;
``refused`` 400 and nothing changes (a write naming someone the identity may not record for).
Without a token every endpoint but the schema is a 401; a token lacking the scope is a 403.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from callgrade.integration.scopes import SCOPES
from callgrade.integration.services import integration_create, integration_revoke
from callgrade.loads.models import Load
from callgrade.people.models import Employee, TrainingRecord
from callgrade.people.services.records import standards_catalog

PERSONAS = ("agent", "other_agent", "lead", "other_lead", "hr")
EVERYONE = ("ok", "ok", "ok", "ok", "ok")
SUBJECT = ("ok", "no", "ok", "no", "ok")  # the agent's own data: self, their lead, HR
HR_ONLY = ("no", "no", "no", "no", "ok")
HR_RECORDS = ("refused", "refused", "refused", "refused", "ok")

RESULTS = "read:kpis read:scorecards read:decisions read:pay"
# (name, method): (the scopes any of which opens it, who)
MATRIX: dict[tuple[str, str], tuple[str | None, tuple[str, ...]]] = {
    ("api_schema", "GET"): (None, EVERYONE),
    ("api_people", "GET"): ("read:people", EVERYONE),  # each sees whom the pages show them
    ("api_people", "POST"): ("write:people", HR_ONLY),
    ("api_person", "GET"): ("read:people", SUBJECT),
    ("api_trainings", "GET"): ("read:people", EVERYONE),
    ("api_trainings", "POST"): ("write:trainings", HR_RECORDS),
    # loading warehouse facts is HR's, as on /data/loads/
    ("api_qa_evaluations", "POST"): ("write:qa", HR_ONLY),
    ("api_survey_responses", "POST"): ("write:surveys", HR_ONLY),
    ("api_cycles", "GET"): (RESULTS, EVERYONE),
    # the demo cycle is published: each sees the results the pages show them
    ("api_cycle_kpis", "GET"): ("read:kpis", EVERYONE),
    ("api_cycle_scorecards", "GET"): ("read:scorecards", EVERYONE),
    ("api_cycle_decisions", "GET"): ("read:decisions", EVERYONE),
    ("api_cycle_pay", "GET"): ("read:pay", EVERYONE),
}


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and (prefix + str(p.pattern)).startswith("api/"):
            yield p.name or "", prefix + str(p.pattern)


ROUTES = dict(_routes(get_resolver().url_patterns))


def test_every_api_route_is_in_the_matrix() -> None:
    assert set(ROUTES) == {name for name, _method in MATRIX}


def token_client(user: Any, scopes: list[str], name: str = "test") -> Client:
    _integration, token = integration_create(name=name, acting_user=user, scopes=scopes, actor=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def objects(agent: Any, demo_cycle: Any) -> dict[str, Any]:
    subject = Employee.objects.get(user=agent)
    trainings = standards_catalog()["trainings"]
    return {
        "employee_id": subject.employee_id,
        "cycle_id": demo_cycle.pk,
        "name": subject.name,
        "position": subject.position,
        "training": trainings[0] if trainings else "courtesy",
    }


def _url(route: str, objects: dict[str, Any]) -> str:
    path = route
    for key in ("employee_id", "cycle_id"):
        for conv in ("int", "str"):
            path = path.replace(f"<{conv}:{key}>", str(objects[key]))
    return "/" + path


def _body(name: str, objects: dict[str, Any]) -> Any:
    if name == "api_qa_evaluations":
        when = "2026-03-02T10:00:00Z"
        return [{"evaluation_id": "QA-1", "agent_id": objects["employee_id"], "score": 90,
                 "evaluated_at": when}]  # fmt: skip
    if name == "api_survey_responses":
        return [{"survey_id": "S-1", "agent_id": objects["employee_id"], "csat": 5,
                 "responded_at": "2026-03-02T10:00:00Z"}]  # fmt: skip
    if name == "api_people":
        person = {"employee_id": "E7001", "name": "New Colleague", "position": objects["position"]}
        return {"people": [person]}
    return {
        "employee_id": objects["employee_id"],
        "training": objects["training"],
        "completed_at": "2026-02-10",
        "exam_score": 90,
        "passed": True,
        "source_ref": "LMS-1",
    }


def _call(client: Client, method: str, url: str, body: Any) -> Any:
    if method == "POST":
        return client.post(url, body, content_type="application/json")
    return client.get(url)


CASES = [(name, method, persona) for (name, method) in sorted(MATRIX) for persona in PERSONAS]


@pytest.mark.parametrize(("name", "method", "persona"), CASES)
def test_matrix(
    name: str, method: str, persona: str, objects: dict[str, Any], db: None, tmp_path: Path
) -> None:
    scope, who = MATRIX[(name, method)]
    # writes into the warehouse go to one of the test's own, not the session's demo
    settings.DATA_DIR = tmp_path / "data"
    loads = Load.objects.count()
    expected = who[PERSONAS.index(persona)]
    user = get_user_model().objects.get(username=persona)
    url, body = _url(ROUTES[name], objects), _body(name, objects)
    before = (Employee.objects.count(), TrainingRecord.objects.count())
    r = _call(token_client(user, sorted(SCOPES)), method, url, body)
    if expected == "no":
        assert r.status_code == 404, f"{persona} {method} {url}: {r.status_code}"
        assert objects["name"].encode() not in r.content
    elif expected == "refused":
        assert r.status_code == 400, f"{persona} {method} {url}: {r.status_code}"
        assert "employee_id" in r.json()
        assert (Employee.objects.count(), TrainingRecord.objects.count()) == before
    if expected != "ok":
        assert Load.objects.count() == loads
    else:
        assert r.status_code in (200, 201), f"{persona} {method} {url}: {r.status_code} {r.content}"
    if scope is None:
        return
    # the same call without the scope, and without a token
    others = sorted(set(SCOPES) - set(scope.split()))
    lacking = _call(token_client(user, others, "lacking"), method, url, body)
    assert lacking.status_code == 403 and scope.split()[0] in lacking.json()["detail"]
    anonymous = _call(Client(), method, url, body)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_or_wrong_token_is_refused(hr: Any) -> None:
    integration, token = integration_create(
        name="payroll", acting_user=hr, scopes=["read:pay"], actor=hr
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/cycles/").status_code == 200
    integration_revoke(integration=integration, actor=hr)
    assert client.get("/api/v1/cycles/").status_code == 401
    wrong = Client(HTTP_AUTHORIZATION=f"Bearer {token[:-1]}x")
    assert wrong.get("/api/v1/cycles/").status_code == 401
    session = Client()
    session.force_login(hr)  # a signed-in browser is not an integration
    assert session.get("/api/v1/cycles/").status_code == 401
