"""The points store: balances add up, requests are refused when points or stock are short,
HR's decisions move points and stock exactly once, concurrent requests cannot overspend, and the
pages show it all."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone, translation

from callgrade.core.models import AuditEvent
from callgrade.engagement.models import Award, Redemption, StoreItem
from callgrade.engagement.services import EngagementError
from callgrade.engagement.services import store as store_service
from callgrade.engagement.services.store import (
    balance,
    item_save,
    redemption_cancel,
    redemption_decide,
    redemption_request,
    store_open,
    store_switch,
)
from callgrade.people.models import Employee


def _award(emp: Employee, points: int, key: str) -> Award:
    now = timezone.now()
    return Award.objects.create(
        key=f"test-store:{key}", employee=emp, rule="test", label_en="Test", label_zh="测试",
        points=Decimal(points), day=now.date(), at=now,
    )  # fmt: skip


def _item(cost: int, stock: int, **more: Any) -> StoreItem:
    return StoreItem.objects.create(name_zh="奖品", name_en="Prize", cost=cost, stock=stock, **more)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def me(agent: Any) -> Employee:
    return Employee.objects.get(user=agent)


def test_the_balance_is_earned_less_pending_and_approved(me: Employee, agent: Any, hr: Any) -> None:
    start = balance(me)
    _award(me, 100, "a")
    _award(me, 25, "b")
    item = _item(40, 5)
    assert balance(me)["earned"] - start["earned"] == 125
    first = redemption_request(actor=agent, item_id=item.pk)
    second = redemption_request(actor=agent, item_id=item.pk)
    third = redemption_request(actor=agent, item_id=item.pk)
    redemption_decide(actor=hr, redemption=first, approve=True)
    redemption_decide(actor=hr, redemption=second, approve=False, reason="one a month")
    now = balance(me)
    assert now["spent"] - start["spent"] == 40  # approved
    assert now["pending"] - start["pending"] == 40  # third, waiting
    assert now["available"] - start["available"] == 125 - 80  # the declined one is free again
    redemption_cancel(actor=agent, redemption=third)
    assert balance(me)["available"] - start["available"] == 125 - 40


def test_too_few_points_is_refused_with_the_figures_and_nothing_written(
    me: Employee, agent: Any
) -> None:
    have = balance(me)["available"]
    item = _item(int(have) + 1, 5)
    before = (Redemption.objects.count(), AuditEvent.objects.count())
    with pytest.raises(EngagementError, match=f"costs {int(have) + 1:,} points"):
        redemption_request(actor=agent, item_id=item.pk)
    assert (Redemption.objects.count(), AuditEvent.objects.count()) == before


def test_pending_requests_reserve_the_stock(me: Employee, agent: Any) -> None:
    _award(me, 1000, "stock")
    item = _item(10, 2)
    redemption_request(actor=agent, item_id=item.pk)
    redemption_request(actor=agent, item_id=item.pk)
    with pytest.raises(EngagementError, match="out of stock"):
        redemption_request(actor=agent, item_id=item.pk)
    assert Redemption.objects.filter(item=item).count() == 2


def test_closed_store_and_withdrawn_items_refuse(me: Employee, agent: Any, hr: Any) -> None:
    _award(me, 1000, "closed")
    hidden = _item(10, 5, active=False)
    with pytest.raises(EngagementError, match="not offered"):
        redemption_request(actor=agent, item_id=hidden.pk)
    item = _item(10, 5)
    store_switch(actor=hr, open_=False)
    assert not store_open()
    with pytest.raises(EngagementError, match="closed"):
        redemption_request(actor=agent, item_id=item.pk)
    with pytest.raises(EngagementError):
        store_switch(actor=agent, open_=True)  # only HR opens it


def test_decline_needs_a_reason_and_releases_the_points(me: Employee, agent: Any, hr: Any) -> None:
    _award(me, 50, "decline")
    item = _item(int(balance(me)["available"]), 3)  # everything the agent has
    r = redemption_request(actor=agent, item_id=item.pk)
    assert balance(me)["available"] == 0
    with pytest.raises(EngagementError, match="reason"):
        redemption_decide(actor=hr, redemption=r, approve=False)
    redemption_decide(actor=hr, redemption=r, approve=False, reason="not this month")
    r.refresh_from_db()
    item.refresh_from_db()
    assert r.state == Redemption.DECLINED and r.reason == "not this month"
    assert item.stock == 3 and balance(me)["available"] == item.cost
    assert me.user is not None
    told = me.user.notifications.order_by("-id").first()
    assert told is not None and "not this month" in told.text_en
    trail = AuditEvent.objects.filter(object_type="redemption", object_id=str(r.pk))
    assert set(trail.values_list("action", flat=True)) == {
        "redemption_request",
        "redemption_decide",
    }


def test_approval_takes_one_from_stock_once(me: Employee, agent: Any, hr: Any) -> None:
    _award(me, 100, "approve")
    item = _item(10, 4)
    r = redemption_request(actor=agent, item_id=item.pk)
    redemption_decide(actor=hr, redemption=r, approve=True)
    with pytest.raises(EngagementError, match="decided already"):
        redemption_decide(actor=hr, redemption=r, approve=True)
    with pytest.raises(EngagementError, match="decided already"):
        redemption_decide(actor=hr, redemption=r, approve=False, reason="changed my mind")
    with pytest.raises(EngagementError):
        redemption_cancel(actor=agent, redemption=r)
    item.refresh_from_db()
    assert item.stock == 3
    with pytest.raises(EngagementError):
        redemption_decide(actor=agent, redemption=r, approve=True)  # only HR decides


def test_catalog_input_is_checked_with_what_was_expected(hr: Any) -> None:
    with pytest.raises(EngagementError, match="name"):
        item_save(actor=hr, name_zh=" ", name_en="", cost="10", stock="1")
    with pytest.raises(EngagementError, match=r"whole number from 1 .* got “ten”"):
        item_save(actor=hr, name_zh="券", name_en="", cost="ten", stock="1")
    with pytest.raises(EngagementError, match="whole number from 0"):
        item_save(actor=hr, name_zh="券", name_en="", cost="10", stock="-1")
    item = item_save(actor=hr, name_zh="券", name_en="", cost="1,000", stock="2")
    assert (item.cost, item.stock, item.label("en")) == (1000, 2, "券")  # one name serves both


# --- concurrency ---------------------------------------------------------------------------------


def _in_thread(fn: Any) -> Any:
    """Run ``fn`` on a connection of its own (committed at once, seen by other connections)."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except Exception as e:
            out["error"] = e
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join(30)
    if "error" in out:
        raise out["error"]
    return out.get("value")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_requests_cannot_overspend(db: None, monkeypatch: Any) -> None:
    """Two requests of one employee at once, each affordable alone, not both: the second reads
    the balance after the first is written. The balance read is slowed so that, without the
    lock, both would read before either writes."""
    if not store_open():
        pytest.skip("the demo seed opens the store")
    emp = (
        Employee.objects.exclude(pk__in=Award.objects.values("employee_id"))
        .exclude(pk__in=Redemption.objects.values("employee_id"))
        .exclude(status="left")
        .first()
    )
    assert emp is not None
    # two different rewards: the item's lock alone would not order the two requests
    first, second, award_pk = _in_thread(
        lambda: (_item(60, 10).pk, _item(60, 10).pk, _award(emp, 100, "race").pk)
    )
    real = store_service.balance

    def slow(e: Any) -> dict[str, Decimal]:
        got = real(e)
        time.sleep(0.4)
        return got

    monkeypatch.setattr(store_service, "balance", slow)
    gate = threading.Barrier(2)
    results: list[str] = []

    def one(item_pk: int) -> None:
        gate.wait()
        try:
            with translation.override("en"):
                redemption_request(actor=None, item_id=item_pk, employee=emp)
            results.append("ok")
        except EngagementError as e:
            results.append(str(e))
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=one, args=(pk,)) for pk in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(results) == 2 and results.count("ok") == 1, results
        assert "you have 40 available" in "".join(results)
    finally:

        def clean() -> None:
            made = Redemption.objects.filter(item_id__in=(first, second))
            ids = [str(pk) for pk in made.values_list("pk", flat=True)]
            AuditEvent.objects.filter(object_type="redemption", object_id__in=ids).delete()
            made.delete()
            StoreItem.objects.filter(pk__in=(first, second)).delete()
            Award.objects.filter(pk=award_pk).delete()

        _in_thread(clean)


