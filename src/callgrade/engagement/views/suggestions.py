"""Suggestions (合理化建议): the center's list with support, the form, one's own list; HR's
inbox with the workflow, awards and an XLSX export. Who wrote an anonymous suggestion reaches
the designated reviewer's pages only (``selectors.authors_for``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core import tabular
from callgrade.core.views import act
from callgrade.engagement.access import is_suggestion_reviewer
from callgrade.engagement.models import Suggestion
from callgrade.engagement.selectors import (
    authors_for,
    inbox,
    my_suggestion_ids,
    my_suggestions,
    suggestion_history,
    suggestions,
    supported_ids,
)
from callgrade.engagement.services import EngagementError
from callgrade.engagement.services.suggestions import (
    suggestion_award,
    suggestion_move,
    suggestion_submit,
    suggestion_support,
)
from callgrade.people.access import access, employee_of, is_hr, require_employee, require_hr


def _filters(request: HttpRequest) -> dict[str, str]:
    return {"status": request.GET.get("status", ""), "category": request.GET.get("category", "")}


def _choices() -> dict[str, Any]:
    return {"states": Suggestion.STATES, "categories": Suggestion.CATEGORIES}


@login_required
def suggestion_list(request: HttpRequest) -> HttpResponse:
    """Every suggestion of the center, with its support; anonymous ones name nobody."""
    filters = _filters(request)
    access_check = is_hr(request.user) or employee_of(request.user) is not None
    items = list(suggestions(**filters)) if access_check else []
    return render(
        request,
        "engagement/suggestions.html",
        {
            "items": items,
            "filters": filters,
            "mine": my_suggestion_ids(request.user),
            "supported": supported_ids(request.user),
            "employee": employee_of(request.user),
            **_choices(),
        },
    )


@login_required
def suggestion_new(request: HttpRequest) -> HttpResponse:
    require_employee(request.user)
    post = request.POST
    form: dict[str, Any] = {
        "title": post.get("title", ""),
        "text": post.get("text", ""),
        "category": post.get("category", ""),
        "anonymous": post.get("anonymous") == "1",
    }
    if request.method == "POST":
        try:
            s = suggestion_submit(
                actor=request.user,
                title=form["title"],
                text=form["text"],
                category=form["category"],
                anonymous=form["anonymous"],
            )
        except EngagementError as e:
            messages.error(request, str(e))
        else:
            messages.success(request, _("Thank you: your suggestion was received."))
            return redirect("suggestion", suggestion_id=s.pk)
    return render(request, "engagement/suggestion_new.html", {"form": form, **_choices()})


@login_required
def suggestion_detail(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    s: Suggestion = access(request.user, "suggestion", suggestion_id)
    counted = suggestions().get(pk=s.pk)
    hr = is_hr(request.user)
    return render(
        request,
        "engagement/suggestion.html",
        {
            "s": counted,
            "history": suggestion_history(s),
            "hr": hr,
            "author": authors_for(request.user, [s]).get(s.pk),
            "reviewer": is_suggestion_reviewer(request.user),
            "mine": s.pk in my_suggestion_ids(request.user),
            "supported": s.pk in supported_ids(request.user),
            "employee": employee_of(request.user),
            "states": dict(Suggestion.STATES),
        },
    )


@login_required
@require_POST
def suggestion_support_view(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    require_employee(request.user)
    s = access(request.user, "suggestion", suggestion_id)
    return act(
        request,
        lambda: suggestion_support(actor=request.user, suggestion=s),
        error=EngagementError,
        done=_("You support this suggestion."),
        then=redirect("suggestion", suggestion_id=s.pk),
    )


@login_required
def my_suggestions_view(request: HttpRequest) -> HttpResponse:
    require_employee(request.user)
    return render(
        request, "engagement/my_suggestions.html", {"items": list(my_suggestions(request.user))}
    )


@login_required
def suggestions_inbox(request: HttpRequest) -> HttpResponse:
    """HR's inbox: open suggestions first, each with the steps it may take next."""
    require_hr(request.user)
    items = list(inbox())
    return render(
        request,
        "engagement/inbox.html",
        {
            "items": items,
            "authors": authors_for(request.user, items),
            "reviewer": is_suggestion_reviewer(request.user),
            "states": dict(Suggestion.STATES),
        },
    )


