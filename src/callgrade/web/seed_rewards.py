"""The demo's awards: a replay of a demo day's events — survey answers and QA evaluations for
customer service and the front desk, sales and QA for telesales — posted through the events
endpoint's service as a demo source and evaluated by the rewards consumer, so the ledger holds
the awards the standard's instant rewards grant for that day. Re-running changes nothing (the
events are duplicates by their ids, the awards are keyed)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from callgrade.engagement.models import Award, EventSource
from callgrade.engagement.services.rewards import (
    RewardsConsumer,
    event_source_create,
    receive_event,
)
from callgrade.people.models import Employee

DEMO_SOURCE = "demo day replay"
SERVICE = ("customer_service", "front_desk", "technical_support")


def demo_day_events(day: dt.date, time_zone: str, seed: int = 13) -> list[dict[str, Any]]:
    """The posted events of one demo day for everyone on the roster, in time order."""
    rng = random.Random(seed)
    zone = ZoneInfo(time_zone)
    events: list[dict[str, Any]] = []

    def at(minutes: float) -> str:
        start = dt.datetime.combine(day, dt.time(9), zone)
        return (start + dt.timedelta(minutes=minutes)).isoformat()

    for e in Employee.objects.exclude(status="left").order_by("employee_id"):
        emp = e.employee_id
        if e.position in SERVICE:
            share = rng.choice((0.99, 0.9, 0.75))  # some have a day of delighted callers
            for k in range(12):
                csat = 5 if rng.random() < share else rng.choice((3, 4))
                events.append({"id": f"{day}-{emp}-s{k}", "type": "survey", "employee_id": emp,
                               "at": at(20 + 35 * k + rng.random() * 5), "csat": csat})  # fmt: skip
        elif e.position == "telesales":
            for k in range(6):
                amount = round(rng.uniform(800, 3200), 2)
                events.append({"id": f"{day}-{emp}-x{k}", "type": "sale", "employee_id": emp,
                               "at": at(40 + 70 * k), "amount": amount})  # fmt: skip
        for k in range(3):
            score = rng.choice((84, 88, 92, 96, 97, 99))
            events.append({"id": f"{day}-{emp}-q{k}", "type": "qa_evaluation",
                           "employee_id": emp, "at": at(60 + 150 * k), "score": score})  # fmt: skip
    events.sort(key=lambda ev: (ev["at"], ev["id"]))
    return events


def seed_rewards(day: dt.date, time_zone: str) -> dict[str, int]:
    """Replay the demo day into the ledger; what the ledger then holds for it."""
    source = EventSource.objects.filter(name=DEMO_SOURCE).first()
    if source is None:
        source, _token = event_source_create(name=DEMO_SOURCE, actor=None)
    events = demo_day_events(day, time_zone)
    for data in events:
        receive_event(source, data)
    RewardsConsumer(None, report=lambda _s: None).evaluate()
    return {"events": len(events), "awards": Award.objects.filter(day=day).count()}
