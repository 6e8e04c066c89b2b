"""Fingerprints, content hashes, per-task state files and atomic writes.

A task is fresh when its fingerprint (stage version, parameters, engine identity and the
content hashes of its inputs) equals the one recorded when it last succeeded, and every
output it wrote is still there. Outputs an editor may change (.srt) are compared with the
hash the stage wrote: a difference means "edited", which downstream tasks see as a changed
input and which this task never overwrites without --force.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime, timezone
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


@lru_cache(maxsize=1)
def _umask() -> int:
    """The process umask (read once, when the first file is written, not at import)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _plain(obj: Any) -> Any:
    """JSON for what json does not know: dataclasses (a stage's parameters), enums, paths."""
    if is_dataclass(obj) and not isinstance(obj, type):
        # one level: json calls back for nested values (what asdict gives, without its copies)
        return {f.name: getattr(obj, f.name) for f in fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, (Path, frozenset, set)):
        return str(obj) if isinstance(obj, Path) else sorted(obj)
    raise TypeError(f"cannot hash a {type(obj).__name__} in a fingerprint")


def canonical_hash(obj: Any) -> str:
    """sha256 of canonical JSON (sorted keys, no spaces): equal values, equal hashes."""
    data = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in blocks (callers with a HashCache pass theirs instead)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path beside target; on success fsync it and rename it over target.

    The temp name keeps the suffix (tools such as ffmpeg pick formats by it) and starts with
    a dot and contains ".partial", so nothing half-written is ever mistaken for an output.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".partial{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are for sharing
        os.replace(tmp, target)
        fsync_dir(target.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text_atomic(target: Path, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json_atomic(target: Path, obj: Any) -> None:
    write_text_atomic(target, json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def read_json(path: Path) -> Any | None:
    """A JSON file's content, or None when it is missing or corrupt (a miss, never a crash)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


class HashCache:
    """sha256 of files, remembered by (size, mtime_ns, inode) so a no-op run reads no media."""

    def __init__(self, store: Path) -> None:
        self.store = store
        raw = read_json(store)
        self._entries: dict[str, list[Any]] = raw if isinstance(raw, dict) else {}
        self._dirty = False
        self._lock = threading.Lock()  # units run side by side: save() copies a still table

    def sha256(self, path: Path) -> str:
        st = os.stat(path)
        key = os.path.abspath(path)
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        hit = self._entries.get(key)
        if hit and hit[:3] == stamp:
            return str(hit[3])
        digest = sha256_file(path)
        with self._lock:
            self._entries[key] = stamp + [digest]
            self._dirty = True
        return digest

    def derived(self, path: Path, kind: str, make: Callable[[], T]) -> T:
        """A value computed from a file's content (JSON-able, `kind` names what it is and
        everything else it depends on), remembered by the file's (size, mtime_ns, inode)
        like its hash: QA findings of a subtitle file are parsed once, not on every status."""
        st = os.stat(path)
        key = f"{os.path.abspath(path)}\0{kind}"
        stamp = [st.st_size, st.st_mtime_ns, st.st_ino]
        hit = self._entries.get(key)
        if hit and hit[:3] == stamp:
            return hit[3]
        value = make()
        with self._lock:
            self._entries[key] = stamp + [value]
            self._dirty = True
        return value

    def save(self) -> None:
        with self._lock:
            if not self._dirty:
                return
            entries, self._dirty = dict(self._entries), False
        try:
            write_json_atomic(self.store, entries)
        except OSError:
            self._dirty = True  # only a cache: a full disk costs some rehashing next time


@dataclass
class TaskState:
    """What a task recorded when it last succeeded."""

    fingerprint: str
    outputs: dict[str, str]  # path relative to the output dir -> sha256 it wrote
    editable: list[str] = field(default_factory=list)
    finished_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> TaskState | None:
        raw = read_json(path)
        if not isinstance(raw, dict):
            return None
        try:
            state = cls(**raw)
        except TypeError:
            return None
        # a state file from a crash or another version: anything off is a miss, not a crash later
        well_typed = (
            isinstance(state.fingerprint, str)
            and isinstance(state.outputs, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in state.outputs.items())
            and isinstance(state.editable, list)
            and isinstance(state.finished_at, str)
            and isinstance(state.extra, dict)
        )
        return state if well_typed else None

    def save(self, path: Path) -> None:
        write_json_atomic(path, self.__dict__)


def utc_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def sweep_partials(root: Path) -> int:
    """Delete the temp files a killed run left behind (only ever called under the run lock)."""
    removed = 0
    for path in root.rglob(".*.partial*"):
        if path.is_file():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