# --- pages ------------------------------------------------------------------------------------


def test_the_agent_redeems_from_the_page_and_hr_decides(
    me: Employee, agent: Any, hr: Any, login: Any
) -> None:
    _award(me, 500, "page")
    item = _item(30, 2)
    c = login(agent)
    page = c.get("/me/store/").content.decode()
    assert 'id="store-catalog"' in page and f'data-item="{item.pk}"' in page
    r = c.post(f"/me/store/{item.pk}/request/", follow=True)
    assert "Your request was sent to HR." in r.content.decode()
    mine = Redemption.objects.get(item=item)
    assert f'data-redemption="{mine.pk}" data-state="pending"' in r.content.decode()

    h = login(hr)
    queue = h.get("/store/").content.decode()
    assert f'data-redemption="{mine.pk}"' in queue and me.name in queue
    h.post(f"/store/requests/{mine.pk}/decide/", {"decision": "approve"})
    mine.refresh_from_db()
    item.refresh_from_db()
    assert mine.state == Redemption.APPROVED and mine.decided_at and item.stock == 1
    shown = c.get("/me/store/").content.decode()
    assert f'data-redemption="{mine.pk}" data-state="approved"' in shown


def test_a_refusal_is_told_on_the_page(me: Employee, agent: Any, login: Any) -> None:
    item = _item(10**6, 2)
    r = login(agent).post(f"/me/store/{item.pk}/request/", follow=True)
    assert "This reward costs 1,000,000 points" in r.content.decode()
    assert not Redemption.objects.filter(item=item).exists()


