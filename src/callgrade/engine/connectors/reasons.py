"""The sentences connectors give for a rejected record, as templates with named values.

A reason is written in English: the command line and the rejects file show it as it is. The
web app shows it in the reader's language by reading it back against these templates (their text
is the msgid of the translation) in one place, ``callgrade.loads.services.reasons``. So that
every sentence a connector writes can be read back, connectors make them only through
:func:`reason` (and :func:`at` for the line they are on); the engine stays free of Django.

Values are shown as the connector found them (``repr`` of a field); values that are words
themselves (the meaning of an Asterisk field) are listed in :data:`WORDS` so they are
translated too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from callgrade.engine.connectors.sentences_files import FILES
from callgrade.engine.connectors.sentences_json import JSON, JSON_PROBLEMS
from callgrade.engine.connectors.sentences_mapped import MAPPED

TEMPLATES: dict[str, str] = {
    # Asterisk queue_log, the file and the table export (connectors/queue_log)
    "ql_fields": "found {n} field(s); expected at least 5 separated by '|' ({layout})",
    "ql_time_db": "field time is {value}; expected {format} or Unix seconds",
    "ql_time": "field time is {value}; expected Unix seconds",
    "ql_event_unknown": "unknown event {event}; expected an Asterisk queue_log event (see {doc})",
    "ql_event_empty": "field event is empty; expected an Asterisk queue_log event",
    "ql_callid": "field callid of {event} is {value}; expected the caller channel's uniqueid",
    "ql_queuename": "field queuename of {event} is {value}; expected the queue name",
    "ql_agent": "field agent of {event} is {value}; expected the agent (queue member)",
    "ql_seconds": "field {field} ({meaning}) of {event} is {value}; expected whole seconds",
    "ql_milliseconds": (
        "field {field} ({meaning}) of {event} is {value}; expected whole milliseconds"
    ),
    "ql_undecodable": (
        "byte {byte} at column {column} does not decode as {encoding}; re-export as {encoding}"
        " or pass --encoding (e.g. gb18030)"
    ),
    "ql_header": "header has no column {missing}; expected {columns} separated by {delimiter}",
    "ql_export": "cannot read the export as {delimiter}-separated CSV: {error}",
    # Asterisk call detail records, Master.csv (connectors/cdr)
    "cdr_csv": "not readable as CSV: {error}",
    "cdr_bytes": (
        "bytes that are not valid {encoding}; re-export as {encoding} or pass --encoding"
        " (e.g. gb18030)"
    ),
    "cdr_fields": "expected 16, 18 or 21 comma-separated fields, found {n}",
    "cdr_time": "{field} {value} is not a {format} time in the years 1900–2999",
    "cdr_answer_time": "answer {value} is not a {format} time in the years 1900–2999 (or empty)",
    "cdr_seconds": "{field} {value} is not a whole number of seconds",
    "cdr_disposition": "disposition {value} is not one of {known}",
    "cdr_end_before_start": "end is before start",
    "cdr_no_answer_time": "disposition ANSWERED but the answer time is empty",
    "cdr_answer_outside": "answer time is not between start and end",
}

# Values that are words, by the template value that carries them.
WORDS: dict[str, tuple[str, ...]] = {
    "meaning": ("holdtime", "calltime", "waittime", "ring time", "wrap-up seconds"),
    "value": ("empty",),
    "json": JSON_PROBLEMS,
    "what": ("row filter",),
}

# Values that are sentences of the catalogue themselves ("…; expected {expected}"): read back
# and said in the reader's language too. One that no template reads is shown as written.
NESTED = frozenset({"expected", "detail", "found", "people"})

# Values that are the same in every sentence of a kind: formats and names, not words.
FIXED: dict[str, str] = {
    "layout": "time|callid|queuename|agent|EVENT|data…",
    "format": "YYYY-MM-DD HH:MM:SS",
    "doc": "docs/connectors/queue_log.md",
    "columns": "time, callid, queuename, agent, event, data1..data5",
}

TEMPLATES.update(MAPPED)
TEMPLATES.update(JSON)
TEMPLATES.update(FILES)

# Where a sentence is said of, before it: a file's line, a sheet's row, a JSON record (its number
# and the line it starts on), a place in a mapping file (file:line:column).
AT = re.compile(
    r"^(?:(?P<where>line|row) (?P<line>\d+)"
    r"|(?P<record>object|statement) (?P<number>\d+) \(line (?P<start>\d+)\)"
    r"|(?P<place>[^\s:]+(?::\d+){2})): (?P<rest>.*)$",
    re.S,
)
# Sentences said of one record together are joined by this.
JOIN = "; "


def reason(code: str, **values: object) -> str:
    """The sentence ``code`` with its values (give ``repr`` of what was found)."""
    return TEMPLATES[code].format(**(FIXED | values))


def at(line: int | None, sentence: str, where: str = "line") -> str:
    """The sentence as said of one line (or row) of the file."""
    return sentence if line is None else f"{where} {line}: {sentence}"


def joined(sentences: list[str]) -> str:
    """Several sentences said of one record, once each, in order."""
    return JOIN.join(dict.fromkeys(sentences))


def record_at(kind: str, number: int, line: int, sentence: str) -> str:
    """The sentence as said of one record of a JSON file (``object``, ``statement``)."""
    return f"{kind} {number} (line {line}): {sentence}"


@dataclass(frozen=True)
class Part:
    """One sentence read back: its template and its values (a nested sentence is a Part)."""

    code: str
    values: tuple[tuple[str, str | Part], ...]


@dataclass(frozen=True)
class Said:
    """A reason read back: where it was said of, and its sentences."""

    where: str  # "", line, row, object, statement, place
    line: int | None
    number: int | None  # the record's number (object, statement)
    place: str  # file:line:column in a mapping file
    parts: tuple[Part, ...]


def _pattern(template: str) -> re.Pattern[str]:
    out, seen, pos = [], set(), 0
    for m in re.finditer(r"\{(\w+)\}", template):
        out.append(re.escape(template[pos : m.start()]))
        name = m.group(1)
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        pos = m.end()
    out.append(re.escape(template[pos:]))
    return re.compile("".join(out), re.S)


def _literals(template: str) -> list[str]:
    return [s for s in re.split(r"\{\w+\}", template) if s]


def _specific(code: str) -> tuple[int, int]:
    template = TEMPLATES[code]
    nested = sum(1 for n in re.findall(r"\{(\w+)\}", template) if n in NESTED)
    return -nested, -sum(map(len, _literals(template)))


# The most specific templates first: those holding a sentence ("{expected} (mapping line {n})"
# before "a value from {low} to {high}", which would take "5 (mapping line 3)" for its high),
# then those with the most fixed text ("one of: {words} (allowed, mapping line {n})" before
# "one of: {words}").
_ORDER = sorted(TEMPLATES, key=_specific)
PATTERNS: dict[str, re.Pattern[str]] = {c: _pattern(TEMPLATES[c]) for c in _ORDER}
_NEEDS = {c: _literals(TEMPLATES[c]) for c in _ORDER}


@lru_cache(maxsize=4096)
def _sentence(text: str) -> Part | None:
    for code, pattern in PATTERNS.items():
        if not all(s in text for s in _NEEDS[code]):
            continue
        found = pattern.fullmatch(text)
        if found is None:
            continue
        values: list[tuple[str, str | Part]] = []
        for name, value in found.groupdict().items():
            if name in NESTED:
                inner = _sentence(value)
                if inner is None:  # not this template: its nested sentence reads as none
                    break
                values.append((name, inner))
            else:
                values.append((name, value))
        else:
            return Part(code, tuple(values))
    return None


@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[Part, ...] | None:
    """The sentences ``text`` is made of, joined by :data:`JOIN`: the shortest first sentence
    that lets the rest read too (a sentence with a ``;`` of its own is tried whole later)."""
    pieces = text.split(JOIN)
    for j in range(1, len(pieces) + 1):
        first = _sentence(JOIN.join(pieces[:j]))
        if first is None:
            continue
        if j == len(pieces):
            return (first,)
        rest = _sentences(JOIN.join(pieces[j:]))
        if rest is not None:
            return (first, *rest)
    return None


def read_back(text: str) -> Said | None:
    """What a reason written through :func:`reason` says, or None for any other text (a
    sentence outside the catalogue, an older rejects file)."""
    where, line, number, place, rest = "", None, None, "", text
    m = AT.match(text)
    if m and m["where"]:
        where, line, rest = m["where"], int(m["line"]), m["rest"]
    elif m and m["record"]:
        where, number, line, rest = m["record"], int(m["number"]), int(m["start"]), m["rest"]
    elif m:
        where, place, rest = "place", m["place"], m["rest"]
    parts = _sentences(rest)
    if parts is None:
        return None
    return Said(where, line, number, place, parts)
