"""``core.views.act``, the shape of the apps' POST views: a refusal of the named kind is shown in
its own words, success shows the given words, the answer is the same either way, and any other
exception (another ``ValueError`` too: every domain error is one) is not swallowed."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.test import RequestFactory

from callgrade.core.views import act


class Refused(ValueError):
    pass


class OtherRefused(ValueError):
    pass


def _request() -> HttpRequest:
    request = RequestFactory().post("/somewhere/")
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    return request


def _shown(request: HttpRequest) -> list[tuple[int, str]]:
    return [(m.level, str(m.message)) for m in messages.get_messages(request)]


def test_success_shows_the_words_and_answers_then() -> None:
    request, then = _request(), HttpResponseRedirect("/next/")
    calls: list[str] = []
    answer = act(
        request, lambda: calls.append("done"), error=Refused, done="It was done.", then=then
    )
    assert answer is then
    assert calls == ["done"]
    assert _shown(request) == [(messages.SUCCESS, "It was done.")]


def test_a_refusal_shows_its_own_words_and_answers_then() -> None:
    request, then = _request(), HttpResponseRedirect("/next/")

    def refuse() -> None:
        raise Refused("Not on a Sunday.")

    answer = act(request, refuse, error=Refused, done="It was done.", then=then)
    assert answer is then
    assert answer.status_code == 302
    assert _shown(request) == [(messages.ERROR, "Not on a Sunday.")]


def test_any_of_several_kinds_is_a_refusal() -> None:
    request = _request()

    def refuse() -> None:
        raise OtherRefused("Not that one.")

    act(request, refuse, error=(Refused, OtherRefused), done="Done.", then=HttpResponse())
    assert _shown(request) == [(messages.ERROR, "Not that one.")]


@pytest.mark.parametrize(
    "raised", [OtherRefused("another domain's"), ValueError("bare"), KeyError("bug")]
)
def test_other_exceptions_go_up_and_nothing_is_shown(raised: Exception) -> None:
    request = _request()

    def fail() -> None:
        raise raised

    with pytest.raises(type(raised)) as caught:
        act(request, fail, error=Refused, done="Done.", then=HttpResponse())
    assert caught.value is raised
    assert _shown(request) == []


def test_done_may_read_the_result_after_the_action() -> None:
    request = _request()
    state = {"n": 0}

    def bump() -> dict[str, Any]:
        state["n"] += 3
        return state

    act(request, bump, error=Refused, done=lambda s: f"Now {s['n']}.", then=HttpResponse())
    assert _shown(request) == [(messages.SUCCESS, "Now 3.")]


def test_done_is_not_called_on_a_refusal() -> None:
    request = _request()

    def refuse() -> int:
        raise Refused("No.")

    def words(n: int) -> str:
        raise AssertionError("done read on a refusal")

    act(request, refuse, error=Refused, done=words, then=HttpResponse())
    assert _shown(request) == [(messages.ERROR, "No.")]
