"""Instant rewards as events arrive: event sources and their tokens, posted events stored before
anything acts on them, and the consumer that ``callgrade live`` runs (followed queue_log lines into
:class:`LiveEvent`, then every unprocessed event through the policy's rules into the ledger).

Exactly-once: an event is one row per (source, event id), so a repeat is a duplicate; the
consumer marks events processed in the transaction that writes their awards, and an award's key
is fixed by the events that triggered it (``engine.live.rewards``). After a restart the consumer
rebuilds its running state by replaying the processed events of the open windows; the awards the
replay produces are in the ledger already and are not written again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.backends.signals import connection_created
from django.utils import timezone
from django.utils.translation import gettext as _

from callgrade.core.audit import audit
from callgrade.engagement.models import Award, EventSource, LiveEvent, LiveTally, RewardCursor
from callgrade.engagement.services import EngagementError
from callgrade.engine.live.events import (
    EventError,
    KpiEvent,
    parse_posted,
    posted_events,
    queue_log_events,
)
from callgrade.engine.live.rewards import Granted, RewardBook, book_for
from callgrade.people.models import Employee
from callgrade.standards.models import PolicyVersion

PREFIX = "cgev_"
BATCH = 2000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def event_source_create(*, name: str, actor: Any) -> tuple[EventSource, str]:
    """A new event source and its token; the token is returned here and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise EngagementError(_("An event source needs a name of at most 100 characters."))
    if name == LiveEvent.QUEUE_LOG or EventSource.objects.filter(name=name).exists():
        raise EngagementError(_("An event source with this name exists already."))
    token = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        source = EventSource.objects.create(
            name=name, token_hash=token_hash(token), token_hint=token[-4:]
        )
        audit(actor, "event_source_create", source, after={"name": name})
    return source, token


def source_for_token(token: str) -> EventSource | None:
    if not token.startswith(PREFIX):
        return None
    return EventSource.objects.filter(token_hash=token_hash(token), revoked_at=None).first()


def receive_event(source: EventSource, data: Any) -> tuple[LiveEvent, bool]:
    """Check and store one posted event; (the stored event, whether it is new). The same id again
    with the same content is a harmless duplicate; with other content it is refused."""
    posted = parse_posted(data)  # EventError names every bad field
    fields = {"kind": posted.kind, "employee_id": posted.employee_id, "at": posted.at,
              "payload": data}  # fmt: skip
    try:
        with transaction.atomic():
            event = LiveEvent.objects.create(source=source.name, event_id=posted.event_id, **fields)
    except IntegrityError:
        event = LiveEvent.objects.get(source=source.name, event_id=posted.event_id)
        if event.payload != data:
            raise EventError(
                [("id", "this id was sent before with other content; an event cannot change")]
            ) from None
        return event, False
    EventSource.objects.filter(pk=source.pk).update(last_used_at=timezone.now())
    return event, True


_COLUMNS = (
    "source",
    "event_id",
    "kind",
    "employee_id",
    "at",
    "payload",
    "received_at",
    "processed",
)