@login_required
@require_POST
def suggestion_status(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    s = access(request.user, "suggestion", suggestion_id, "manage")
    post = request.POST
    from_inbox = post.get("back") == "inbox"
    to, answer, reason = post.get("to", ""), post.get("answer", ""), post.get("reason", "")
    if from_inbox and to == Suggestion.DECLINED:  # the inbox has one field for both
        answer, reason = "", reason or answer
    return act(
        request,
        lambda: suggestion_move(
            actor=request.user, suggestion=s, to=to, answer=answer, reason=reason
        ),
        error=EngagementError,
        done=_("The suggestion's status was changed."),
        then=(
            redirect("suggestions_inbox")
            if from_inbox
            else redirect("suggestion", suggestion_id=s.pk)
        ),
    )


@login_required
@require_POST
def suggestion_award_view(request: HttpRequest, suggestion_id: int) -> HttpResponse:
    s = access(request.user, "suggestion", suggestion_id, "manage")
    return act(
        request,
        lambda: suggestion_award(
            actor=request.user,
            suggestion=s,
            amount=request.POST.get("amount", ""),
            reason=request.POST.get("reason", ""),
        ),
        error=EngagementError,
        done=_("The award was recorded."),
        then=redirect("suggestion", suggestion_id=s.pk),
    )


def export_rows(user: Any) -> tuple[list[str], list[list[Any]]]:
    """The export's header (in the reader's language) and rows. The author columns are filled
    for a suggestion that names its author, and for the designated reviewer; an anonymous
    row is blank there for everyone else."""
    items = list(inbox())
    authors = authors_for(user, items)
    states, categories = dict(Suggestion.STATES), dict(Suggestion.CATEGORIES)
    header = [
        _("Number"), _("Submitted"), _("Title"), _("Category"), _("Status"), _("Anonymous"),
        _("Employee ID"), _("Name"), _("Supports"), _("Suggestion"), _("Answer"),
        _("Reason declined"), _("Award"), _("Award reason"),
    ]  # fmt: skip
    rows = []
    for s in items:
        author = authors.get(s.pk) or s.submitter
        rows.append([
            s.pk, timezone.localtime(s.submitted_at).date().isoformat(), s.title,
            str(categories.get(s.category, "")), str(states.get(s.status, "")),
            _("yes") if s.anonymous else _("no"),
            author.employee_id if author else "", author.name if author else "",
            s.support_count, s.text, s.answer, s.decline_reason,
            s.award_amount, s.award_reason,
        ])  # fmt: skip
    return [str(h) for h in header], rows


@login_required
def suggestions_xlsx(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    header, rows = export_rows(request.user)
    body = tabular.table_xlsx(_("Suggestions"), header, rows, date_columns=(1,))
    response = HttpResponse(body, content_type=tabular.XLSX)
    response["Content-Disposition"] = 'attachment; filename="suggestions.xlsx"'
    return response


urlpatterns = [
    path("suggestions/", suggestion_list, name="suggestions"),
    path("suggestions/new/", suggestion_new, name="suggestion_new"),
    path("suggestions/inbox/", suggestions_inbox, name="suggestions_inbox"),
    path("suggestions/export.xlsx", suggestions_xlsx, name="suggestions_xlsx"),
    path("suggestions/<int:suggestion_id>/", suggestion_detail, name="suggestion"),
    path(
        "suggestions/<int:suggestion_id>/support/",
        suggestion_support_view,
        name="suggestion_support",
    ),
    path("suggestions/<int:suggestion_id>/status/", suggestion_status, name="suggestion_status"),
    path("suggestions/<int:suggestion_id>/award/", suggestion_award_view, name="suggestion_award"),
    path("me/suggestions/", my_suggestions_view, name="my_suggestions"),
]
