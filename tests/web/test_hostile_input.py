"""No input makes the app fail: every page, asked with hostile query values (and ids in its path
out of range), answers with a page, a redirect, a 400 or a 404 — never a server error.

The routes and the objects they name are the permission matrix's; the requests are in-process.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from test_permissions import MATRIX, ROUTES, _url
from test_permissions import objects as objects

from callgrade.people.models import Employee

# Page-level checks that read the same on either database: run in one pass (scripts/test.sh).
pytestmark = pytest.mark.once

# Every parameter a page reads, and the common ones people edit by hand.
PARAMS = (
    "team", "position", "level", "status", "rating", "action", "page", "period", "cycle", "kpi",
    "sort", "dir", "q", "code", "source", "all", "job", "token", "kind", "headers", "codes",
    "dispute_kpi", "dispute_table", "dispute_record", "next", "percentile", "origin",
)  # fmt: skip
HUGE = "99999999999999999999"
HOSTILE = (
    HUGE,
    "-" + HUGE,
    "-1",
    "",
    "²",  # a digit to str.isdigit, not to int()
    "١٢",  # Arabic-Indic digits
    "a\x00b",
    "'\"><script>alert(1)</script>中文😀\u202e1e309",
    "x" * 10_000,
)
GET_ROUTES = sorted(n for n, (method, _w, _a) in MATRIX.items() if method == "GET")
# What the agent may open: anything else is a 404 before a parameter is read.
AGENT_ROUTES = [n for n in GET_ROUTES if MATRIX[n][1][0] == "ok"]


def _hostile_path(route: str, objects: dict[str, Any]) -> str:
    """The route with every id in its path far out of range."""
    path = re.sub(r"<(\w+):(\w+)>", lambda m: HUGE if m[2].endswith("_id") else m[0], route)
    return _url(path, objects)


@pytest.mark.parametrize("persona", ["hr", "agent"])
def test_no_server_error_from_query_values(persona: str, objects: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model

    # A server error is a status to count here, not an exception to stop at.
    client = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=persona))
    failures = []
    for name in GET_ROUTES if persona == "hr" else AGENT_ROUTES:
        url = _url(ROUTES[name], objects).split("?")[0]
        # Request k gives parameter i the value k + i: every parameter meets every value in
        # len(HOSTILE) requests, and no two parameters hold the same one at once.
        for k in range(len(HOSTILE)):
            query = {p: HOSTILE[(k + i) % len(HOSTILE)] for i, p in enumerate(PARAMS)}
            response = client.get(url, query)
            if response.status_code >= 500:
                failures.append(f"{url} rotation {k}: {response.status_code}")
        if "_id>" in ROUTES[name]:
            response = client.get(_hostile_path(ROUTES[name], objects))
            if response.status_code >= 500:
                failures.append(f"{name} with huge ids: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_review_page_of_someone_who_left(login: Any, hr: Any, demo_cycle: Any) -> None:
    """An employee who left before the period has no total: the page shows a dash."""
    c = login(hr)
    left = list(Employee.objects.filter(status="left"))
    assert left, "the demo has someone who left"
    for emp in left:
        r = c.get(f"/cycles/{demo_cycle.pk}/review/{emp.employee_id}/")
        assert r.status_code == 200, emp.employee_id


def test_number_filters_tolerate_what_is_not_a_number() -> None:
    from callgrade.web.templatetags.callgrade import figure, kpi_value, num

    for bad in ("", "n/a", None, float("nan"), [], {}):
        assert num(bad) == kpi_value(bad, "ratio") == figure(bad) == "—"
    assert num("12.5") == "12.5" and kpi_value("0.5", "ratio") == "50.0%"


def test_a_huge_team_id_filters_nothing_and_fails_nothing(login: Any, hr: Any) -> None:
    c = login(hr)
    for url in ("/org/employees/", "/org/employees/export.csv"):
        assert c.get(url, {"team": HUGE}).status_code in (200, 400)


def test_control_characters_never_reach_a_page(login: Any, hr: Any) -> None:
    """PostgreSQL refuses text with NUL: the query loses such characters before any view."""
    r = login(hr).get("/org/employees/", {"q": "E00\x0006", "\x00\x01": "\x00"})
    assert r.status_code == 200
    assert r.context["filters"]["q"] == "E0006"
    assert [e.employee_id for e in r.context["page"]] == ["E0006"]
