"""Following a growing Asterisk queue_log as Asterisk writes it.

:class:`Follower` reads the complete lines added since it last looked, stores them durably
(:class:`~.store.EventFile`), hands each to a callback and then records where it is
(:class:`~.store.StateFile`). A line without its newline yet is held until it is complete.

- **Rotation** (the file renamed and a new one created, or deleted and recreated): the path
  names a new inode. The old file is still open, so it is read to its end first — a last line
  without a newline there is complete, since nothing will add to it — and the new one is then
  read from its start.
- **Truncation** (``copytruncate``): the file is shorter than the offset reached. It is read from
  its start again. (Lines Asterisk wrote between the last look and the truncation were copied
  away by the rotation tool before the follower saw them; no follower can read those.)
- **Restart**: the saved position names the file (device, inode), the offset after the last
  complete line and that line's length and hash. The follower resumes there when the file at the
  path is still that file (same inode, long enough, the same last line); otherwise it looks for it
  among the rotated files beside it (``queue_log.1``, ``queue_log-20261204``, …) by inode and
  line hash, reads its rest, then reads the new file from its start.

Nothing is missed or repeated: a line is stored before the position moves past it, and the
events file recognizes a line it holds by its key (generation, offset), so reading a line again
after a crash between the two stores nothing twice. The callback is told of each line once, when
it is newly stored; whatever acts on the lines keeps its own place in the events file (each record
carries its key), so a crash between storing a line and acting on it loses nothing.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from callgrade.engine.live.store import EventFile, Line, Position, StateFile

CHUNK = 1 << 20  # bytes read at a time


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _strip(raw: bytes) -> bytes:
    """A line without its ending (LF or CRLF)."""
    raw = raw[:-1] if raw.endswith(b"\n") else raw
    return raw[:-1] if raw.endswith(b"\r") else raw


class Follower:
    def __init__(
        self,
        path: Path,
        *,
        state: StateFile,
        events: EventFile,
        on_line: Callable[[Line], None] | None = None,
        save_every: float = 0.0,
    ) -> None:
        self.path = Path(path)
        self.state, self.events = state, events
        # Seconds between saves of the position while reading one file (0: after every batch).
        # A position saved late only makes a restart read lines again, which the events file
        # recognizes by their key and stores once; a long-running service saves less often so
        # that its rounds are not spent writing and renaming the state file.
        self.save_every = save_every
        self._saved_at = 0.0
        self._unsaved = False
        self.on_line = on_line or (lambda line: None)
        self.position = Position()
        self._file: BinaryIO | None = None
        self._name = str(self.path)  # what the open file is called (a rotated one: its new name)
        self._resume(state.load())

    # --- opening -------------------------------------------------------------------------------

    def _open(self, path: Path) -> BinaryIO | None:
        try:
            return open(path, "rb")
        except FileNotFoundError:
            return None

    def _tail_matches(self, f: BinaryIO, pos: Position) -> bool:
        """Whether ``f`` is the file ``pos`` was read from: long enough, same last line."""
        if pos.offset == 0:
            return True
        size = os.fstat(f.fileno()).st_size
        if size < pos.offset:
            return False
        f.seek(pos.offset - pos.tail_length)
        return _sha(f.read(pos.tail_length)) == pos.tail_sha256

    def _same_file(self, f: BinaryIO, pos: Position) -> bool:
        st = os.fstat(f.fileno())
        return (st.st_dev, st.st_ino) == (pos.device, pos.inode) and self._tail_matches(f, pos)

    def _rotated(self, pos: Position) -> tuple[BinaryIO, Path] | None:
        """The file ``pos`` was read from, if it was rotated beside the path."""
        for candidate in sorted(self.path.parent.glob(self.path.name + "?*")):
            f = self._open(candidate)
            if f is None:
                continue
            if self._same_file(f, pos):
                return f, candidate
            f.close()
        return None

    def _resume(self, saved: Position | None) -> None:
        """Open where the saved position says (see the module's docstring)."""
        if saved is None:
            if self.events.last_key is not None:
                # Lines are stored but where they came from is not known: starting over would
                # store the file's lines a second time.
                raise ValueError(
                    f"{self.state.path} is missing but {self.events.path} holds lines already: "
                    "restore the state file, or move the events file away to read from the start"
                )
            self._start(self._open(self.path))
            return
        self.position = saved
        current = self._open(self.path)
        if current is not None and self._same_file(current, saved):
            self._file = current
            return
        rotated = self._rotated(saved)
        if rotated is not None:
            if current is not None:
                current.close()
            self._file, name = rotated
            self._name = str(name)
            return
        self._start(current)  # the old file is gone: the new one from its start

    def _start(self, f: BinaryIO | None) -> None:
        """Read ``f`` (the file at the path, or nothing yet) from its start: a new generation.
        The position is saved at once, so that a restart reads the new file from its start
        rather than looking for the old one again."""
        if self._file is not None and self._file is not f:
            self._file.close()
        self._file, self._name = f, str(self.path)
        st = os.fstat(f.fileno()) if f is not None else None
        self.position = Position(
            generation=self.position.generation + 1,
            device=st.st_dev if st else -1,
            inode=st.st_ino if st else -1,
        )
        self.state.save(self.position)
        self._saved_at, self._unsaved = time.monotonic(), False

    # --- reading -------------------------------------------------------------------------------

    def _batch(self, *, to_the_end: bool) -> tuple[list[Line], Position, bool]:
        """The next complete lines after the position (at most a chunk's worth), the position
        after them, and whether the end of the file was reached. With ``to_the_end`` a last line
        without its newline counts as complete (the file will not grow any more)."""
        f, pos = self._file, self.position
        if f is None:
            return [], pos, True
        f.seek(pos.offset)
        chunk = f.read(CHUNK)
        at_end = len(chunk) < CHUNK
        *complete, pending = chunk.split(b"\n")
        if not complete and not at_end:  # one line longer than a chunk: read it whole
            pending += f.readline()
            if pending.endswith(b"\n"):
                complete, pending = [pending[:-1]], b""
            else:
                at_end = True  # the file ends inside this line
        ended = [raw + b"\n" for raw in complete]  # each line with the newline that ends it
        if to_the_end and at_end and pending:
            ended.append(pending)
        lines: list[Line] = []
        offset, line_no, tail = pos.offset, pos.line_no, b""
        for raw in ended:
            line_no += 1
            if raw.strip(b" \t\r\n"):  # blank lines carry nothing; they keep their numbers
                lines.append(Line((pos.generation, offset), line_no, self._name, _strip(raw)))
            tail = raw
            offset += len(raw)
        if offset == pos.offset:
            return lines, pos, at_end
        after = Position(pos.generation, pos.device, pos.inode, offset, line_no,
                         len(tail), _sha(tail))  # fmt: skip
        return lines, after, at_end

    def _drain(self, *, to_the_end: bool = False) -> int:
        """Store the lines up to the end of the open file, hand them on and record the position
        after each batch; the number of lines stored."""
        stored = 0
        while True:
            lines, after, at_end = self._batch(to_the_end=to_the_end)
            new = self.events.append(lines)
            for line in new:
                self.on_line(line)
            stored += len(new)
            if after is not self.position:
                self.position = after
                self._unsaved = True
                if to_the_end or time.monotonic() - self._saved_at >= self.save_every:
                    self._save()
            if at_end:
                return stored

    def _save(self) -> None:
        self.state.save(self.position, sync_dir=False)  # see StateFile.save
        self._saved_at, self._unsaved = time.monotonic(), False

    def _truncated(self) -> bool:
        """Whether the open file no longer holds what was read from it (cut in place, possibly
        written again past the old offset)."""
        assert self._file is not None
        pos = self.position
        if pos.offset == 0:
            return False
        return not self._tail_matches(self._file, pos)

    def poll(self) -> int:
        """Read what was added since the last look, following a truncation or a rotation; the
        number of lines stored."""
        if self._file is None:
            self._start(self._open(self.path))
            if self._file is None:
                return 0
        if self._truncated():
            self._start(self._file)
        stored = self._drain()
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return stored  # renamed and not created again yet: keep reading the old file
        mine = os.fstat(self._file.fileno())
        if (st.st_dev, st.st_ino) != (mine.st_dev, mine.st_ino):
            stored += self._drain(to_the_end=True)  # the rotated file's rest
            self._start(self._open(self.path))
            return stored + self.poll()
        return stored

    def run(
        self,
        *,
        interval: float = 0.2,
        stop: Callable[[], bool] = lambda: False,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Poll until ``stop()`` says so, sleeping ``interval`` seconds when nothing came."""
        while not stop():
            if not self.poll():
                sleep(interval)

    def close(self) -> None:
        if self._unsaved:
            self._save()
        if self._file is not None:
            self._file.close()
            self._file = None
