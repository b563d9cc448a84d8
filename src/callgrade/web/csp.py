"""The Content-Security-Policy every response carries: scripts, styles, images and requests only
from the app itself, so an injected ``<script>`` or event-handler attribute would not run.

No page has an inline script or ``on…=`` attribute (the charts and the auto-submitting selects
live in ``static/callgrade/*.js``; data reaches them through ``json_script`` blocks, which are
not executed, and ``data-`` attributes). Style *attributes* stay allowed ('unsafe-inline' in
style-src): progress bars are drawn with a width style and ECharts writes its tooltips with
them; a style cannot run code.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
