"""A property-based fuzzer over the API's own OpenAPI document (schemathesis): requests generated
from the schema — valid ones and ones the schema forbids — sent with a token holding every scope
and acting as HR, must never be answered with a 5xx nor with anything the document does not
describe (status, content type, headers, body), and what the schema forbids must be refused.

One check is left out: that every schema-valid request succeeds. A write names a position or a
training the grading standard must know, and an employee the identity may record for; those are
data, not schema, and are refused with a 400 naming the field. The facts endpoints
(/qa-evaluations/, /survey-responses/) take a list and check each record on its own: a record the
schema forbids is one of the answer's ``rejects`` while the others load, so a request holding one
is answered 200 there, by design (tests/web/test_api_facts.py); what is not a list of records
at all is still a 400."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from callgrade.integration.scopes import SCOPES
from callgrade.integration.services import integration_create

PER_RECORD = ("/api/v1/qa-evaluations/", "/api/v1/survey-responses/")
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
pytestmark = pytest.mark.once  # minutes of generated requests: one database pass is enough


@pytest.fixture(autouse=True)
def _one_connection() -> Any:
    """Requests go straight to the WSGI application, which closes the database connection after
    each one; keep it, as Django's test client does, so the test's transaction survives."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(hr: Any, tmp_path: Path) -> str:
    django_settings.DATA_DIR = tmp_path / "data"  # the facts it loads go to a warehouse of its own
    _integration, token = integration_create(
        name="fuzzer", acting_user=hr, scopes=sorted(SCOPES), actor=None
    )
    return token


@SCHEMA.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any, token: str) -> None:
    excluded = [schemathesis.checks.positive_data_acceptance]
    if case.path in PER_RECORD:
        excluded.append(schemathesis.checks.negative_data_rejection)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded)
