"""The queue_log follower: every complete line stored once, in order, through appends, partial
lines, rotation (renamed and recreated, or deleted and recreated), truncation and restarts."""

from __future__ import annotations

import json
import os
import random
from dataclasses import asdict
from pathlib import Path

import pytest

from callgrade.engine.live.follower import Follower
from callgrade.engine.live.store import EventFile, Line, StateFile


class Rig:
    """A followed file and the follower's state and events beside it."""

    def __init__(self, tmp: Path) -> None:
        self.log = tmp / "queue_log"
        self.state = StateFile(tmp / "state" / "queue_log.json")
        self.events_path = tmp / "state" / "events.jsonl"
        self.seen: list[Line] = []
        self.follower = self.start()

    def start(self) -> Follower:
        return Follower(
            self.log, state=self.state, events=EventFile(self.events_path), on_line=self.seen.append
        )

    def restart(self) -> None:
        self.follower.close()
        self.follower = self.start()

    def write(self, text: str, path: Path | None = None) -> None:
        with open(path or self.log, "ab") as f:
            f.write(text.encode())

    def stored(self) -> list[str]:
        return [r["text"] for r in EventFile(self.events_path).records()]


def _lines(prefix: str, n: int, start: int = 0) -> str:
    return "".join(f"{1767225600 + i}|{prefix}{i}|q1|Agent/1|CONNECT|5|x|2\n"
                   for i in range(start, start + n))  # fmt: skip


def _texts(block: str) -> list[str]:
    return block.splitlines()


@pytest.fixture
def rig(tmp_path: Path) -> Rig:
    (tmp_path / "queue_log").write_bytes(b"")
    return Rig(tmp_path)


def test_appended_lines_are_stored_once_in_order(rig: Rig) -> None:
    first, second = _lines("a", 3), _lines("a", 4, start=3)
    rig.write(first)
    assert rig.follower.poll() == 3
    assert rig.follower.poll() == 0
    rig.write(second)
    assert rig.follower.poll() == 4
    assert rig.stored() == _texts(first + second)
    assert [line.line_no for line in rig.seen] == list(range(1, 8))
    keys = [line.key for line in rig.seen]
    assert keys == sorted(keys) and len(set(keys)) == 7


def test_a_partial_last_line_waits_for_its_newline(rig: Rig) -> None:
    rig.write("1767225600|c1|q1|Agent/1|CONN")
    assert rig.follower.poll() == 0
    rig.write("ECT|5|x|2")
    assert rig.follower.poll() == 0
    rig.restart()  # held across a restart too
    assert rig.follower.poll() == 0
    rig.write("\r\n1767225601|c2|q1|Agent/1|COMPLETECALLER|5|60|1\n")
    assert rig.follower.poll() == 2
    assert rig.stored() == [
        "1767225600|c1|q1|Agent/1|CONNECT|5|x|2",
        "1767225601|c2|q1|Agent/1|COMPLETECALLER|5|60|1",
    ]


def test_blank_lines_are_skipped_but_keep_their_numbers(rig: Rig) -> None:
    rig.write("first|x\n\n  \r\nfourth|y\n")
    rig.follower.poll()
    assert [(line.line_no, line.data) for line in rig.seen] == [(1, b"first|x"), (4, b"fourth|y")]


def test_rotation_by_rename_reads_the_old_files_rest_first(rig: Rig) -> None:
    rig.write(_lines("a", 2))
    rig.follower.poll()
    rig.write(_lines("a", 2, start=2) + "1767225700|torn|q1|Agent/1|CONNECT|1")  # unread rest
    os.rename(rig.log, rig.log.with_name("queue_log.1"))
    assert rig.follower.poll() >= 0  # the path is missing for a while: nothing breaks
    rig.write(_lines("b", 3))  # Asterisk creates the new file
    rig.follower.poll()
    torn = "1767225700|torn|q1|Agent/1|CONNECT|1"  # complete: nothing will add to that file
    assert rig.stored() == [*_texts(_lines("a", 4)), torn, *_texts(_lines("b", 3))]
    assert rig.seen[-1].key[0] == rig.seen[0].key[0] + 1  # the new file: a new generation


