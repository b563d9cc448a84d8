"""The points store: an employee's page (the catalog, their balance, their requests) and HR's
(the switch that opens the store, the catalog and the queue of requests)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callgrade.core.views import act
from callgrade.engagement.models import Redemption, StoreItem
from callgrade.engagement.services import EngagementError
from callgrade.engagement.services.store import (
    balance,
    catalog,
    item_save,
    redemption_cancel,
    redemption_decide,
    redemption_request,
    requests_of,
    store_open,
    store_switch,
)
from callgrade.people.access import Denied, require_employee, require_hr


def _lang() -> str:
    return get_language() or "en"


@login_required
def my_store(request: HttpRequest) -> HttpResponse:
    me = require_employee(request.user)
    opened = store_open()
    lang = _lang()
    items = catalog(StoreItem.objects.filter(active=True), lang) if opened else []
    mine = requests_of(Redemption.objects.filter(employee=me), lang)
    return render(
        request,
        "engagement/my_store.html",
        {"open": opened, "items": items, "balance": balance(me), "requests": mine},
    )


@login_required
@require_POST
def store_request(request: HttpRequest, item_id: int) -> HttpResponse:
    require_employee(request.user)
    return act(
        request,
        lambda: redemption_request(actor=request.user, item_id=item_id),
        error=EngagementError,
        done=_("Your request was sent to HR."),
        then=redirect("my_store"),
    )


@login_required
@require_POST
def redemption_cancel_view(request: HttpRequest, redemption_id: int) -> HttpResponse:
    me = require_employee(request.user)
    r = Redemption.objects.filter(pk=redemption_id, employee=me).first()
    if r is None:
        raise Denied
    return act(
        request,
        lambda: redemption_cancel(actor=request.user, redemption=r),
        error=EngagementError,
        done=_("Your request was withdrawn."),
        then=redirect("my_store"),
    )


@login_required
def store_manage(request: HttpRequest) -> HttpResponse:
    """HR: the switch, the catalog with its stock, the requests waiting and those decided."""
    require_hr(request.user)
    lang = _lang()
    items = catalog(StoreItem.objects.all(), lang)
    requests = requests_of(Redemption.objects.all(), lang)
    return render(
        request,
        "engagement/store.html",
        {
            "open": store_open(),
            "items": items,
            "pending": [x for x in requests if x["r"].state == Redemption.PENDING],
            "decided": [x for x in requests if x["r"].state != Redemption.PENDING],
        },
    )


@login_required
@require_POST
def store_switch_view(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    opened = request.POST.get("open") == "1"
    store_switch(actor=request.user, open_=opened)
    messages.success(
        request, _("The points store is open.") if opened else _("The points store is closed.")
    )
    return redirect("store")


def _save(request: HttpRequest, item: StoreItem | None) -> HttpResponse:
    post = request.POST
    return act(
        request,
        lambda: item_save(
            actor=request.user,
            name_zh=post.get("name_zh", ""),
            name_en=post.get("name_en", ""),
            cost=post.get("cost", ""),
            stock=post.get("stock", ""),
            active=post.get("active", "1") == "1",
            item=item,
        ),
        error=EngagementError,
        done=_("The catalog was saved."),
        then=redirect("store"),
    )


@login_required
@require_POST
def store_item_new(request: HttpRequest) -> HttpResponse:
    require_hr(request.user)
    return _save(request, None)


@login_required
@require_POST
def store_item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    require_hr(request.user)
    return _save(request, get_object_or_404(StoreItem, pk=item_id))


@login_required
@require_POST
def redemption_decide_view(request: HttpRequest, redemption_id: int) -> HttpResponse:
    require_hr(request.user)
    r = get_object_or_404(Redemption, pk=redemption_id)
    approve = request.POST.get("decision") == "approve"
    return act(
        request,
        lambda: redemption_decide(
            actor=request.user, redemption=r, approve=approve, reason=request.POST.get("reason", "")
        ),
        error=EngagementError,
        done=_("The request was approved.") if approve else _("The request was declined."),
        then=redirect("store"),
    )


urlpatterns = [
    path("me/store/", my_store, name="my_store"),
    path("me/store/<int:item_id>/request/", store_request, name="store_request"),
    path(
        "me/store/requests/<int:redemption_id>/withdraw/",
        redemption_cancel_view,
        name="redemption_cancel",
    ),
    path("store/", store_manage, name="store"),
    path("store/switch/", store_switch_view, name="store_switch"),
    path("store/items/", store_item_new, name="store_item_new"),
    path("store/items/<int:item_id>/", store_item_edit, name="store_item_edit"),
    path(
        "store/requests/<int:redemption_id>/decide/",
        redemption_decide_view,
        name="redemption_decide",
    ),
]
