"""What the apps' views share: most POST views ask one service to do one thing, say how it went
and send the user on, whatever the outcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse

T = TypeVar("T")


def act(
    request: HttpRequest,
    action: Callable[[], T],
    *,
    error: type[Exception] | tuple[type[Exception], ...],
    done: str | Callable[[T], str],
    then: HttpResponse,
) -> HttpResponse:
    """Run ``action`` and answer ``then`` either way. A refusal of the ``error`` kind is shown
    in its own words (the services word them for the user); success shows ``done``, or
    ``done(result)`` when the words need what the action returned or changed. Any other
    exception is not the user's to read and goes up as it was.

    ``then`` is built before the action runs, so it must not depend on what the action does."""
    try:
        result = action()
    except error as e:
        messages.error(request, str(e))
    else:
        messages.success(request, done(result) if callable(done) else done)
    return then
