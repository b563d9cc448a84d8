"""Reading what people put in a URL: ids and page numbers as the database can hold them.

``str.isdigit`` is true of ``²`` and of other scripts' digits, and an id past 2**63 - 1 overflows
the database: a hand-edited link must narrow a list to nothing (or be ignored), never fail.
"""

from __future__ import annotations

import re
from typing import Any

MAX_ID = 2**63 - 1  # the largest integer SQLite and PostgreSQL bigint hold
_ID = re.compile(r"[0-9]{1,19}")


def query_id(value: Any) -> int | None:
    """``value`` as a database id, or None if it cannot be one."""
    text = str(value or "").strip()
    if not _ID.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
