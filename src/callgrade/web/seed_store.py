"""The demo's points store: opened, a small catalog, and requests in every state made through the
store's services from the demo day's award points (so balances and stock add up). Re-running
changes nothing: the catalog and the requests are made once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Sum

from callgrade.engagement.models import Award, Redemption, StoreItem
from callgrade.engagement.services import EngagementError
from callgrade.engagement.services.store import (
    balance,
    redemption_cancel,
    redemption_decide,
    redemption_request,
    store_open,
    store_switch,
)
from callgrade.people.models import Employee

CATALOG = [
    ("食堂餐券", "Canteen meal voucher", 10, 100),
    ("电影票两张", "Two cinema tickets", 30, 20),
    ("定制保温杯", "Insulated mug", 40, 30),
    ("带薪休假半天", "Half a day of paid leave", 150, 5),
    ("无线耳机", "Wireless headphones", 400, 2),
]


def _richest(n: int) -> list[Employee]:
    """Employees with points, those with a login first (so the demo logins see requests), then
    by points earned."""
    earned = (
        Award.objects.filter(points__gt=0)
        .values("employee_id")
        .annotate(p=Sum("points"))
        .order_by("-p", "employee_id")
    )
    ids = [row["employee_id"] for row in earned]
    people = {e.pk: e for e in Employee.objects.filter(pk__in=ids)}
    ordered = [people[i] for i in ids]
    return sorted(ordered, key=lambda e: e.user_id is None)[:n]


def _ask(employee: Employee, item: StoreItem) -> Redemption | None:
    try:
        return redemption_request(actor=employee.user, item_id=item.pk, employee=employee)
    except EngagementError:  # too few points for it: the demo simply has one request fewer
        return None


def seed_store() -> dict[str, Any]:
    hr = get_user_model().objects.get(username="hr")
    if not store_open():
        store_switch(actor=hr, open_=True)
    if not StoreItem.objects.exists():
        for zh, en, cost, stock in CATALOG:
            StoreItem.objects.create(name_zh=zh, name_en=en, cost=cost, stock=stock)
    if not Redemption.objects.exists():
        items = list(StoreItem.objects.order_by("cost"))
        people = _richest(4)
        for k, person in enumerate(people):
            # the cheapest first, so that even a small balance shows a withdrawn request
            withdrawn = _ask(person, items[0])
            if withdrawn is not None:
                redemption_cancel(actor=person.user, redemption=withdrawn, employee=person)
            approved = _ask(person, items[(k + 1) % 3])
            if approved is not None:
                redemption_decide(actor=hr, redemption=approved, approve=True)
            _ask(person, items[0])  # waiting for HR
            declined = _ask(person, items[k % 2])
            if declined is not None:
                redemption_decide(
                    actor=hr, redemption=declined, approve=False, reason="本月已兑换过同类奖品"
                )
    states = dict(Redemption.objects.values_list("state").annotate(n=Count("id")).order_by())
    people = Employee.objects.filter(pk__in=Redemption.objects.values("employee_id"))
    return {
        "items": StoreItem.objects.count(),
        "requests": states,
        "balances": {e.employee_id: balance(e)["available"] for e in people},
    }
