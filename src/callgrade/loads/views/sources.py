"""HR: the sources that load by themselves (drop folders, database pulls), and running one now."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.engine.pull import redact
from callgrade.loads.models import Source
from callgrade.loads.selectors import mapping_choices
from callgrade.loads.selectors import sources as sources_list
from callgrade.loads.services.loads import FORMATS, LoadError, shipped_mappings
from callgrade.loads.services.reasons import error_html
from callgrade.loads.services.sources import source_create, source_run
from callgrade.people.access import require_hr

FIELDS = ("name", "kind", "format", "mapping", "folder", "url", "table", "by", "tz")


def _page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    rows = [
        (s, redact(s.url) if s.url else "", error_html(s.last_error) if s.last_error else "")
        for s in sources_list()
    ]
    context = {
        "sources": rows,
        "formats": [(code, words) for code, words in FORMATS.items()],
        "mappings": mapping_choices(shipped_mappings()),
        "kinds": Source.KINDS,
        **extra,
    }
    return render(request, "loads/sources.html", context, status=status)


@login_required
def sources(request: HttpRequest) -> HttpResponse:
    """GET: the sources; POST: add one."""
    require_hr(request.user)
    if request.method != "POST":
        return _page(request)
    fields = {k: request.POST.get(k, "")[:500] for k in FIELDS}
    fields["every_minutes"] = request.POST.get("every_minutes", "15")[:6]
    try:
        source = source_create(actor=request.user, **fields)
    except LoadError as e:
        return _page(request, 400, form_error=str(e), chosen=fields)
    messages.success(request, _("The source %(name)s was added.") % {"name": source.name})
    return redirect("sources")


@login_required
@require_POST
def source_run_view(request: HttpRequest, source_id: int) -> HttpResponse:
    require_hr(request.user)
    source = get_object_or_404(Source, pk=source_id)
    job = source_run(source=source, actor=request.user)
    source.refresh_from_db()
    if source.last_error:
        messages.error(
            request, format_html('<ul class="errors">{}</ul>', error_html(source.last_error))
        )
    elif job.state == job.FAILED:
        messages.error(request, _("The run failed; see the server's log."))
    else:
        messages.success(request, _("The source %(name)s is running.") % {"name": source.name})
    return redirect("loads")


urlpatterns = [
    path("data/sources/", sources, name="sources"),
    path("data/sources/<int:source_id>/run/", source_run_view, name="source_run"),
]
