"""The Content-Security-Policy: every response carries it, it lets scripts run only from the
app's files, and no page (every GET route, as HR and as an agent) has an inline script or an
inline event handler that the policy would block."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from test_permissions import MATRIX, PERSONAS, ROUTES, _url
from test_permissions import objects as objects

from callgrade.web.csp import POLICY

# Page-level checks that read the same on either database: run in one pass (scripts/test.sh).
pytestmark = pytest.mark.once


class _Inline(HTMLParser):
    """Collects what a script-src 'self' policy blocks: inline scripts (other than data blocks
    such as json_script's), on…= attributes and javascript: links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "script" and not a.get("src") and a.get("type") != "application/json":
            self.found.append(f"<script {a}> without src")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value!r}>")


def blocked(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


def test_the_policy_allows_no_inline_or_evaluated_script() -> None:
    directives = dict(d.split(" ", 1) for d in POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["img-src"] == "'self' data:"
    assert "frame-ancestors" in directives


def test_the_scan_sees_what_the_policy_blocks() -> None:
    assert blocked('<select onchange="this.form.submit()">')
    assert blocked("<script>alert(1)</script>")
    assert blocked('<a href="javascript:alert(1)">x</a>')
    assert not blocked('<script src="/static/x.js" defer></script>')
    assert not blocked('<script id="d" type="application/json">{"a": 1}</script>')


PAGES = sorted(name for name, (method, _who, _anon) in MATRIX.items() if method == "GET")
CASES = [
    (page, persona)
    for page in PAGES
    for persona in ("hr", "agent", "anonymous")
    if (MATRIX[page][2] if persona == "anonymous" else MATRIX[page][1][PERSONAS.index(persona) - 1])
    == "ok"
]


@pytest.mark.parametrize(("page", "persona"), CASES)
def test_every_page_carries_the_policy_and_nothing_it_blocks(
    page: str, persona: str, objects: dict[str, Any], login: Any
) -> None:
    from django.contrib.auth import get_user_model

    user = None if persona == "anonymous" else get_user_model().objects.get(username=persona)
    response = login(user).get(_url(ROUTES[page], objects))
    assert response.status_code < 400, f"{page} as {persona}: {response.status_code}"
    assert response["Content-Security-Policy"] == POLICY
    if "html" in response.get("Content-Type", ""):
        found = blocked(response.content.decode())
        assert not found, f"{page} as {persona}: {found}"


@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/auth/user/", "/admin/people/employee/", "/accounts/login/", "/nowhere/"],
)
def test_the_admin_error_and_sign_in_pages_carry_it_too(
    url: str, login: Any, admin_user: Any
) -> None:
    response = login(admin_user).get(url)
    assert response["Content-Security-Policy"] == POLICY
    assert not blocked(response.content.decode())


def test_static_files_carry_it(client: Any) -> None:
    response = client.get("/static/callgrade/app.js")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY
