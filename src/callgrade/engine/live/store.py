"""What the follower keeps on disk: the lines it has read (an append-only events file) and where
it is in the followed file (a small state file, replaced atomically).

Both are written so that a process killed at any instant leaves them readable: a line is in the
events file only once its record ends with a newline and was flushed to disk (a torn last record
is cut off when the file is opened again), and the state file is written beside itself and
renamed over the old one (a rename is atomic), then the directory is synced.

Every line carries a **key**, ``(generation, offset)``: the generation counts the files the
follower has read from their start (a rotated or truncated file starts a new one) and the offset
is where the line starts in that file. Keys only grow, so the events file knows a line it already
holds by its key alone — which is what makes reading a line again after a restart harmless."""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

Key = tuple[int, int]


@dataclass(frozen=True)
class Line:
    """One complete line of the followed file."""

    key: Key  # (generation, byte offset where the line starts)
    line_no: int  # its line number in that file, from 1
    path: str  # the file it was read from (a rotated file keeps its old name here)
    data: bytes  # without its line ending


@dataclass
class Position:
    """Where the follower is: the file (device, inode), its generation, the offset after the
    last complete line read, that line's length and hash (to recognize the same file on a
    restart) and how many lines were read from it."""

    generation: int = 0
    device: int = -1
    inode: int = -1
    offset: int = 0
    line_no: int = 0
    tail_length: int = 0
    tail_sha256: str = ""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomically(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new content whole;
    with ``sync_dir`` the rename itself is synced too (without it, a crash may leave the old
    content, whole)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    if sync_dir:
        _fsync_dir(path.parent)


class StateFile:
    """The follower's position, one small JSON file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def load(self) -> Position | None:
        """The saved position, or None when there is none yet. A file that cannot be read is
        an error that names it, never a silent start from the beginning (that would repeat)."""
        if not self.path.exists():
            return None
        try:
            return Position(**json.loads(self.path.read_text("utf-8")))
        except (ValueError, TypeError) as e:
            raise ValueError(f"{self.path}: not a follower state file ({e})") from None

    def save(self, position: Position, *, sync_dir: bool = True) -> None:
        """Save ``position``. ``sync_dir=False`` (the follower's save after each batch) skips
        syncing the rename: a crash may then leave the previous position, from which the lines
        after it are read again and the events file, knowing them by their key, stores none of
        them twice; a new generation is always saved with the rename synced."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps(asdict(position), sort_keys=True).encode()
        write_atomically(self.path, data, sync_dir=sync_dir)


def _record(line: Line, source: str, encoding: str) -> bytes:
    record: dict[str, Any] = {
        "source": source,
        "key": list(line.key),
        "path": line.path,
        "line": line.line_no,
    }
    try:
        record["text"] = line.data.decode(encoding)
    except UnicodeDecodeError:  # kept as it came; whoever parses it rejects it with a reason
        record["raw"] = base64.b64encode(line.data).decode("ascii")
    return json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"


class EventFile:
    """The durable store of lines read: one JSON record a line, appended and synced; each line
    once, by its key (see the module's docstring)."""

    def __init__(self, path: Path, *, source: str = "queue_log", encoding: str = "utf-8") -> None:
        self.path = Path(path)
        self.source, self.encoding = source, encoding
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.last_key: Key | None = self._recover()

    def _recover(self) -> Key | None:
        """Cut off a torn last record and return the key of the last whole one."""
        if not self.path.exists():
            return None
        with open(self.path, "r+b") as f:
            size = f.seek(0, os.SEEK_END)
            start = max(0, size - 65536)
            f.seek(start)
            tail = f.read()
            if start > 0 and b"\n" not in tail:  # one huge torn record: look at the whole file
                start, tail = 0, (f.seek(0), f.read())[1]
            end = tail.rfind(b"\n") + 1
            if start + end < size:  # the last record lacks its newline: it was never stored
                f.truncate(start + end)
                os.fsync(f.fileno())
            records = tail[:end].splitlines()
        if not records:
            return None
        key = json.loads(records[-1])["key"]
        return (int(key[0]), int(key[1]))

    def holds(self, key: Key) -> bool:
        return self.last_key is not None and key <= self.last_key

    def append(self, lines: list[Line]) -> list[Line]:
        """Store the lines not held yet, synced to disk before returning them."""
        new = [line for line in lines if not self.holds(line.key)]
        if not new:
            return []
        with open(self.path, "ab") as f:
            f.write(b"".join(_record(line, self.source, self.encoding) for line in new))
            f.flush()
            os.fsync(f.fileno())
        self.last_key = new[-1].key
        return new

    def records(self) -> list[dict[str, Any]]:
        """Every stored record (for tests and replays)."""
        if not self.path.exists():
            return []
        return [json.loads(r) for r in self.path.read_bytes().splitlines() if r.strip()]
