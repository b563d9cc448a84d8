"""Telephony files in their vendors' own formats (see docs DATA.md): Asterisk queue_log (file and
database-export forms), Amazon Connect contact records, Asterisk CDR Master.csv."""

from __future__ import annotations

import csv
import io
import json
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from callgrade.engine.demo.center import Center
from callgrade.engine.demo.schedule import AgentDay
from callgrade.engine.demo.timebase import Days, format_local, format_utc_iso
from callgrade.engine.demo.traffic import QUEUES, Table

# (unix time, call order, callid, queue, agent, event, data fields)
Event = tuple[int, int, str, str, str, str, tuple[str, ...]]
_DISPOSITIONS = ("ANSWERED", "NO ANSWER", "BUSY")


def queue_events(
    center: Center,
    days: Days,
    agent_days: list[AgentDay],
    calls: Table,
    first: int,
    end: int,
) -> list[Event]:
    """Every queue_log event of days [first, end), in log order."""
    events: list[Event] = [
        (int(days.unix(np.array(first), np.array(0))), 0, "NONE", "NONE", "NONE", "QUEUESTART", ())
    ]
    inbound = [
        ad
        for ad in agent_days
        if first <= ad.day < end and ad.at_work and center.position[ad.agent] in (2, 3)
    ]
    for ad in inbound:
        events.extend(_agent_events(center, days, ad))
    sel = (calls["day"] >= first) & (calls["day"] < end) if calls else np.zeros(0, bool)
    if sel.any():
        events.extend(_call_events(center, days, inbound, {k: v[sel] for k, v in calls.items()}))
    events.sort(key=lambda e: (e[0], e[1]))
    return events


def _agent_events(center: Center, days: Days, ad: AgentDay) -> list[Event]:
    agent = center.ids[ad.agent]
    code = center.position_code(ad.agent)
    queue = QUEUES[code][0]

    base = int(days.local_midnight[ad.day] - days.offset[ad.day])

    def t(sod: int) -> int:
        return base + sod

    out: list[Event] = []
    if code == "customer_service":
        out.append((t(ad.login), 1, "NONE", "NONE", agent, "AGENTLOGIN", (f"PJSIP/{agent}",)))
        logged = str(ad.logoff - ad.login)
        off = (f"PJSIP/{agent}", logged)
        out.append((t(ad.logoff), 9, "NONE", "NONE", agent, "AGENTLOGOFF", off))
    else:
        out.append((t(ad.login), 1, "NONE", queue, agent, "ADDMEMBER", ()))
        out.append((t(ad.logoff), 9, "NONE", queue, agent, "REMOVEMEMBER", ()))
    for s, e, reason in ad.pauses:
        out.append((t(s), 2, "NONE", queue, agent, "PAUSE", (reason,)))
        out.append((t(e), 2, "NONE", queue, agent, "UNPAUSE", (reason,)))
    return out


def _ringing_elsewhere(
    center: Center, agent_days: list[AgentDay], c: Table, rna: np.ndarray, queue_pos: np.ndarray
) -> np.ndarray:
    """For calls marked ``rna``, another member of the same queue logged in at that moment who
    let the phone ring out first; -1 when no such member is found."""
    ads = [ad for ad in agent_days if ad.at_work and center.position[ad.agent] in (2, 3)]
    key = np.array([ad.day * 4 + int(center.position[ad.agent]) for ad in ads], dtype=np.int64)
    order = np.argsort(key, kind="stable")
    key = key[order]
    agent = np.array([ads[i].agent for i in order], dtype=np.int64)
    login = np.array([ads[i].login for i in order], dtype=np.int64)
    logoff = np.array([ads[i].logoff for i in order], dtype=np.int64)
    want = c["day"] * 4 + queue_pos
    lo = np.searchsorted(key, want, "left")
    hi = np.searchsorted(key, want, "right")
    pick = np.minimum(lo + (c["v"] * (hi - lo)).astype(np.int64), hi - 1)
    pick = np.maximum(pick, 0)
    at = c["answer"] - c["ring"] - 1
    ok = rna & (hi > lo) & (agent[pick] != c["agent"])
    ok &= (login[pick] < at - 15) & (logoff[pick] > at)
    # Asterisk rings only a free member: not paused and not on (or wrapping up) a call.
    ok &= ~_busy(ads, c, agent[pick], c["day"], at - 15, at)
    return np.where(ok, agent[pick], -1)


