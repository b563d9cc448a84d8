"""The fairness audit in the app: computed with the cycle and on demand, its findings on the
cycle page, roster attributes recorded and imported by HR and never shown to anyone else."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from test_permissions import MATRIX, PERSONAS, ROUTES, _url
from test_permissions import objects as objects

from callgrade.core.models import AuditEvent
from callgrade.cycles.models import FairnessAudit
from callgrade.people.access import Denied, roster_attributes
from callgrade.people.models import Employee, RosterAttribute

SECRET_NAME, SECRET_VALUE = "planted-attribute-name", "planted-attribute-value"


def test_the_audit_is_computed_with_the_cycle(demo_cycle: Any) -> None:
    audit = FairnessAudit.objects.get(cycle=demo_cycle)
    result = audit.result
    assert audit.ratings > 0 and result["findings"]
    assert {g["dimension"] for g in result["groups"]} >= {"team", "lead"}
    # the seeded roster attributes reach the four-fifths table
    assert {r["attribute"] for r in result["impact"]} == {"性别", "年龄段", "班次"}


def test_cycle_page_lists_the_findings_and_the_audit_page_its_numbers(
    login: Any, hr: Any, demo_cycle: Any
) -> None:
    c = login(hr)
    page = c.get(f"/cycles/{demo_cycle.pk}/").content.decode()
    assert 'id="fairness"' in page and "/fairness/" in page
    audit = c.get(f"/cycles/{demo_cycle.pk}/fairness/")
    assert audit.status_code == 200
    body = audit.content.decode()
    assert 'id="findings"' in body and 'id="impact"' in body and "年龄段" in body
    zh = login(hr)
    zh.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    assert "公平性审查" in zh.get(f"/cycles/{demo_cycle.pk}/fairness/").content.decode()


def test_running_the_audit_on_demand(login: Any, hr: Any, demo_cycle: Any) -> None:
    before = FairnessAudit.objects.get(cycle=demo_cycle).computed_at
    r = login(hr).post(f"/cycles/{demo_cycle.pk}/fairness/run/")
    assert r.status_code == 302
    assert FairnessAudit.objects.get(cycle=demo_cycle).computed_at > before
    assert AuditEvent.objects.filter(action="fairness_audit", object_id=str(demo_cycle.pk)).exists()


def test_the_cycle_page_says_when_the_audit_is_stale(login: Any, hr: Any, demo_cycle: Any) -> None:
    c = login(hr)
    c.post(f"/cycles/{demo_cycle.pk}/fairness/run/")
    assert 'id="fairness-stale"' not in c.get(f"/cycles/{demo_cycle.pk}/").content.decode()
    c.post("/org/employees/E0008/attributes/", {"name": "shift", "value": "late"})
    assert 'id="fairness-stale"' in c.get(f"/cycles/{demo_cycle.pk}/").content.decode()
    c.post(f"/cycles/{demo_cycle.pk}/fairness/run/")
    assert 'id="fairness-stale"' not in c.get(f"/cycles/{demo_cycle.pk}/").content.decode()


def test_hr_records_and_removes_an_attribute(login: Any, hr: Any) -> None:
    c = login(hr)
    url = "/org/employees/E0007/attributes/"
    c.post(url, {"name": "shift", "value": "night"})
    emp = Employee.objects.get(employee_id="E0007")
    assert RosterAttribute.objects.get(employee=emp, name="shift").value == "night"
    page = c.get("/org/employees/E0007/").content.decode()
    assert 'id="attributes"' in page and "night" in page
    c.post(url, {"name": "shift", "value": ""})
    assert not RosterAttribute.objects.filter(employee=emp, name="shift").exists()
    actions = set(
        AuditEvent.objects.filter(object_type="employee", object_id=str(emp.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"attribute_set", "attribute_delete"} <= actions
    r = c.post(url, {"name": "", "value": "x"}, follow=True)
    assert "Name the attribute" in r.content.decode()


def test_attributes_import(login: Any, hr: Any) -> None:
    c = login(hr)
    data = "工号,属性,取值\nE0006,shift,early\nE9999,shift,late\nE0007,shift,\n".encode()
    r = c.post(
        "/org/records/import/",
        {"kind": "attributes", "file": SimpleUploadedFile("attrs.csv", data)},
    )
    preview = r.context["preview"]
    assert preview.counts == {"read": 3, "create": 1, "unchanged": 0, "rejected": 2}
    c.post(
        "/org/records/import/confirm/",
        {"kind": "attributes", "token": preview.token, "fingerprint": preview.fingerprint},
    )
    assert RosterAttribute.objects.get(employee__employee_id="E0006", name="shift").value == "early"


def test_only_hr_reads_attributes(agent: Any, lead: Any, hr: Any) -> None:
    for user in (agent, lead):
        with pytest.raises(Denied):
            roster_attributes(user)
    assert roster_attributes(hr).exists()


def _plant() -> None:
    for i, emp in enumerate(Employee.objects.order_by("employee_id")):
        RosterAttribute.objects.update_or_create(
            employee=emp, name=SECRET_NAME, defaults={"value": f"{SECRET_VALUE}-{i % 2}"}
        )


# every GET response but the awards' event stream (it stays open; it carries only the reader's
# own awards, tested in test_awards.py)
PAGES = sorted(
    name
    for name, (method, _who, _anon) in MATRIX.items()
    if method == "GET" and name != "login" and not name.endswith("_stream")
)


@pytest.mark.parametrize("persona", ["agent", "lead", "other_lead"])
def test_no_response_shows_attributes_to_anyone_but_hr(
    persona: str, objects: dict[str, Any], login: Any, demo_cycle: Any
) -> None:
    from django.contrib.auth import get_user_model

    from callgrade.cycles.services.fairness import fairness_refresh

    _plant()
    fairness_refresh(demo_cycle)  # the stored audit now names the planted attribute
    client = login(get_user_model().objects.get(username=persona))
    allowed = [n for n in PAGES if MATRIX[n][1][PERSONAS.index(persona) - 1] == "ok"]
    assert allowed
    for name in allowed:
        body = client.get(_url(ROUTES[name], objects), follow=True).content
        assert SECRET_NAME.encode() not in body, name
        assert SECRET_VALUE.encode() not in body, name
    hr_client = login(get_user_model().objects.get(username="hr"))
    assert SECRET_NAME in hr_client.get(f"/cycles/{demo_cycle.pk}/fairness/").content.decode()
