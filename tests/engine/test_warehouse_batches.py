"""Batches: every commit is one, and undoing one takes out exactly the rows no other standing
batch wrote, atomically and idempotently."""

from __future__ import annotations

import json

import pytest
from test_warehouse import states

from callgrade.engine.batches import BASELINE, BatchError, BatchInfo
from callgrade.engine.warehouse import MANIFEST, Warehouse

JAN = ["2026-01-01T08:00", "2026-01-01T09:00"]


def _ids(wh: Warehouse) -> list[str]:
    return sorted(wh.read("agent_states").column("state_id").to_pylist())


def test_undo_removes_the_batch_and_only_it(tmp_path):
    wh = Warehouse(tmp_path)
    one = BatchInfo(label="first")
    wh.commit({"agent_states": states(["a", "b"], JAN)}, batch=one)
    two = BatchInfo(label="second")
    wh.commit({"agent_states": states(["b", "c"], [JAN[1], "2026-02-03T10:00"])}, batch=two)
    assert _ids(wh) == ["a", "b", "c"]

    report = wh.undo(two.id)
    # b was also written by the first batch, which still stands
    assert report.removed == {"agent_states": 1} and report.kept == {"agent_states": 1}
    assert _ids(wh) == ["a", "b"]
    assert [f.parent.name for f in wh.files("agent_states")] == ["month=2026-01"]
    again = wh.undo(two.id)
    assert again.already_undone and again.total_removed == 0 and _ids(wh) == ["a", "b"]

    wh.undo(one.id)
    assert _ids(wh) == [] and wh.manifest()["tables"] == {}  # an empty warehouse again
    entries = dict(wh.batches())
    assert entries[one.id]["undone_at"] and entries[two.id]["undone_at"]
    assert entries[one.id]["label"] == "first"


def test_loading_the_same_rows_twice_then_undoing_both_in_either_order(tmp_path):
    for order in ((0, 1), (1, 0)):
        wh = Warehouse(tmp_path / str(order))
        infos = [BatchInfo(), BatchInfo()]
        for info in infos:
            wh.commit({"agent_states": states(["a", "b"], JAN)}, batch=info)
        assert wh.count("agent_states") == 2  # the second load added nothing
        assert wh.undo(infos[order[0]].id).total_removed == 0
        assert wh.undo(infos[order[1]].id).total_removed == 2
        assert wh.count("agent_states") == 0


def test_rows_from_before_the_ledger_are_a_baseline_that_stays(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit({"agent_states": states(["a"], JAN[:1])})
    # a warehouse written before batches were kept: drop the ledger from its manifest
    path = wh.root / MANIFEST
    manifest = json.loads(path.read_text())
    del manifest["batches"]
    path.write_text(json.dumps(manifest))

    info = BatchInfo()
    wh.commit({"agent_states": states(["a", "b"], JAN)}, batch=info)
    assert BASELINE in dict(wh.batches())
    assert wh.undo(info.id).removed == {"agent_states": 1}
    assert _ids(wh) == ["a"]  # the row the warehouse had before stays
    with pytest.raises(BatchError, match="cannot be undone"):
        wh.undo(BASELINE)


def test_unknown_or_malformed_batch_is_refused_and_nothing_changes(tmp_path):
    wh = Warehouse(tmp_path)
    wh.commit({"agent_states": states(["a"], JAN[:1])})
    version = wh.manifest()["version"]
    with pytest.raises(BatchError, match="no batch 'nope'"):
        wh.undo("nope")
    with pytest.raises(BatchError, match="not a batch id"):
        wh.undo("../x")
    assert wh.manifest()["version"] == version


def test_a_failed_undo_leaves_the_warehouse_as_it_was(tmp_path, monkeypatch):
    wh = Warehouse(tmp_path)
    info = BatchInfo()
    wh.commit({"agent_states": states(["a", "b"], JAN)}, batch=info)
    before = wh.manifest()
    files = sorted(p.name for p in wh.root.rglob("*.parquet"))

    def boom(*args, **kwargs):
        raise OSError("disk went away")

    monkeypatch.setattr(Warehouse, "_replace_manifest", boom)
    with pytest.raises(OSError):
        wh.undo(info.id)
    monkeypatch.undo()
    assert wh.manifest() == before
    assert sorted(p.name for p in wh.root.rglob("*.parquet")) == files
    assert wh.undo(info.id).total_removed == 2


def test_collection_keeps_the_ledger_files(tmp_path):
    wh = Warehouse(tmp_path)
    info = BatchInfo()
    wh.commit({"agent_states": states(["a"], JAN[:1])}, batch=info)
    wh.collect()
    assert wh.undo(info.id).total_removed == 1
