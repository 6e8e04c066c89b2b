"""pipeline/cache.py: atomic writes, content hashes, task state files, fingerprints."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from pipeline.cache import (
    HashCache,
    TaskState,
    atomic_path,
    canonical_hash,
    read_json,
    sweep_partials,
    write_json_atomic,
    write_text_atomic,
)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --- atomic_path -------------------------------------------------------------------------

def test_atomic_path_puts_the_file_in_place_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = tmp_path / "lang" / "subtitles.srt"
    with atomic_path(target) as tmp:
        # a temp name beside the target that keeps the suffix (ffmpeg picks formats by it)
        # and can never be mistaken for an output
        assert tmp.parent == target.parent and tmp.suffix == ".srt"
        assert tmp.name.startswith(".") and ".partial" in tmp.name
        tmp.write_text("1\n00:00:00,000 --> 00:00:01,000\nJinan\n", encoding="utf-8")
        assert not target.exists()
    assert target.read_text(encoding="utf-8").endswith("Jinan\n")
    assert sorted(p.name for p in target.parent.iterdir()) == ["subtitles.srt"]


def test_atomic_path_leaves_no_target_and_no_temp_when_the_body_raises(tmp_path: Path) -> None:
    target = tmp_path / "narration.wav"
    with pytest.raises(RuntimeError, match="synthesis failed"):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"RIFF half a file")
            raise RuntimeError("synthesis failed")
    assert list(tmp_path.iterdir()) == []


def test_atomic_path_keeps_the_old_file_when_the_body_raises(tmp_path: Path) -> None:
    target = tmp_path / "timing.json"
    target.write_text('{"old": true}\n', encoding="utf-8")
    with pytest.raises(ValueError):
        with atomic_path(target) as tmp:
            tmp.write_text("{half", encoding="utf-8")
            raise ValueError("boom")
    assert target.read_text(encoding="utf-8") == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["timing.json"]


def test_atomic_path_when_the_body_writes_nothing_gives_an_empty_file(tmp_path: Path) -> None:
    target = tmp_path / "empty.txt"
    with atomic_path(target):
        pass
    assert target.read_bytes() == b""


def test_written_files_are_shared_like_any_other_file_not_0600(tmp_path: Path) -> None:
    for target in (tmp_path / "a.srt", tmp_path / "b.json"):
        if target.suffix == ".srt":
            write_text_atomic(target, "text")
        else:
            write_json_atomic(target, {"k": 1})
        mode = stat.S_IMODE(target.stat().st_mode)
        assert mode != 0o600
        assert mode == 0o666 & ~_umask()
        if not _umask() & 0o044:
            assert mode & 0o044 == 0o044  # group and others can read the deliverables


def test_write_json_atomic_round_trips_unicode(tmp_path: Path) -> None:
    target = tmp_path / "transcript.json"
    write_json_atomic(target, {"text": "趵突泉", "n": [1, 2]})
    assert "趵突泉" in target.read_text(encoding="utf-8")  # readable, not \\u escapes
    assert read_json(target) == {"text": "趵突泉", "n": [1, 2]}


def test_sweep_removes_what_a_killed_write_left_and_only_that(tmp_path: Path) -> None:
    (tmp_path / "video" / "en").mkdir(parents=True)
    output = tmp_path / "video" / "en" / "subtitles.srt"
    write_text_atomic(output, "kept")
    hidden_config = tmp_path / ".gitignore"
    hidden_config.write_text("*\n", encoding="utf-8")
    killed = atomic_path(tmp_path / "video" / "en" / "narration.wav")
    tmp = killed.__enter__()  # the process dies here: no __exit__, the temp file stays
    tmp.write_bytes(b"RIFF")
    assert tmp.exists()

    assert sweep_partials(tmp_path) == 1
    assert not tmp.exists()
    assert output.read_text(encoding="utf-8") == "kept"
    assert hidden_config.exists()


# --- HashCache ---------------------------------------------------------------------------

def test_hash_cache_returns_the_sha256(tmp_path: Path) -> None:
    media = tmp_path / "clip.bin"
    data = os.urandom(3 * (1 << 20) + 17)  # more than one read block
    media.write_bytes(data)
    cache = HashCache(tmp_path / "hashes.json")
    assert cache.sha256(media) == hashlib.sha256(data).hexdigest()
    assert cache.sha256(media) == hashlib.sha256(data).hexdigest()


def test_hash_cache_notices_an_in_place_edit_of_the_same_size(tmp_path: Path) -> None:
    srt = tmp_path / "subtitles.srt"
    srt.write_text("Baotu Sprlng\n", encoding="utf-8")
    cache = HashCache(tmp_path / "hashes.json")
    before = cache.sha256(srt)
    with open(srt, "r+", encoding="utf-8") as f:  # same inode, same size, one letter fixed
        f.write("Baotu Spring\n")
    assert srt.stat().st_size == len("Baotu Spring\n")
    assert cache.sha256(srt) == hashlib.sha256(b"Baotu Spring\n").hexdigest() != before


def test_hash_cache_notices_a_replaced_file_with_the_old_size_and_mtime(tmp_path: Path) -> None:
    """An editor that saves by rename, keeping the timestamp (or a restore with cp -p)."""
    srt = tmp_path / "subtitles.srt"
    srt.write_text("Baotu Sprlng\n", encoding="utf-8")
    st = srt.stat()
    cache = HashCache(tmp_path / "hashes.json")
    before = cache.sha256(srt)
    new = tmp_path / "subtitles.srt.new"
    new.write_text("Baotu Spring\n", encoding="utf-8")
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, srt)
    assert (srt.stat().st_size, srt.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert cache.sha256(srt) != before


def test_hash_cache_survives_a_save_and_a_reload(tmp_path: Path) -> None:
    store = tmp_path / ".pipeline" / "hashes.json"
    media = tmp_path / "a.wav"
    media.write_bytes(b"abc")
    first = HashCache(store)
    digest = first.sha256(media)
    first.save()
    assert store.is_file()
    second = HashCache(store)
    assert second.sha256(media) == digest
    media.write_bytes(b"abd")
    assert second.sha256(media) == hashlib.sha256(b"abd").hexdigest()


@pytest.mark.parametrize("junk", [b"", b"{not json", b"[1, 2]", b"\xff\xfe\x00"])
def test_a_corrupt_hash_store_is_an_empty_cache(tmp_path: Path, junk: bytes) -> None:
    store = tmp_path / "hashes.json"
    store.write_bytes(junk)
    media = tmp_path / "a.wav"
    media.write_bytes(b"abc")
    cache = HashCache(store)
    assert cache.sha256(media) == hashlib.sha256(b"abc").hexdigest()
    cache.save()
    assert read_json(store) is not None  # rewritten as a good store


# --- TaskState ---------------------------------------------------------------------------

def test_task_state_round_trips(tmp_path: Path) -> None:
    path = tmp_path / ".state" / "translate.pt.json"
    state = TaskState("f" * 64, {"v/pt/subtitles.srt": "a" * 64}, ["v/pt/subtitles.srt"],
                      "20250101T000000Z", {"glossary_lost": ["Baotu Spring"]})
    state.save(path)
    assert TaskState.load(path) == state


@pytest.mark.parametrize("content", [
    b"",  # killed before anything was written
    b'{"fingerprint": "abc", "outputs": {',  # truncated
    b"\x00\x00\x00\x00",  # a zeroed block after a crash
    b"\xff\xfe\xfd",  # not UTF-8
    b"[]",  # not an object
    b'"fingerprint"',
    b'{"outputs": {}}',  # a field missing
    b'{"fingerprint": "abc", "outputs": {}, "from_a_newer_version": 1}',  # an unknown field
    b'{"fingerprint": "abc", "outputs": []}',  # a field of the wrong type
    b'{"fingerprint": null, "outputs": {}}',
])
def test_a_corrupt_state_file_is_a_miss(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "render.en.json"
    path.write_bytes(content)
    assert TaskState.load(path) is None


def test_a_missing_state_file_is_a_miss(tmp_path: Path) -> None:
    assert TaskState.load(tmp_path / "nope.json") is None


# --- canonical_hash ----------------------------------------------------------------------

def test_canonical_hash_ignores_key_order_at_every_level() -> None:
    a = {"stage": "translate", "params": {"engine": "argos", "glossary": {"Jinan": "济南", "x": 1}},
         "inputs": [{"path": "a.srt", "sha256": "00"}]}
    b = {"inputs": [{"sha256": "00", "path": "a.srt"}],
         "params": {"glossary": {"x": 1, "Jinan": "济南"}, "engine": "argos"}, "stage": "translate"}
    assert canonical_hash(a) == canonical_hash(b)


def test_canonical_hash_is_pinned() -> None:
    """The exact bytes hashed: sorted keys, no spaces, UTF-8 text (not \\u escapes). A change
    here invalidates every user's cache, so it must be deliberate."""
    expected = hashlib.sha256('{"a":"泉","b":[1,2.5,null,true]}'.encode()).hexdigest()
    assert canonical_hash({"b": [1, 2.5, None, True], "a": "泉"}) == expected


@pytest.mark.parametrize(("a", "b"), [
    ({"crf": 20}, {"crf": 21}),
    ({"langs": ["en", "pt"]}, {"langs": ["pt", "en"]}),  # list order matters
    ({"x": 1}, {"x": "1"}),
    ({"x": None}, {}),
])
def test_canonical_hash_tells_different_parameters_apart(a: object, b: object) -> None:
    assert canonical_hash(a) != canonical_hash(b)


def test_canonical_hash_of_a_path_is_its_text() -> None:
    assert canonical_hash({"p": Path("a/b.srt")}) == canonical_hash({"p": "a/b.srt"})