def _busy(
    ads: list[AgentDay],
    c: Table,
    agent: np.ndarray,
    day: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> np.ndarray:
    """Whether ``agent`` is paused or handling a call at any moment of [lo, hi] on ``day``.
    Each agent's pauses and calls are disjoint, so only the last interval starting at or before
    ``hi`` can overlap."""

    def key(a: np.ndarray, d: np.ndarray, sod: np.ndarray) -> np.ndarray:
        return a * 1_000_000_000 + d * 86_400 + sod

    pauses = [(ad.agent, ad.day, s, e) for ad in ads for s, e, _ in ad.pauses]
    p = np.array(pauses, dtype=np.int64).reshape(-1, 4)
    handled = c["outcome"] <= 3
    starts = np.concatenate(
        [
            key(p[:, 0], p[:, 1], p[:, 2]),
            key(c["agent"][handled], c["day"][handled], (c["answer"] - c["ring"])[handled]),
        ]
    )
    ends = np.concatenate(
        [
            key(p[:, 0], p[:, 1], p[:, 3]),
            key(c["agent"][handled], c["day"][handled], (c["end"] + c["acw"])[handled]),
        ]
    )
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    i = np.searchsorted(starts, key(agent, day, hi), "right") - 1
    return (i >= 0) & (ends[np.maximum(i, 0)] > key(agent, day, lo))


def _call_events(center: Center, days: Days, agent_days: list[AgentDay], c: Table) -> list[Event]:
    n = c["day"].size
    unix = {k: days.unix(c["day"], c[k]) for k in ("enter", "answer", "end")}
    queue_pos = center.position[c["agent"]]
    qname = np.where(queue_pos == 2, QUEUES["customer_service"][0], QUEUES["technical_support"][0])
    callid = c["callid"]
    out_code = c["outcome"]
    answered = out_code <= 3
    rna = answered & (c["wait"] - c["ring"] >= 17) & (c["u"] < 0.3)
    other = _ringing_elsewhere(center, agent_days, c, rna, queue_pos)
    ids = center.ids
    col = {k: c[k].tolist() for k in ("agent", "ring", "talk", "wait", "origpos", "customer", "v")}
    t_enter, t_answer, t_end = (unix[k].tolist() for k in ("enter", "answer", "end"))
    queues, codes, others = qname.tolist(), out_code.tolist(), other.tolist()
    events: list[Event] = []
    add = events.append
    for i in range(n):
        cid, q, oc = str(callid[i]), queues[i], codes[i]
        wait, orig = str(col["wait"][i]), str(col["origpos"][i])
        add((t_enter[i], 3, cid, q, "NONE", "ENTERQUEUE", ("", str(col["customer"][i]), orig)))
        te = t_end[i]
        if oc >= 4:
            pos = str(1 + (col["origpos"][i] - 1) // 2)
            ev = "ABANDON" if oc == 4 else "EXITWITHTIMEOUT"
            add((te, 6, cid, q, "NONE", ev, (pos, orig, wait)))
            continue
        agent = ids[col["agent"][i]]
        ta = t_answer[i]
        if others[i] >= 0:
            add((ta - col["ring"][i] - 1, 4, cid, q, ids[others[i]], "RINGNOANSWER", ("15000",)))
        add((ta, 5, cid, q, agent, "CONNECT", (wait, f"{ta}.{900000 + i}", str(col["ring"][i]))))
        talk = str(col["talk"][i])
        if oc == 0:
            add((te, 6, cid, q, agent, "COMPLETECALLER", (wait, talk, orig)))
        elif oc == 1:
            add((te, 6, cid, q, agent, "COMPLETEAGENT", (wait, talk, orig)))
        elif oc == 2:
            data: tuple[str, ...] = ("8" + agent[-3:], "from-internal", wait, talk, orig)
            add((te, 6, cid, q, agent, "BLINDTRANSFER", data))
        elif col["v"][i] < 0.5:
            data = ("LINK", f"PJSIP/{agent}-{i:08x}", f"PJSIP/8001-{i + 1:08x}", wait, talk, orig)
            add((te, 6, cid, q, agent, "ATTENDEDTRANSFER", data))
        else:
            data = ("BRIDGE", f"{te}.{800000 + i}", wait, talk, orig)
            add((te, 6, cid, q, agent, "ATTENDEDTRANSFER", data))
    return events


def write_queue_log(path: Path, events: list[Event]) -> None:
    lines = [
        "|".join((str(t), cid, q, agent, ev, *(data or ("",))))
        for t, _, cid, q, agent, ev, data in events
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_queue_log_db(path: Path, events: list[Event], days: Days, seed: int) -> None:
    """The realtime table export: local time with microseconds, five data columns, anything past
    data5 kept joined in data5 as adaptive realtime stores it."""
    secs = np.array([e[0] for e in events], dtype=np.int64)
    # Local time per event: all events of one file share the calendar's per-day offset.
    day = np.clip(
        np.searchsorted(days.local_midnight - days.offset, secs, "right") - 1, 0, days.n - 1
    )
    local = format_local(secs + days.offset[day])
    micro = np.random.default_rng(seed).integers(0, 1_000_000, len(events))
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        ["time", "callid", "queuename", "agent", "event", *(f"data{i}" for i in range(1, 6))]
    )
    for (_, _, cid, q, agent, ev, data), when, us in zip(events, local, micro, strict=True):
        fields = [*list(data[:4]), "|".join(data[4:])]
        fields += [""] * (5 - len(fields))
        w.writerow([f"{when}.{us:06d}", cid, q, agent, ev, *fields])
    path.write_text(buf.getvalue(), encoding="utf-8")


def ctr_records(center: Center, days: Days, c: Table, first: int, end: int) -> list[dict[str, Any]]:
    """Contact records of days [first, end) in delivery order, with the occasional earlier
    version of a record delivered again (Kinesis is at-least-once)."""
    if not c:
        return []
    idx = np.flatnonzero((c["day"] >= first) & (c["day"] < end))
    idx = idx[np.argsort(c["end"][idx] + c["day"][idx] * 86400, kind="stable")]
    col = {k: v[idx] for k, v in c.items()}
    answered = col["outcome"] <= 3
    t = {k: days.unix(col["day"], col[k]) for k in ("enter", "answer", "end")}
    dequeue = np.where(answered, t["answer"], t["end"])
    acw_end = t["end"] + col["acw"]
    iso = {
        "enter": format_utc_iso(t["enter"]),
        "dequeue": format_utc_iso(dequeue),
        "answer": format_utc_iso(t["answer"]),
        "end": format_utc_iso(t["end"]),
        "acw_end": format_utc_iso(acw_end),
        "update": format_utc_iso(acw_end + 40),
    }
    account = "123456789012"
    arn = f"arn:aws:connect:ap-northeast-1:{account}:instance/demo"
    queue_name = QUEUES["front_desk"][0]
    cols = {k: v.tolist() for k, v in col.items()}
    waited = (dequeue - t["enter"]).tolist()
    out: list[dict[str, Any]] = []
    for j in range(idx.size):
        chat = cols["chat"][j]
        rec: dict[str, Any] = {
            "AWSAccountId": account,
            "AWSContactTraceRecordFormatVersion": "2017-03-10",
            "Agent": None,
            "Channel": "CHAT" if chat else "VOICE",
            "ContactId": cols["contact_id"][j],
            "CustomerEndpoint": None
            if chat
            else {"Address": f"+86{cols['customer'][j]}", "Type": "TELEPHONE_NUMBER"},
            "DisconnectReason": "AGENT_DISCONNECT"
            if cols["outcome"][j] == 1
            else "CUSTOMER_DISCONNECT",
            "DisconnectTimestamp": iso["end"][j],
            "InitialContactId": None,
            "InitiationMethod": "INBOUND",
            "InitiationTimestamp": iso["enter"][j],
            "LastUpdateTimestamp": iso["update"][j],
            "Queue": {
                "ARN": f"{arn}/queue/reception",
                "DequeueTimestamp": iso["dequeue"][j],
                "Duration": waited[j],
                "EnqueueTimestamp": iso["enter"][j],
                "Name": queue_name,
            },
        }
        if answered[j]:
            hold, holds = cols["hold"][j], cols["holds"][j]
            agent = center.ids[cols["agent"][j]]
            rec["Agent"] = {
                "ARN": f"{arn}/agent/{agent.lower()}",
                "AfterContactWorkDuration": cols["acw"][j],
                "AfterContactWorkEndTimestamp": iso["acw_end"][j],
                "AfterContactWorkStartTimestamp": iso["end"][j],
                "AgentInteractionDuration": cols["talk"][j],
                "ConnectedToAgentTimestamp": iso["answer"][j],
                "CustomerHoldDuration": hold,
                "LongestHoldDuration": hold // holds if holds else 0,
                "NumberOfHolds": holds,
                "RoutingProfile": {"Name": "Reception"},
                "Username": agent,
            }
            u = cols["u"][j]
            if u < 0.015:
                early = {**rec, "LastUpdateTimestamp": iso["end"][j]}
                early["Agent"] = {
                    **rec["Agent"],
                    "AfterContactWorkDuration": None,
                    "AfterContactWorkEndTimestamp": None,
                }
                # Mostly the early version arrives first; sometimes late, after the final one.
                out.extend([early, rec] if u < 0.01 else [rec, early])
                continue
        out.append(rec)
    return out


def write_ctr(path: Path, records: list[dict[str, Any]], *, as_array: bool) -> None:
    enc = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    lines = [enc.encode(r) for r in records]
    text = "[\n" + ",\n".join(lines) + "\n]\n" if as_array else "".join(x + "\n" for x in lines)
    path.write_text(text, encoding="utf-8")


def contact_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    return np.array([str(uuid.UUID(bytes=bytes(r), version=4)) for r in raw], dtype=object)


def write_cdr(
    path: Path, center: Center, days: Days, d: Table, first: int, end: int, *, short: bool
) -> int:
    """cdr_csv's Master.csv, one line per call at hangup: every string double-quoted, numbers
    bare; ``short`` drops the optional uniqueid and userfield columns (16 columns, as plain
    configurations write). Writes nothing and returns 0 when the days have no calls."""
    if not d:
        return 0
    idx = np.flatnonzero((d["day"] >= first) & (d["day"] < end))
    if not idx.size:
        return 0
    idx = idx[np.argsort(d["day"][idx] * 86400 + d["end"][idx], kind="stable")]
    local = {
        k: format_local(days.local(d["day"][idx], np.maximum(d[k][idx], 0)))
        for k in ("start", "answer", "end")
    }
    agents = d["agent"][idx].tolist()
    disp = d["disp"][idx].tolist()
    dst = d["customer"][idx].tolist()
    seq = d["seq"][idx].tolist()
    duration = (d["end"][idx] - d["start"][idx]).tolist()
    billsec = d["talk"][idx].tolist()
    uid = d["uniqueid"][idx].tolist()
    ids, names = center.ids, center.names
    lines = []
    for j in range(idx.size):
        a = ids[agents[j]]
        answered = local["answer"][j] if disp[j] == 0 else ""
        line = (
            f'"","{a}","{dst[j]}","from-internal","""{names[agents[j]]}"" <{a}>",'
            f'"PJSIP/{a}-{seq[j]:08x}","PJSIP/trunk-{seq[j] + 1:08x}","Dial",'
            f'"PJSIP/{dst[j]}@trunk,60","{local["start"][j]}","{answered}","{local["end"][j]}",'
            f'{duration[j]},{billsec[j]},"{_DISPOSITIONS[disp[j]]}","DOCUMENTATION"'
        )
        lines.append(line if short else f'{line},"{uid[j]}",""')
    path.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    return len(lines)


__all__ = [
    "contact_ids",
    "ctr_records",
    "queue_events",
    "write_cdr",
    "write_ctr",
    "write_queue_log",
    "write_queue_log_db",
]
