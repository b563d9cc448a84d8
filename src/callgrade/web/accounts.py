"""Signing in with a one-time password: until the employee has chosen their own password, every
page sends them to the password change (the login HR created for them is not theirs yet)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _

from callgrade.people.access import employee_of
from callgrade.people.services.logins import password_changed

# What someone with a one-time password may still reach: the change itself, signing out and the
# language switch (and the static files the change page needs).
_OPEN = ("password_change", "password_change_done", "logout", "set_language")


class FirstPasswordMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith("/static/"):
            me = employee_of(user)
            if (
                me is not None
                and me.must_change_password
                and request.path not in {reverse(name) for name in _OPEN}
            ):
                return redirect("password_change")
        return self.get_response(request)


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "callgrade/password_change.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        me = employee_of(self.request.user)
        context["first_password"] = me is not None and me.must_change_password
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed(self.request.user)
        messages.success(self.request, _("Your password was changed."))
        return response
