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
}

# "line 12: …" (a file's line) or "row 12: …" (a sheet's row) before the sentence.
AT = re.compile(r"^(?P<where>line|row) (?P<line>\d+): (?P<rest>.*)$", re.S)


# Values that are the same in every sentence of a kind: formats and names, not words.
FIXED: dict[str, str] = {
    "layout": "time|callid|queuename|agent|EVENT|data…",
    "format": "YYYY-MM-DD HH:MM:SS",
    "doc": "docs/connectors/queue_log.md",
    "columns": "time, callid, queuename, agent, event, data1..data5",
}


def reason(code: str, **values: object) -> str:
    """The sentence ``code`` with its values (give ``repr`` of what was found)."""
    return TEMPLATES[code].format(**(FIXED | values))


def at(line: int | None, sentence: str, where: str = "line") -> str:
    """The sentence as said of one line (or row) of the file."""
    return sentence if line is None else f"{where} {line}: {sentence}"


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


PATTERNS: dict[str, re.Pattern[str]] = {code: _pattern(t) for code, t in TEMPLATES.items()}


def read_back(text: str) -> tuple[str, int | None, str, dict[str, str]] | None:
    """(where, line, code, values) of a sentence :func:`reason` wrote, or None for any other
    text (a sentence of a connector not in the catalogue yet, or an older rejects file)."""
    where, line, rest = "", None, text
    m = AT.match(text)
    if m:
        where, line, rest = m["where"], int(m["line"]), m["rest"]
    for code, pattern in PATTERNS.items():
        found = pattern.fullmatch(rest)
        if found:
            return where, line, code, found.groupdict()
    return None