def _insert_new(rows: list[tuple[Any, ...]]) -> None:
    """Insert event rows, skipping those held already (same source and id). One statement for
    many rows: building Django model instances for thousands of lines a second costs more than
    the database does."""
    if not rows:
        return
    table = connection.ops.quote_name(LiveEvent._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    marks = ", ".join(["%s"] * len(_COLUMNS))
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT DO NOTHING"
    with connection.cursor() as c:
        c.executemany(sql, rows)


def add_calls(rows: list[tuple[str, dt.date, int, dt.datetime]]) -> None:
    """Add (employee id, day, calls, now) to the live tally, one statement for all."""
    table = connection.ops.quote_name(LiveTally._meta.db_table)
    calls = connection.ops.quote_name("calls")
    sql = (
        f"INSERT INTO {table} (employee_id, day, calls, updated_at) VALUES (%s, %s, %s, %s) "
        f"ON CONFLICT (employee_id, day) DO UPDATE SET {calls} = {table}.{calls} + "
        f"excluded.{calls}, updated_at = excluded.updated_at"
    )
    adapt = connection.ops
    params = [
        (emp, adapt.adapt_datefield_value(day), n, adapt.adapt_datetimefield_value(now))
        for emp, day, n, now in rows
    ]
    with connection.cursor() as c:
        c.executemany(sql, params)


def kpi_events(event: LiveEvent) -> list[KpiEvent]:
    """The KPI observations of a stored event."""
    return observations(event.source, event.event_id, event.payload)


def observations(source: str, event_id: str, payload: Any) -> list[KpiEvent]:
    if source == LiveEvent.QUEUE_LOG:
        return queue_log_events(payload["text"], event_id)
    return posted_events(parse_posted(payload))


def fast_commits(report: Callable[[str], Any] = print) -> None:
    """Let the live service's own commits skip waiting for the disk: on SQLite ``synchronous =
    NORMAL`` in write-ahead-log mode (which it switches the database to), on PostgreSQL
    ``synchronous_commit = off``; for every connection this process opens, and for no other
    process (the web app keeps syncing each commit). Safe here because everything the service
    writes can be made again: the lines come from the events file, which is synced before
    anything acts on them, and the events, the awards, the calls counted, the processed marks and
    the consumer's place in that file commit together — a power cut loses the last of those
    commits whole, and the consumer takes the same lines again and grants the same awards under
    the same keys. Events posted over HTTP are written by the web app, which syncs."""

    def unsynced(sender: Any = None, connection: Any = connection, **_: Any) -> None:
        with connection.cursor() as c:
            if connection.vendor == "postgresql":
                c.execute("SET synchronous_commit TO OFF")
            elif connection.vendor == "sqlite":
                # Write-ahead log, kept by the database file from now on: pages that read (the
                # awards stream polls every quarter second) no longer hold off the service's
                # commits. Refused while another connection is inside a transaction; then the
                # service runs on, syncing every commit, and says so.
                c.execute("PRAGMA journal_mode=WAL")
                mode = c.fetchone()[0]
                if mode == "wal":
                    c.execute("PRAGMA synchronous=NORMAL")
                else:
                    report(f"the database journal is {mode!r}, not 'wal': every commit is synced")

    connection_created.connect(unsynced, weak=False, dispatch_uid="callgrade-live-unsynced")
    if connection.connection is not None:  # opened already (the migrations)
        unsynced(connection=connection)


# --- the consumer -----------------------------------------------------------------------------


class RewardsConsumer:
    """Takes followed lines into the event table and evaluates every new event (see the module's
    docstring). ``poll()`` does one round; ``callgrade live`` calls it after each look at the
    queue_log."""

    def __init__(self, events_path: Path | None, *, report: Callable[[str], Any] = print) -> None:
        self.events_path = events_path
        self.report = report
        self._byte = 0  # where reading the events file resumes (records before it are taken)
        self._cursor: tuple[int, int, int] | None = None  # (row id, generation, offset)
        self._book: RewardBook | None = None
        self._version: PolicyVersion | None = None
        self._employees: dict[str, int] = {}
        self._labels: dict[str, Any] = {}
        self._loaded_at = 0.0
        self._taken: list[Award] = []  # awards granted while taking followed lines in

    # --- the followed lines --------------------------------------------------------------------

    def _read_cursor(self) -> tuple[int, int, int]:
        if self._cursor is None:  # read once: only this consumer moves it
            cursor, _ = RewardCursor.objects.get_or_create(name=LiveEvent.QUEUE_LOG)
            self._cursor = (cursor.pk, cursor.generation, cursor.offset)
        return self._cursor

    def import_followed(self) -> int:
        """Store the followed lines not taken yet that carry an observation; the number read.

        When no stored event is waiting, the new lines are evaluated here, in memory, and stored
        already processed in the transaction that writes their awards: reading back rows just
        written, as Django objects, and marking them was most of a round's cost. Otherwise they
        wait their turn (``evaluate`` takes the events in the order stored)."""
        if self.events_path is None or not self.events_path.exists():
            return 0
        pk, *last_key = self._read_cursor()
        last = (last_key[0], last_key[1])
        with open(self.events_path, "rb") as f:
            f.seek(self._byte)
            chunk = f.read(8 << 20)
        end = chunk.rfind(b"\n") + 1
        rows: list[tuple[Any, ...]] = []
        observed: list[KpiEvent] = []
        key = last
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        for raw in chunk[:end].splitlines():
            record = json.loads(raw)
            k = (int(record["key"][0]), int(record["key"][1]))
            if k <= last:
                continue
            key = k
            text = record.get("text")
            event_id = f"{LiveEvent.QUEUE_LOG}:{k[0]}:{k[1]}"
            try:
                seen = queue_log_events(text, event_id) if text is not None else None
            except ValueError as e:
                self.report(f"{record['path']}:{record['line']}: not used for rewards ({e})")
                continue
            if not seen:
                continue
            observed += seen
            first = seen[0]
            payload = {"text": text, "path": record["path"], "line": record["line"]}
            at = connection.ops.adapt_datetimefield_value(first.at)
            rows.append((LiveEvent.QUEUE_LOG, event_id, "call", first.employee_id, at,
                         json.dumps(payload, ensure_ascii=False), now))  # fmt: skip
        if rows or key != last:
            self._ensure_loaded()
            with transaction.atomic():
                now_too = self._book is not None and not _waiting()
                _insert_new([(*row, now_too) for row in rows])
                if now_too and observed:
                    assert self._book is not None
                    grants = [g for o in observed for g in self._book.add(o)]
                    self._taken += self._write(grants, [])
                    self._tally(observed)
                if key != last:
                    RewardCursor.objects.filter(pk=pk).update(generation=key[0], offset=key[1])
            self._cursor = (pk, key[0], key[1])
        self._byte += end
        return len(rows)

    # --- evaluating ----------------------------------------------------------------------------

    def _load(self) -> None:
        """The published standard's rules and the roster; then the open windows replayed."""
        self._loaded_at = time.monotonic()
        version = (
            PolicyVersion.objects.filter(status=PolicyVersion.PUBLISHED)
            .order_by("-published_at", "-id")
            .first()
        )
        roster = Employee.objects.exclude(status="left").values_list(
            "pk", "employee_id", "position"
        )
        positions = {eid: pos for _, eid, pos in roster}
        employees = {eid: pk for pk, eid, _ in roster}
        same = version == self._version and employees == self._employees
        if same and self._book is not None:
            return
        self._version, self._employees = version, employees
        if version is None:
            self._book = None
            return
        policy = version.policy()
        self._labels = {r.code: r.label for r in policy.instant_rewards}
        self._book = book_for(policy, positions)
        self._replay()

    def _ensure_loaded(self) -> None:
        """The rules and roster, looked at again every 30 s (a new standard, new people)."""
        if self._book is None or time.monotonic() - self._loaded_at > 30:
            self._load()
            if self._book is not None:  # the windows of past months are closed
                first = timezone.localdate().replace(day=1)
                self._book.forget_before(first - dt.timedelta(days=first.weekday() + 7))

    def _replay(self) -> None:
        """Run the processed events of the windows still open through the new book, so caps,
        budgets, streaks and thresholds continue where they were (the awards they give again
        are in the ledger already)."""
        pending = LiveEvent.objects.filter(processed=False).order_by("at").first()
        newest = timezone.now() if pending is None else min(pending.at, timezone.now())
        first = newest.date().replace(day=1)
        horizon = first - dt.timedelta(days=first.weekday() + 1)  # that week's start, a day early
        since = dt.datetime.combine(horizon, dt.time(), dt.UTC)
        done = LiveEvent.objects.filter(processed=True, at__gte=since).order_by("id")
        grants: list[Granted] = []
        for event in done.values_list(*_EVALUATED).iterator(chunk_size=BATCH):
            grants += self._evaluate(event)
        self._write(grants, [])

    def _evaluate(
        self, event: tuple[int, str, str, Any], seen: list[KpiEvent] | None = None
    ) -> list[Granted]:
        """The awards one stored event (id, source, event id, payload) triggers; its
        observations are added to ``seen`` when given."""
        assert self._book is not None
        _pk, source, event_id, payload = event
        try:
            observed = observations(source, event_id, payload)
        except (EventError, ValueError, KeyError, TypeError) as e:
            self.report(f"event {source}/{event_id}: not used for rewards ({e})")
            return []
        if seen is not None:
            seen += observed
        return [g for o in observed for g in self._book.add(o)]

    def _tally(self, observed: list[KpiEvent]) -> None:
        """Count the calls answered in ``observed`` into :class:`LiveTally` (in the caller's
        transaction, the one that marks these events processed)."""
        assert self._book is not None
        zone = self._book.zone
        counts = Counter(
            (o.employee_id, o.at.astimezone(zone).date())
            for o in observed
            if o.kpi == "answer_rate" and o.value >= 1
        )
        if counts:
            now = timezone.now()
            add_calls([(emp, day, n, now) for (emp, day), n in counts.items()])

    def _write(self, grants: list[Granted], done: list[int]) -> list[Award]:
        labels = self._labels
        awards = [
            Award(
                key=g.key, kind=Award.INSTANT, employee_id=self._employees[g.employee_id],
                rule=g.rule, label_en=labels[g.rule].en, label_zh=labels[g.rule].zh,
                policy_version=self._version, points=Decimal(str(g.points)),
                amount=Decimal(str(g.amount)).quantize(Decimal("0.01")), day=g.day, at=g.at,
                window=g.window, window_start=g.window_start, events=list(g.events),
                evidence=g.evidence,
            )
            for g in grants
            if g.employee_id in self._employees
        ]  # fmt: skip
        keys = [a.key for a in awards]
        with transaction.atomic():
            held = set(Award.objects.filter(key__in=keys).values_list("key", flat=True))
            new = [a for a in awards if a.key not in held]
            Award.objects.bulk_create(new, batch_size=BATCH)
            if done:
                LiveEvent.objects.filter(pk__in=done).update(processed=True)
            if new:
                audit(None, "awards_grant", new[-1], after={"awards": [a.key for a in new]})
        return new

    def evaluate(self) -> list[Award]:
        """Every unprocessed event through the rules, in the order stored; the awards granted."""
        self._ensure_loaded()
        granted: list[Award] = []
        while self._book is not None:  # no published standard yet: the events wait for one
            waiting = LiveEvent.objects.filter(processed=False).order_by("id")
            batch = list(waiting.values_list(*_EVALUATED)[:BATCH])
            if not batch:
                break
            seen: list[KpiEvent] = []
            grants = [g for e in batch for g in self._evaluate(e, seen)]
            with transaction.atomic():
                granted += self._write(grants, [e[0] for e in batch])
                self._tally(seen)
        return granted

    def poll(self) -> int:
        """One round: the events waiting, then the new followed lines; the awards granted."""
        granted = len(self.evaluate())
        self.import_followed()
        taken, self._taken = self._taken, []
        return granted + len(taken) + len(self.evaluate())


_EVALUATED = ("pk", "source", "event_id", "payload")


def _waiting() -> bool:
    """Whether a stored event waits to be evaluated (an event posted since the last round)."""
    return LiveEvent.objects.filter(processed=False).exists()
