"""Writing warehouse facts through the API: QA evaluations and survey responses are checked record
by record, the accepted ones loaded as one load HR sees and can undo, every record accounted for
(read = accepted + rejected, each reject by position, field and reason), and sending the same
records again adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from callgrade.core.models import AuditEvent
from callgrade.engine.warehouse import Warehouse
from callgrade.integration.services import integration_create
from callgrade.loads.models import Load
from callgrade.loads.services.loads import load_undo, rejects

QA = [
    {
        "evaluation_id": "QA-1",
        "agent_id": "E0006",
        "evaluated_at": "2026-03-02T10:00:00+08:00",
        "score": 92.5,
        "evaluator": "=HYPERLINK(1)",  # text is data, kept as sent
    },
    {
        "evaluation_id": "QA-2",
        "agent_id": "E0006",
        "evaluated_at": "2026-03-02T11:00:00Z",
        "score": 101,
    },
    {
        "evaluation_id": "QA-3",
        "agent_id": "E0002",
        "evaluated_at": "2026-03-03T09:00:00Z",
        "score": 70,
        "critical_fail": True,
        "form": "投诉处理",
    },
    {"evaluation_id": "QA-4", "agent_id": "E0006", "score": 80, "scroe": 80},
    "not a record",
    {
        "evaluation_id": "QA-5",
        "agent_id": "NOBODY",
        "evaluated_at": "2026-03-04T09:00:00Z",
        "score": 60,
    },
]


@pytest.fixture
def data(tmp_path: Path, db: None) -> Path:
    """An empty warehouse of the test's own, so the session's demo warehouse stays as it was."""
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


def client(user: Any, scopes: list[str], name: str = "QA system") -> Client:
    _i, token = integration_create(name=name, acting_user=user, scopes=scopes, actor=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def post(c: Client, url: str, body: Any) -> Any:
    return c.post(url, body, content_type="application/json")


def test_qa_records_are_accounted_loaded_as_one_load_and_undone(hr: Any, data: Path) -> None:
    r = post(client(hr, ["write:qa"]), "/api/v1/qa-evaluations/", QA)
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["read"], body["accepted"], body["rejected"], body["added"]) == (6, 3, 3, 3)
    places = [(x["index"], x["field"]) for x in body["rejects"]]
    assert places == [(1, "score"), (3, "scroe"), (4, None)]
    assert "100" in next(x["reason"] for x in body["rejects"] if x["field"] == "score")
    # a record naming an agent nobody knows is a warehouse fact, as the command line takes it
    rows = {r["evaluation_id"]: r for r in Warehouse(data).read("qa_evaluations").to_pylist()}
    assert sorted(rows) == ["QA-1", "QA-3", "QA-5"]
    assert rows["QA-1"]["evaluator"] == "=HYPERLINK(1)"
    assert rows["QA-1"]["evaluated_at"].isoformat() == "2026-03-02T02:00:00+00:00"
    assert rows["QA-3"]["critical_fail"] is True and rows["QA-1"]["critical_fail"] is False
    load = Load.objects.get(pk=body["load"])
    assert load.origin == Load.API and load.state == Load.DONE and load.batch == body["batch"]
    assert (load.read, load.accepted, load.rejected) == (6, 3, 3)
    assert load.added == {"qa_evaluations": 3}
    assert rows["QA-1"]["source_ref"].endswith(":2")  # the load keeps the file it read
    assert (Path(data) / "loads" / str(load.pk) / load.filename).exists()
    kept = rejects(load)
    assert [(x["line"], x["field"]) for x in kept] == [("2", "score"), ("4", "scroe"), ("5", "")]
    assert AuditEvent.objects.filter(action="load_create", object_id=str(load.pk)).exists()
    # HR undoes it on /data/loads/: exactly its records go
    assert load_undo(load=load, actor=hr) == {"qa_evaluations": 3}
    assert Warehouse(data).count("qa_evaluations") == 0


def test_the_same_records_again_add_nothing(hr: Any, data: Path) -> None:
    c = client(hr, ["write:qa"])
    first = post(c, "/api/v1/qa-evaluations/", QA[:1]).json()
    again = post(c, "/api/v1/qa-evaluations/", QA[:1]).json()
    assert (first["accepted"], first["added"]) == (1, 1)
    assert (again["accepted"], again["added"]) == (1, 0)
    assert Warehouse(data).count("qa_evaluations") == 1
    # undoing the second load leaves the record the first one holds
    load_undo(load=Load.objects.get(pk=again["load"]), actor=hr)
    assert Warehouse(data).count("qa_evaluations") == 1
    load_undo(load=Load.objects.get(pk=first["load"]), actor=hr)
    assert Warehouse(data).count("qa_evaluations") == 0


def test_survey_responses_and_their_bounds(hr: Any, data: Path) -> None:
    records = [
        {
            "survey_id": "S1",
            "agent_id": "E0006",
            "responded_at": "2026-03-02T10:00:00Z",
            "csat": 5,
            "nps": 9,
            "resolved": True,
        },
        {"survey_id": "S2", "responded_at": "2026-03-02T10:00:00Z"},  # about nobody: kept
        {"survey_id": "S3", "responded_at": "2026-03-02T10:00:00Z", "csat": 7},
        {"survey_id": "S4", "responded_at": "0001-01-01T00:00:00+05:00", "nps": 0},
        {"survey_id": "", "responded_at": "yesterday"},
    ]
    r = post(client(hr, ["write:surveys"]), "/api/v1/survey-responses/", records)
    body = r.json()
    # the last record is wrong in two fields: two rejects, one rejected record
    assert (body["read"], body["accepted"], body["rejected"]) == (5, 2, 3)
    assert {(x["index"], x["field"]) for x in body["rejects"]} == {
        (2, "csat"),
        (3, "responded_at"),
        (4, "survey_id"),
        (4, "responded_at"),
    }
    table = Warehouse(data).read("surveys").to_pylist()
    assert {(x["survey_id"], x["csat"], x["resolved"]) for x in table} == {
        ("S1", 5.0, True),
        ("S2", None, None),
    }


def test_all_rejected_is_a_load_with_nothing_to_undo(hr: Any, data: Path) -> None:
    body = post(client(hr, ["write:qa"]), "/api/v1/qa-evaluations/", [{"score": -1}]).json()
    assert (body["read"], body["accepted"], body["rejected"], body["batch"]) == (1, 0, 1, "")
    load = Load.objects.get(pk=body["load"])
    assert load.state == Load.DONE and load.read == load.rejected == 1


@pytest.mark.parametrize("body", [{}, [], {"records": []}, '"x"', [{}] * 5001])
def test_a_body_that_is_not_a_list_of_records_is_refused(hr: Any, data: Path, body: Any) -> None:
    r = post(client(hr, ["write:qa"]), "/api/v1/qa-evaluations/", body)
    assert r.status_code == 400 and "non_field_errors" in r.json()
    assert not Load.objects.filter(origin=Load.API).exists()


def test_writing_facts_is_hr_only(lead: Any, data: Path) -> None:
    r = post(client(lead, ["write:qa"]), "/api/v1/qa-evaluations/", QA[:1])
    assert r.status_code == 404
    assert not Load.objects.filter(origin=Load.API).exists()
    assert Warehouse(data).count("qa_evaluations") == 0


def test_the_loads_page_shows_an_api_load(login: Any, hr: Any, data: Path) -> None:
    body = post(client(hr, ["write:qa"]), "/api/v1/qa-evaluations/", QA).json()
    page = login(hr).get(f"/data/loads/{body['load']}/").content.decode()
    assert "integration API" in page and "scroe" in page
    listing = login(hr).get("/data/loads/?origin=api").content.decode()
    assert listing.count("data-load=") == 1
