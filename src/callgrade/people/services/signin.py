"""Slowing down password guessing without letting anyone lock another person out.

A lockout keyed on the username and the address locks out everybody behind a shared address (a
reverse proxy, an office NAT): five wrong passwords typed by anyone kept HR out for an hour. So:

- **per username**, failures only slow that username down: after ``FREE_FAILURES`` in a row,
  each further attempt waits a cool-down that doubles from ``COOLDOWN_START`` up to
  ``COOLDOWN_MAX`` (minutes, never an hour), and a successful sign-in clears it;
- **per address**, failed sign-ins across all usernames are limited (``ADDRESS_LIMIT`` in
  ``ADDRESS_WINDOW``): spraying one password over many usernames is refused after a few;
- a browser that already signed in as a username (a signed cookie, see ``web.accounts``) is a
  **known** client of it: it is judged only on its own failures, so strangers' failures neither
  slow it down nor exhaust its address's limit. Its own failures slow it down the same way.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from callgrade.people.models import LoginFailure

FREE_FAILURES = 5
COOLDOWN_START = timedelta(seconds=30)
COOLDOWN_MAX = timedelta(minutes=15)
ADDRESS_LIMIT = 20
ADDRESS_WINDOW = timedelta(minutes=15)
KEPT = timedelta(days=1)


def _cooldown(failures: int) -> timedelta:
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(COOLDOWN_START * 2 ** (failures - FREE_FAILURES), COOLDOWN_MAX)


def wait(username: str, ip: str | None, *, known: bool) -> timedelta:
    """How long this attempt must wait before it may be tried (zero: try it now)."""
    now = timezone.now()
    mine = LoginFailure.objects.filter(username=username, known=known, at__gte=now - KEPT)
    last = mine.order_by("-at").values_list("at", flat=True).first()
    longest = timedelta(0)
    if last is not None:
        longest = max(longest, last + _cooldown(mine.count()) - now)
    if not known and ip:
        recent = LoginFailure.objects.filter(ip=ip, known=False, at__gte=now - ADDRESS_WINDOW)
        if recent.count() >= ADDRESS_LIMIT:
            oldest = recent.order_by("at").values_list("at", flat=True)[
                recent.count() - ADDRESS_LIMIT
            ]
            longest = max(longest, oldest + ADDRESS_WINDOW - now)
    return max(longest, timedelta(0))


def failed(username: str, ip: str | None, *, known: bool) -> None:
    LoginFailure.objects.filter(at__lt=timezone.now() - KEPT).delete()
    LoginFailure.objects.create(username=username[:150], ip=ip or None, known=known)


def succeeded(username: str, *, known: bool) -> None:
    """The right password: this client's kind of failures for the username are forgiven (a
    stranger's failures are not forgiven by the owner signing in from a known browser)."""
    LoginFailure.objects.filter(username=username, known=known).delete()
