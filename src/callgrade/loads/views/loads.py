"""HR: upload a file of any supported format, follow its load, see what was read, accepted,
rejected and left aside, download the rejects, and undo a load."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core.views import act
from callgrade.loads.models import Load
from callgrade.loads.selectors import loads as loads_list
from callgrade.loads.selectors import mapping_choices, rows_by_table
from callgrade.loads.services.loads import (
    FORMATS,
    LoadError,
    load_create,
    load_sync,
    load_undo,
    max_bytes,
    rejects,
    rejects_csv,
    shipped_mappings,
)
from callgrade.loads.services.reasons import error_html, reason_html
from callgrade.people.access import require_hr

REJECTS_SHOWN = 50


def _page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    context = {
        "loads": loads_list(origin=request.GET.get("origin", ""))[:200],
        "formats": [(code, words) for code, words in FORMATS.items()],
        "mappings": mapping_choices(shipped_mappings()),
        "max_mb": max_bytes() // (1024 * 1024),
        "origins": Load.ORIGINS,
        **extra,
    }
    if extra.get("file_error"):  # the engine's sentences in it, in the reader's language
        context["file_error_html"] = error_html(str(extra["file_error"]), ours=True)
    return render(request, "loads/loads.html", context, status=status)


@login_required
def loads(request: HttpRequest) -> HttpResponse:
    """GET: the loads, newest first, and the upload form; POST: upload a file."""
    require_hr(request.user)
    if request.method != "POST":
        return _page(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, 400, file_error=_("Choose a file to load."))
    try:
        load = load_create(
            actor=request.user,
            upload=upload,
            fmt=request.POST.get("format", ""),
            tz=request.POST.get("tz", "UTC")[:60],
            mapping_name=request.POST.get("mapping", ""),
            mapping_upload=request.FILES.get("mapping_file"),
        )
    except LoadError as e:
        return _page(request, 400, file_error=str(e), chosen=request.POST)
    return redirect("load", load_id=load.pk)


def _load(request: HttpRequest, load_id: int) -> Load:
    require_hr(request.user)
    return get_object_or_404(Load.objects.select_related("job", "source"), pk=load_id)


@login_required
def load(request: HttpRequest, load_id: int) -> HttpResponse:
    item = load_sync(_load(request, load_id))
    shown = rejects(item, limit=REJECTS_SHOWN)
    for r in shown:  # the connector's English sentence, said in the reader's language
        r["reason"] = reason_html(r["reason"])
    return render(
        request,
        "loads/load.html",
        {
            "load": item,
            "rows": rows_by_table(item.rows),
            "added": dict(rows_by_table(item.added)),
            "removed": rows_by_table(item.removed),
            "rejects": shown,
            "more_rejects": item.rejected > len(shown),
            "reconciles": item.read == item.accepted + item.rejected + item.filtered,
            "unreadable": reason_html(item.unreadable) if item.unreadable else "",
            "error": error_html(item.error) if item.error else "",
        },
    )


@login_required
def load_job(request: HttpRequest, load_id: int) -> HttpResponse:
    """The load's progress (polled by its page while it runs)."""
    item = load_sync(_load(request, load_id))
    response = render(request, "loads/_job.html", {"load": item})
    if request.headers.get("HX-Request") and item.state not in (Load.QUEUED, Load.RUNNING):
        response["HX-Refresh"] = "true"  # show the counts once the load is done
    return response


@login_required
def load_rejects_csv(request: HttpRequest, load_id: int) -> HttpResponse:
    item = _load(request, load_id)
    response = HttpResponse(rejects_csv(item), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="load-{item.pk}-rejects.csv"'
    return response


@login_required
@require_POST
def load_undo_view(request: HttpRequest, load_id: int) -> HttpResponse:
    item = _load(request, load_id)
    return act(
        request,
        lambda: load_undo(load=item, actor=request.user),
        error=LoadError,
        done=lambda removed: (
            _("The load was undone: %(n)s rows were taken out of the warehouse.")
            % {"n": f"{sum(removed.values()):,}"}
        ),
        then=redirect("load", load_id=item.pk),
    )


urlpatterns = [
    path("data/loads/", loads, name="loads"),
    path("data/loads/<int:load_id>/", load, name="load"),
    path("data/loads/<int:load_id>/job/", load_job, name="load_job"),
    path("data/loads/<int:load_id>/rejects.csv", load_rejects_csv, name="load_rejects_csv"),
    path("data/loads/<int:load_id>/undo/", load_undo_view, name="load_undo"),
]
