"""The points store (optional per center): HR opens it and keeps the catalog; an employee turns
points into a reward by a request HR approves (the stock goes down) or declines with a reason
(the points are free again). Every step is audited.

Balance = points awarded in the ledger − points held by pending and approved requests.

No double spending: a request locks its employee's row (``SELECT … FOR UPDATE``) before it reads
the balance, so two requests of one person run one after the other and the second sees the
first's points held; the item's row is locked as well, so two people cannot both take the last
one in stock. Locks are always taken employee first, then item, so requests cannot deadlock.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit, notify
from callgrade.engagement.models import Award, Redemption, StoreItem, StoreSwitch
from callgrade.engagement.services import EngagementError
from callgrade.people.access import employee_of, is_hr
from callgrade.people.models import Employee

MY_STORE = "/me/store/"
MAX_POINTS = 1_000_000


def store_open() -> bool:
    switch = StoreSwitch.objects.order_by("id").first()
    return bool(switch and switch.open)


def balance(employee: Employee | int) -> dict[str, Decimal]:
    """What ``employee`` has earned, holds in requests and may still spend, in points."""
    pk = employee if isinstance(employee, int) else employee.pk
    earned = Award.objects.filter(employee_id=pk).aggregate(s=Sum("points"))["s"] or Decimal(0)
    held = Redemption.objects.filter(employee_id=pk, state__in=Redemption.HOLDING).aggregate(
        pending=Sum("points", filter=Q(state=Redemption.PENDING)),
        approved=Sum("points", filter=Q(state=Redemption.APPROVED)),
    )
    pending, spent = Decimal(held["pending"] or 0), Decimal(held["approved"] or 0)
    return {"earned": earned, "pending": pending, "spent": spent,
            "available": earned - pending - spent}  # fmt: skip


def available_stock(item: StoreItem) -> int:
    """What is left to ask for: the stock less what pending requests have reserved."""
    reserved = Redemption.objects.filter(item=item, state=Redemption.PENDING).count()
    return max(item.stock - reserved, 0)


def catalog(qs: Any, lang: str) -> list[dict[str, Any]]:
    """Catalog items in the reader's language, each with ``left``: the stock less what pending
    requests have reserved."""
    pending = Count("redemptions", filter=Q(redemptions__state=Redemption.PENDING))
    return [
        {"item": item, "name": item.label(lang), "left": max(item.stock - item.reserved, 0)}
        for item in qs.annotate(reserved=pending)
    ]


def requests_of(qs: Any, lang: str, limit: int = 300) -> list[dict[str, Any]]:
    """Redemption requests, newest first, with their reward's name in the reader's language."""
    rows = qs.select_related("item", "employee").order_by("-requested_at", "-id")[:limit]
    return [{"r": r, "name": r.item.label(lang)} for r in rows]


# --- HR -----------------------------------------------------------------------------------------


def _require_hr(actor: Any) -> None:
    if not is_hr(actor):
        raise EngagementError(_("Only HR manages the points store."))


def store_switch(*, actor: Any, open_: bool) -> StoreSwitch:
    _require_hr(actor)
    with transaction.atomic():
        switch = StoreSwitch.objects.select_for_update().order_by("id").first()
        if switch is None:
            switch = StoreSwitch.objects.create(open=open_, changed_by=actor)
            before = False
        else:
            before = switch.open
            switch.open, switch.changed_by = open_, actor
            switch.save()
        audit(actor, "store_switch", switch, before={"open": before}, after={"open": open_})
    return switch


def _number(text: str, what: str, *, least: int) -> int:
    raw = str(text).strip().replace(",", "")
    if not raw.isdigit() or not least <= int(raw) <= MAX_POINTS:
        raise EngagementError(
            _("%(what)s is a whole number from %(least)s to %(most)s; got “%(got)s”.")
            % {"what": what, "least": least, "most": f"{MAX_POINTS:,}", "got": raw[:20]}
        )
    return int(raw)


def item_save(
    *,
    actor: Any,
    name_zh: str,
    name_en: str,
    cost: str,
    stock: str,
    active: bool = True,
    item: StoreItem | None = None,
) -> StoreItem:
    """Add a reward to the catalog, or change one (``item``); all fields are checked first."""
    _require_hr(actor)
    name_zh, name_en = name_zh.strip(), name_en.strip()
    if not name_zh and not name_en:
        raise EngagementError(_("A reward needs a name, in Chinese or in English."))
    if len(name_zh) > 200 or len(name_en) > 200:
        raise EngagementError(_("A reward's name is at most 200 characters."))
    fields = {"name_zh": name_zh, "name_en": name_en, "active": active,
              "cost": _number(cost, _("The price in points"), least=1),
              "stock": _number(stock, _("The stock"), least=0)}  # fmt: skip
    with transaction.atomic():
        if item is None:
            item = StoreItem.objects.create(**fields)
            audit(actor, "store_item_create", item, after=fields)
            return item
        locked = StoreItem.objects.select_for_update().get(pk=item.pk)
        before = {k: getattr(locked, k) for k in fields}
        for k, v in fields.items():
            setattr(locked, k, v)
        locked.save()
        audit(actor, "store_item_change", locked, before=before, after=fields)
    return locked


# --- the employee -------------------------------------------------------------------------


def redemption_request(*, actor: Any, item_id: int, employee: Employee | None = None) -> Redemption:
    """The acting employee asks for one ``item``; refused (and nothing written) when the store is
    closed, the item not offered, out of stock, or the points short. ``employee`` is for the demo
    seed, which asks on behalf of employees without a login."""
    me = employee if employee is not None and actor is None else employee_of(actor)
    if me is None:
        raise EngagementError(_("Only employees redeem points."))
    with transaction.atomic():
        # the employee first, then the item: see the module's docstring
        Employee.objects.select_for_update().only("pk").get(pk=me.pk)
        item = StoreItem.objects.select_for_update().filter(pk=item_id).first()
        if not store_open():
            raise EngagementError(_("The points store is closed."))
        if item is None or not item.active:
            raise EngagementError(_("This reward is not offered."))
        if available_stock(item) < 1:
            raise EngagementError(_("This reward is out of stock."))
        have = balance(me)["available"]
        if have < item.cost:
            raise EngagementError(
                _("This reward costs %(cost)s points; you have %(have)s available.")
                % {"cost": f"{item.cost:,}", "have": f"{have:,.0f}"}
            )
        r = Redemption.objects.create(employee=me, item=item, points=item.cost, requested_by=actor)
        after = {"item": item.pk, "points": item.cost, "balance_before": str(have)}
        audit(actor, "redemption_request", r, after=after)
    return r


def redemption_cancel(
    *, actor: Any, redemption: Redemption, employee: Employee | None = None
) -> Redemption:
    """The employee withdraws their own request while it waits; its points are free again.
    ``employee`` is for the demo seed, as in :func:`redemption_request`."""
    me = employee if employee is not None and actor is None else employee_of(actor)
    with transaction.atomic():
        r = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if me is None or r.employee_id != me.pk:
            raise EngagementError(_("Only the one who asked withdraws a request."))
        if r.state != Redemption.PENDING:
            raise EngagementError(_("Only a request waiting for HR can be withdrawn."))
        r.state, r.decided_at = Redemption.CANCELLED, timezone.now()
        r.save()
        audit(actor, "redemption_cancel", r, before={"state": Redemption.PENDING},
              after={"state": r.state})  # fmt: skip
    return r


# --- HR decides ---------------------------------------------------------------------------


def redemption_decide(
    *, actor: Any, redemption: Redemption, approve: bool, reason: str = ""
) -> Redemption:
    """HR approves a pending request (one taken from stock) or declines it with a reason (its
    points are free again). A request is decided once: a second decision is refused."""
    _require_hr(actor)
    reason = reason.strip()
    if not approve and not reason:
        raise EngagementError(_("Declining a request needs a reason."))
    with transaction.atomic():
        r = Redemption.objects.select_for_update().get(pk=redemption.pk)
        if r.state != Redemption.PENDING:
            raise EngagementError(_("This request was decided already."))
        item = StoreItem.objects.select_for_update().get(pk=r.item_id)
        before = {"state": r.state, "stock": item.stock}
        if approve:
            if item.stock < 1:
                raise EngagementError(_("This reward is out of stock: decline the request."))
            item.stock -= 1
            item.save(update_fields=["stock"])
        r.state = Redemption.APPROVED if approve else Redemption.DECLINED
        r.decided_by, r.decided_at, r.reason = actor, timezone.now(), reason
        r.save()
        audit(actor, "redemption_decide", r, before=before,
              after={"state": r.state, "stock": item.stock}, reason=reason)  # fmt: skip
        user = r.employee.user
        if approve:
            en = f"Your request for “{item.label('en')}” was approved."
            zh = f"您兑换“{item.label('zh')}”的申请已批准。"
        else:
            en = f"Your request for “{item.label('en')}” was declined: {reason}"
            zh = f"您兑换“{item.label('zh')}”的申请未获批准：{reason}"
        notify(user, en=en, zh=zh, url=MY_STORE)
    return r
