"""Awards: the agent's own (a page that receives new ones as they are granted, over server-sent
events), the ledger for leads (their teams) and HR (everyone, with each rule's cost against its
budget), and the endpoint other systems post live events to (token per source, not a sign-in).

The stream is a plain ``text/event-stream`` response from the app itself, so the
Content-Security-Policy's ``connect-src 'self'`` allows it and no inline script is needed
(``static/callgrade/awards.js``). Each stream lasts :data:`STREAM_SECONDS` and ends; the browser
reconnects by itself with the last id it saw, so a worker thread is never held for long."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from callgrade.engagement.models import Award
from callgrade.engagement.selectors import (
    award_months,
    award_totals,
    awards_for,
    costs,
    in_month,
)
from callgrade.engagement.services.rewards import receive_event, source_for_token
from callgrade.engagement.words import award_row
from callgrade.engine.live.events import EventError, parse_posted
from callgrade.people.access import Denied, employee_of, is_hr, led_team_ids, require_employee
from callgrade.standards.services import policy_current

STREAM_SECONDS = 25.0
STREAM_POLL = 0.25
MAX_BODY = 1 << 20
MAX_EVENTS = 1000


def _standard() -> Any:
    version = policy_current()
    return version.policy() if version is not None else None


def _currency() -> str:
    policy = _standard()
    return policy.currency if policy is not None else "CNY"


def _month(request: HttpRequest, qs: Any) -> tuple[str, list[str]]:
    months = award_months(qs)
    now = timezone.localdate().strftime("%Y-%m")
    asked = request.GET.get("month", "")
    if asked in months:
        return asked, months
    return (now if now in months or not months else months[0]), months


@login_required
def my_awards(request: HttpRequest) -> HttpResponse:
    me = require_employee(request.user)
    mine = Award.objects.filter(employee=me)
    month, months = _month(request, mine)
    lang, cur = get_language() or "en", _currency()
    rows = [award_row(a, lang, cur) for a in mine.order_by("-id")[:200]]
    return render(
        request,
        "engagement/my_awards.html",
        {
            "rows": rows,
            "month": month,
            "totals": award_totals(in_month(mine, month)) if months else award_totals(mine),
            "last_id": rows[0]["id"] if rows else 0,
        },
    )


def _events(employee_pk: int, after: int, lang: str, currency: str) -> Iterator[str]:
    yield f"retry: 1000\n: {' ' * 2048}\n\n"  # padding: some proxies hold a first small chunk
    deadline = time.monotonic() + STREAM_SECONDS
    quiet_since = time.monotonic()
    # the connection goes back when the server closes the response (request_finished)
    while time.monotonic() < deadline:
        new = list(Award.objects.filter(employee_id=employee_pk, id__gt=after).order_by("id")[:50])
        with translation.override(lang):
            for a in new:
                after = a.pk
                row = award_row(a, lang, currency)
                yield f"id: {a.pk}\nevent: award\ndata: {json.dumps(row, default=str)}\n\n"
        if new:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 10:
            yield ": still here\n\n"
            quiet_since = time.monotonic()
        time.sleep(STREAM_POLL)


@login_required
def my_awards_stream(request: HttpRequest) -> StreamingHttpResponse:
    me = require_employee(request.user)
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after", "0")
    after = int(raw) if raw.isdigit() and len(raw) < 18 else 0
    response = StreamingHttpResponse(
        _events(me.pk, after, get_language() or "en", _currency()),
        content_type="text/event-stream; charset=utf-8",
    )
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


@login_required
def awards_ledger(request: HttpRequest) -> HttpResponse:
    """The ledger: a lead's teams, or everyone for HR with each rule's cost and budget."""
    hr = is_hr(request.user)
    if not hr and not led_team_ids(request.user):
        raise Denied
    qs = awards_for(request.user)
    month, months = _month(request, qs)
    shown = in_month(qs, month) if months else qs
    lang, cur = get_language() or "en", _currency()
    policy = _standard()
    rules = list(policy.instant_rewards) if policy is not None else []
    return render(
        request,
        "engagement/awards.html",
        {
            "rows": [award_row(a, lang, cur) for a in shown.order_by("-id")[:500]],
            "month": month,
            "months": months,
            "totals": award_totals(shown),
            "costs": costs(shown, rules, lang) if hr else [],
            "hr": hr,
            "me": employee_of(request.user),
        },
    )


# --- the events endpoint --------------------------------------------------------------------------


def _refused(status: int, message: str, **more: Any) -> JsonResponse:
    response = JsonResponse({"error": message, **more}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="callgrade live events"'
    return response


@csrf_exempt
@require_POST
def live_events(request: HttpRequest) -> JsonResponse:
    """Events from other systems: one JSON object, or a list of up to 1,000. All are checked
    first; if any is refused nothing is stored and every problem is listed by index and field.
    An id sent again with the same content counts as a duplicate and changes nothing."""
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    source = source_for_token(token) if token else None
    if source is None:
        return _refused(401, "a valid event-source token is required (Authorization: Bearer …)")
    if len(request.body) > MAX_BODY:
        return _refused(413, f"the body is larger than {MAX_BODY} bytes; send fewer events")
    try:
        data = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        where = f"line {e.lineno} column {e.colno}: " if isinstance(e, json.JSONDecodeError) else ""
        return _refused(400, f"the body is not JSON ({where}{e})")
    items = data if isinstance(data, list) else [data]
    if not items or len(items) > MAX_EVENTS:
        return _refused(400, f"send from 1 to {MAX_EVENTS} events")
    rejected = []
    for i, item in enumerate(items):
        try:
            parse_posted(item)
        except EventError as e:
            problems = [{"field": f, "expected": m} for f, m in e.problems]
            given = item.get("id") if isinstance(item, dict) else None
            rejected.append({"index": i, "id": given, "problems": problems})
    if rejected:
        return _refused(400, "nothing was stored: some events are refused", read=len(items),
                        accepted=0, rejected=rejected)  # fmt: skip
    new = duplicates = 0
    try:
        with transaction.atomic():
            for item in items:
                _event, created = receive_event(source, item)
                new, duplicates = new + created, duplicates + (not created)
    except EventError as e:
        return _refused(409, f"nothing was stored: {e}", read=len(items), accepted=0)
    return JsonResponse(
        {"read": len(items), "accepted": new + duplicates, "new": new, "duplicates": duplicates,
         "rejected": []}, status=200,
    )  # fmt: skip


urlpatterns = [
    path("me/awards/", my_awards, name="my_awards"),
    path("me/awards/stream/", my_awards_stream, name="my_awards_stream"),
    path("awards/", awards_ledger, name="awards"),
    path("live/events/", live_events, name="live_events"),
]
