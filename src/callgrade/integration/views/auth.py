"""Token authentication and scopes for the API.

A request carries ``Authorization: Bearer <token>``. The token names an integration; the request
then acts as the integration's acting user, so every fetch goes through the same access functions
as the pages, and the view's scope must be among the token's scopes.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from callgrade.integration.services import integration_for_token


class IntegrationToken(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in ("bearer", "token"):
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Expected 'Authorization: Bearer <token>'."))
        integration = integration_for_token(parts[1].decode(errors="replace"))
        if integration is None:
            raise exceptions.AuthenticationFailed(_("Unknown or revoked token."))
        return integration.acting_user, integration

    def authenticate_header(self, request: Any) -> str:
        return f'{self.keyword} realm="api"'


class HasScope(BasePermission):
    """One of the view's ``scopes`` for the HTTP method (a GET's for HEAD and OPTIONS) must be
    held by the token."""

    def has_permission(self, request: Any, view: Any) -> bool:
        integration = request.auth
        if integration is None or not request.user.is_authenticated:
            return False
        needed: tuple[str, ...] = view.scopes.get(request.method, view.scopes.get("GET", ()))
        if set(needed) & set(integration.scopes):
            return True
        self.message = _("This token lacks the scope %(scope)s.") % {
            "scope": " or ".join(needed) or "?"
        }
        return False


class IntegrationTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document describes the token."""

    target_class = "callgrade.integration.views.auth.IntegrationToken"
    name = "IntegrationToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "cgk_… integration token"}