def test_rotation_by_delete_and_recreate(rig: Rig) -> None:
    rig.write(_lines("a", 2))
    rig.follower.poll()
    rig.write(_lines("a", 1, start=2))
    rig.log.unlink()  # still open by the follower: its rest is read
    rig.write(_lines("b", 2))
    rig.follower.poll()
    assert rig.stored() == _texts(_lines("a", 3) + _lines("b", 2))


def test_truncation_reads_the_file_from_its_start(rig: Rig) -> None:
    rig.write(_lines("a", 5))
    rig.follower.poll()
    with open(rig.log, "r+b") as f:  # copytruncate
        f.truncate(0)
    rig.write(_lines("b", 2))
    rig.follower.poll()
    assert rig.stored() == _texts(_lines("a", 5) + _lines("b", 2))


def test_truncation_written_past_the_old_offset_is_noticed(rig: Rig) -> None:
    rig.write(_lines("a", 2))
    rig.follower.poll()
    with open(rig.log, "r+b") as f:
        f.truncate(0)
    rig.write(_lines("longer-b", 4))  # already longer than what was read, when next looked at
    rig.follower.poll()
    assert rig.stored() == _texts(_lines("a", 2) + _lines("longer-b", 4))


def test_a_restart_resumes_at_the_stored_offset(rig: Rig) -> None:
    rig.write(_lines("a", 3))
    rig.follower.poll()
    saved = rig.state.load()
    assert saved is not None and saved.offset == len(_lines("a", 3).encode())
    rig.follower.close()
    rig.write(_lines("a", 2, start=3))  # written while the follower was down
    rig.follower = rig.start()
    rig.follower.poll()
    assert rig.stored() == _texts(_lines("a", 5))
    assert [line.line_no for line in rig.seen][-2:] == [4, 5]


def test_a_restart_after_a_rotation_while_down(rig: Rig) -> None:
    rig.write(_lines("a", 2))
    rig.follower.poll()
    rig.follower.close()
    rig.write(_lines("a", 2, start=2))
    os.rename(rig.log, rig.log.with_name("queue_log-20261204"))
    rig.write(_lines("b", 2))
    rig.follower = rig.start()
    rig.follower.poll()
    assert rig.stored() == _texts(_lines("a", 4) + _lines("b", 2))


def test_a_restart_after_a_truncation_while_down(rig: Rig) -> None:
    rig.write(_lines("a", 2))
    rig.follower.poll()
    rig.follower.close()
    with open(rig.log, "r+b") as f:
        f.truncate(0)
    rig.write(_lines("c", 3))
    rig.follower = rig.start()
    rig.follower.poll()
    assert rig.stored() == _texts(_lines("a", 2) + _lines("c", 3))


def test_a_crash_between_storing_and_saving_the_position_repeats_nothing(rig: Rig) -> None:
    rig.write(_lines("a", 2))
    rig.follower.poll()
    old_state = rig.state.path.read_bytes()
    rig.write(_lines("a", 3, start=2))
    rig.follower.poll()
    rig.follower.close()
    rig.state.path.write_bytes(old_state)  # as if killed before the position was saved
    rig.follower = rig.start()
    assert rig.follower.poll() == 0
    rig.write(_lines("a", 1, start=5))
    rig.follower.poll()
    assert rig.stored() == _texts(_lines("a", 6))


