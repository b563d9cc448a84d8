"""Reading a file of JSON values record by record, as exports from web services write them.

JSON lines, objects written back to back (``}{``) and JSON arrays (several may follow each other)
are told apart by the first character of each top-level value. A damaged value becomes one
record with the reason it is not JSON, and reading resumes at the next plausible record, so one
broken line never hides the rest of the file. Records are numbered (1-based, across arrays) and
carry the line they start on, for reject reasons.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

from callgrade.engine.connectors.reasons import joined
from callgrade.engine.connectors.reasons import reason as say

DECODER = json.JSONDecoder()
# Bytes that did not decode, kept in place by ``surrogateescape`` (see base.read_lenient).
UNDECODED = re.compile("[\udc80-\udcff]")
# Where the next top-level object may start after a damaged one: a line opening with "{", or
# "{" right after "}" (Firehose writes records back to back).
_RESYNC = re.compile(r"(?<=\n)\{|(?<=\})\{")
# The next element of an array after a damaged one.
_RESYNC_ELEMENT = re.compile(r"\}\s*,\s*(\{)")


@dataclass(frozen=True)
class Record:
    number: int  # 1-based object number in the file
    line: int  # line the object starts on
    value: Any
    start: int  # the record's text is text[start:end]
    end: int
    error: str | None  # not JSON at all: why


def skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


class Lines:
    """Line number of a position, counted incrementally."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1

    def at(self, pos: int) -> int:
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def records(text: str) -> Iterator[Record]:
    reader = Reader(text)
    pos = skip_space(text, 0)
    while pos < len(text):
        if text[pos] == "[":
            pos = yield from reader.array(pos + 1)
        else:
            pos = yield from reader.value(pos, _RESYNC, 0)
        pos = skip_space(text, pos)


class Reader:
    """Numbers records and tracks line numbers; positions only move forward."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.number = 0
        self.lines = Lines(text)

    def value(self, pos: int, resync: re.Pattern[str], group: int) -> Generator[Record, None, int]:
        """One record starting at ``pos``; returns where reading goes on."""
        text = self.text
        self.number += 1
        line = self.lines.at(pos)
        try:
            value, end = DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError) as exc:
            nxt = resync.search(text, pos + 1)
            end = nxt.start(group) if nxt else len(text)
            yield Record(self.number, line, None, pos, end, json_error(exc, nxt))
            return end
        yield Record(self.number, line, value, pos, end, None)
        return end

    def array(self, pos: int) -> Generator[Record, None, int]:
        """The elements of an array opened just before ``pos``; returns the position after it."""
        text = self.text
        pos = skip_space(text, pos)
        while pos < len(text) and text[pos] != "]":
            pos = yield from self.value(pos, _RESYNC_ELEMENT, 1)
            pos = skip_space(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos = skip_space(text, pos + 1)
        return pos + 1


def json_error(exc: Exception, resynced: re.Match[str] | None) -> str:
    if isinstance(exc, RecursionError):
        said = say("js_deep")
    elif isinstance(exc, json.JSONDecodeError):
        problem = exc.msg.removesuffix(" at")
        said = say("js_at", json=problem, line=exc.lineno, column=exc.colno)
    else:
        said = say("js_other", error=exc)
    return said if resynced else joined([said, say("js_truncated")])


def kind(value: Any) -> str:
    if value is None:
        return say("js_null")
    if isinstance(value, bool):
        return say("js_boolean")
    if isinstance(value, int | float):
        return say("js_number", number=value)
    if isinstance(value, str):
        return say("js_string", value=repr(value[:40]))
    return say("js_array") if isinstance(value, list) else say("js_object")
