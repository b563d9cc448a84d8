"""What a token may do. A scope opens a kind of endpoint; which records it then sees is decided,
as on the pages, by the identity the integration acts as (people/access.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SCOPES = {
    "read:people": _("read people and their training records"),
    "read:kpis": _("read the KPIs of a cycle"),
    "read:scorecards": _("read scores and ratings"),
    "read:decisions": _("read level decisions"),
    "read:pay": _("read pay lines"),
    "write:people": _("create and update people"),
    "write:trainings": _("record trainings"),
    "write:qa": _("load QA evaluations"),
    "write:surveys": _("load survey responses"),
}