def test_a_position_saved_seldom_is_saved_on_close_and_a_kill_repeats_nothing(
    tmp_path: Path,
) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(b"")
    state, events = StateFile(tmp_path / "s.json"), tmp_path / "events.jsonl"

    def start() -> Follower:
        return Follower(log, state=state, events=EventFile(events), save_every=3600)

    follower = start()
    log.write_bytes(_lines("a", 2).encode())
    follower.poll()  # within the hour since the position was saved (at the start): not saved
    saved = state.load()
    with open(log, "ab") as f:
        f.write(_lines("a", 3, start=2).encode())
    follower.poll()
    assert state.load() == saved and saved is not None and saved.offset == 0
    follower.close()
    closed = state.load()
    assert closed is not None and saved is not None and closed.offset > saved.offset
    state.path.write_bytes(json.dumps(asdict(saved)).encode())  # as if killed before closing
    again = start()
    assert again.poll() == 0  # the lines after the old position are known by their key
    with open(log, "ab") as f:
        f.write(_lines("a", 1, start=5).encode())
    again.poll()
    assert [r["text"] for r in EventFile(events).records()] == _texts(_lines("a", 6))


def test_a_torn_record_in_the_events_file_is_cut_off(rig: Rig) -> None:
    rig.write(_lines("a", 2))
    rig.follower.poll()
    rig.follower.close()
    with open(rig.events_path, "ab") as f:
        f.write(b'{"source": "queue_log", "key": [1, 99')  # killed mid-write
    rig.follower = rig.start()
    rig.write(_lines("a", 1, start=2))
    rig.follower.poll()
    assert rig.stored() == _texts(_lines("a", 3))


def test_an_unreadable_state_file_is_an_error_not_a_start_over(rig: Rig) -> None:
    rig.state.path.write_text("{not json")
    with pytest.raises(ValueError, match="not a follower state file"):
        rig.start()


def test_a_lost_state_file_beside_stored_lines_is_an_error_not_a_repeat(rig: Rig) -> None:
    rig.write(_lines("a", 2))
    rig.follower.poll()
    rig.follower.close()
    rig.state.path.unlink()
    with pytest.raises(ValueError, match="restore the state file"):
        rig.start()


def test_bytes_that_do_not_decode_are_kept_as_they_came(rig: Rig) -> None:
    with open(rig.log, "ab") as f:
        f.write(b"1767225600|c\xe9|q1|Agent/1|CONNECT|5|x|2\n")
    rig.follower.poll()
    (record,) = EventFile(rig.events_path).records()
    assert "text" not in record and record["raw"]


def test_lines_longer_than_a_read_chunk(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    import callgrade.engine.live.follower as follower

    monkeypatch.setattr(follower, "CHUNK", 16)
    long_line = "x" * 100
    rig.write(f"{long_line}\nshort\n{long_line}")
    rig.follower.poll()
    assert rig.stored() == [long_line, "short"]
    rig.write("\n")
    rig.follower.poll()
    assert rig.stored() == [long_line, "short", long_line]


@pytest.mark.parametrize("seed", range(8))
def test_random_writes_rotations_and_restarts_lose_and_repeat_nothing(
    tmp_path: Path, seed: int
) -> None:
    """Lines written in random pieces, with rotations and restarts between any two polls:
    stored = written, in order, once each."""
    rnd = random.Random(seed)
    (tmp_path / "queue_log").write_bytes(b"")
    rig = Rig(tmp_path)
    written: list[str] = []
    pending = ""
    rotations = 0
    for step in range(120):
        if not pending:
            text = f"{1767225600 + step}|c{step}|q1|Agent/{rnd.randint(1, 9)}|CONNECT|5|x|2"
            written.append(text)
            pending = text + "\n"
        cut = rnd.randint(1, len(pending))
        rig.write(pending[:cut])
        pending = pending[cut:]
        roll = rnd.random()
        if roll < 0.05 and not pending:
            rotations += 1
            os.rename(rig.log, tmp_path / f"queue_log.{rotations}")
            rig.write("")
        elif roll < 0.15:
            rig.restart()
        if rnd.random() < 0.5:
            rig.follower.poll()
    rig.write(pending)
    rig.follower.poll()
    assert rig.stored() == written
    assert len({line.key for line in rig.seen}) == len(rig.seen)
