"""The sentences of a file that cannot be read at all, or a mapping that cannot be followed
(see :mod:`callgrade.engine.connectors.reasons`): shown on a failed load in the reader's
language, one sentence a line."""

from __future__ import annotations

FILES: dict[str, str] = {}
