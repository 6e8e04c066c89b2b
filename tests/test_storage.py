"""Atomic writes, content hashes and state files: nothing half-written ever counts."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pipeline.cache import HashCache, TaskState, atomic_path, canonical_hash, write_text_atomic


def test_failed_write_leaves_neither_target_nor_temp(tmp_path: Path) -> None:
    target = tmp_path / "out.mp4"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_replaces_and_is_readable_by_others(tmp_path: Path) -> None:
    target = tmp_path / "a.srt"
    write_text_atomic(target, "one")
    write_text_atomic(target, "two")
    assert target.read_text() == "two"
    assert target.stat().st_mode & stat.S_IROTH
    assert [p.name for p in tmp_path.iterdir()] == ["a.srt"]


def test_hash_cache_notices_same_size_edits(tmp_path: Path) -> None:
    path = tmp_path / "a.srt"
    path.write_text("Jinan")
    cache = HashCache(tmp_path / "hashes.json")
    first = cache.sha256(path)
    path.write_text("Jenin")
    assert cache.sha256(path) != first
    cache.save()
    assert HashCache(tmp_path / "hashes.json").sha256(path) == cache.sha256(path)


def test_corrupt_state_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "render.pt.json"
    path.write_text('{"fingerprint": "abc", "outp')
    assert TaskState.load(path) is None
    path.write_text('{"unexpected": 1}')
    assert TaskState.load(path) is None


def test_canonical_hash_ignores_key_order() -> None:
    assert canonical_hash({"a": 1, "b": [1, 2]}) == canonical_hash({"b": [1, 2], "a": 1})
    assert canonical_hash({"a": 1}) != canonical_hash({"a": 2})