def test_the_store_shows_in_the_navigation_only_when_open(agent: Any, hr: Any, login: Any) -> None:
    c = login(agent)
    assert 'data-nav="my_store"' in c.get("/standard/").content.decode()
    store_switch(actor=hr, open_=False)
    assert 'data-nav="my_store"' not in c.get("/standard/").content.decode()
    page = c.get("/me/store/").content.decode()
    assert 'id="store-closed"' in page and 'id="store-catalog"' not in page
    assert 'data-nav="store"' in login(hr).get("/standard/").content.decode()


def test_hr_keeps_the_catalog_from_the_page(hr: Any, login: Any) -> None:
    h = login(hr)
    r = h.post("/store/items/", {"name_zh": "电影票", "name_en": "", "cost": "x", "stock": "1"})
    assert r.status_code == 302 and not StoreItem.objects.filter(name_zh="电影票").exists()
    h.post("/store/items/", {"name_zh": "电影票", "name_en": "Cinema", "cost": "25", "stock": "3"})
    item = StoreItem.objects.get(name_zh="电影票")
    h.post(f"/store/items/{item.pk}/", {"name_zh": "电影票", "name_en": "Cinema", "cost": "30",
                                         "stock": "2", "active": "0"})  # fmt: skip
    item.refresh_from_db()
    assert (item.cost, item.stock, item.active) == (30, 2, False)
    change = AuditEvent.objects.filter(action="store_item_change", object_id=str(item.pk)).get()
    assert change.before["cost"] == 25 and change.after["cost"] == 30


def test_the_demo_has_a_catalog_and_requests_in_every_state(db: None) -> None:
    assert store_open() and StoreItem.objects.count() >= 3
    states = set(Redemption.objects.values_list("state", flat=True))
    assert states == {s for s, _label in Redemption.STATES}
    # every demo balance adds up: nobody holds more than they earned
    for emp in Employee.objects.filter(pk__in=Redemption.objects.values("employee_id")):
        assert balance(emp)["available"] >= 0
