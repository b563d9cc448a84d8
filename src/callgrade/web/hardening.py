"""Requests made safe before any view reads them."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict

# C0 controls but tab and newline (a search box can paste those harmlessly), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class CleanQueryMiddleware:
    """Drops NUL and other control characters from the query string's names and values. No page
    means them, and PostgreSQL refuses a text holding NUL, which would turn a hand-edited link
    into a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pairs = [(k, v) for k, values in request.GET.lists() for v in values]
        if any(_CONTROL.search(k + v) for k, v in pairs):
            clean = [(_CONTROL.sub("", k), _CONTROL.sub("", v)) for k, v in pairs]
            request.GET = QueryDict(urlencode(clean))
        return self.get_response(request)
