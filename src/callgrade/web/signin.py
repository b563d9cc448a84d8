"""Signing in: the throttle (``people.services.signin``) applied to every sign-in form (the
app's and the admin's, both authenticate through this backend), the known-browser cookie and the
sign-in page that says how long to wait.

The client's address is ``REMOTE_ADDR``; behind reverse proxies set
``CALLGRADE_TRUSTED_PROXIES`` to their number, and the address the nearest of them saw the
client come from (in ``X-Forwarded-For``) is used instead.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext

from callgrade.people.services import signin

KNOWN_COOKIE = "callgrade_known"
KNOWN_SALT = "callgrade.signin.known"
KNOWN_AGE = 90 * 24 * 3600
KNOWN_MAX = 5  # usernames remembered per browser (a shared desk has a few people)


def client_ip(request: HttpRequest) -> str | None:
    proxies = int(getattr(settings, "CALLGRADE_TRUSTED_PROXIES", 0))
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def known_usernames(request: HttpRequest) -> list[str]:
    value = request.get_signed_cookie(KNOWN_COOKIE, default="", salt=KNOWN_SALT, max_age=KNOWN_AGE)
    return [u for u in value.split("\n") if u]


def remember(request: HttpRequest, response: HttpResponse, username: str) -> None:
    names = [username, *(u for u in known_usernames(request) if u != username)][:KNOWN_MAX]
    response.set_signed_cookie(
        KNOWN_COOKIE,
        "\n".join(names),
        salt=KNOWN_SALT,
        max_age=KNOWN_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


class ThrottledBackend(ModelBackend):
    """Django's password check, refused while the throttle says wait, recording the outcome."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None or not username:
            return None  # the throttle needs the request; ModelBackend is not consulted either
        ip = client_ip(request)
        known = username in known_usernames(request)
        delay = signin.wait(username, ip, known=known)
        if delay > timedelta(0):
            request.signin_wait = delay
            raise PermissionDenied  # stops authenticate() trying any other backend
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            signin.failed(username, ip, known=known)
        else:
            signin.succeeded(username, known=known)
        return user


class SignInForm(AuthenticationForm):
    def get_invalid_login_error(self) -> ValidationError:
        delay = getattr(self.request, "signin_wait", None)
        if delay is None:
            return super().get_invalid_login_error()
        minutes = max(1, math.ceil(delay.total_seconds() / 60))
        return ValidationError(
            ngettext(
                "Too many failed sign-ins. Try again in %(minutes)d minute.",
                "Too many failed sign-ins. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            code="throttled",
        )


class SignIn(auth_views.LoginView):
    form_class = SignInForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        remember(self.request, response, form.get_user().get_username())
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context.get("form")
        if form is not None and hasattr(self.request, "signin_wait"):
            context["wait_message"] = " ".join(form.non_field_errors())
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if hasattr(self.request, "signin_wait"):
            response.status_code = 429
        return response
