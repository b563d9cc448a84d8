"""HR: the integrations that may call the API, their scopes, and their tokens (shown once)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core.query import query_id
from callgrade.integration.models import Integration
from callgrade.integration.scopes import SCOPES
from callgrade.integration.services import IntegrationError, integration_create, integration_revoke
from callgrade.people.access import require_hr


def _page(request: HttpRequest, **extra: Any) -> HttpResponse:
    users = get_user_model().objects.filter(is_active=True).select_related("employee")
    context = {
        "integrations": Integration.objects.select_related("acting_user"),
        "users": users.order_by("username"),
        "scopes": [(code, SCOPES[code]) for code in SCOPES],
        **extra,
    }
    response = render(request, "integration/integrations.html", context)
    response["Cache-Control"] = "no-store"  # a new token is on this page once
    return response


@login_required
def integrations(request: HttpRequest) -> HttpResponse:
    """GET: the integrations; POST: make one and show its token, this once."""
    require_hr(request.user)
    if request.method != "POST":
        return _page(request)
    user_id = query_id(request.POST.get("acting_user", ""))
    acting = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    scopes = [s for s in request.POST.getlist("scopes") if s in SCOPES]
    if acting is None:
        messages.error(request, _("Choose the user the integration acts as."))
        return _page(request)
    try:
        integration, token = integration_create(
            name=request.POST.get("name", "")[:100],
            acting_user=acting,
            scopes=scopes,
            actor=request.user,
        )
    except IntegrationError as exc:
        messages.error(request, str(exc))
        return _page(request)
    return _page(request, created=integration, token=token)


@login_required
@require_POST
def integration_revoke_view(request: HttpRequest, integration_id: int) -> HttpResponse:
    require_hr(request.user)
    integration = get_object_or_404(Integration, pk=integration_id)
    integration_revoke(integration=integration, actor=request.user)
    messages.success(request, _("The token of %(name)s no longer works.") % {"name": integration})
    return redirect("integrations")


urlpatterns = [
    path("org/integrations/", integrations, name="integrations"),
    path(
        "org/integrations/<int:integration_id>/revoke/",
        integration_revoke_view,
        name="integration_revoke",
    ),
]
