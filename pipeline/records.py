"""Typed records: what a stage writes for others to read (timing.json, ...), as frozen
dataclasses with `to_json()` (the file's text) and `from_json(text)` (validated).

One validating reader (pydantic, strict: no "12" read as 12, no 1.5 as an index) turns a
file into its record; a record that does not validate is a miss to its reader (`load` gives
None, `Stage.records` makes the task stale so it runs again), never a crash later in a
reader that trusted it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Record(Protocol):
    """A record as its writer sees it: its content as JSON-able values, keys in file order."""

    def to_dict(self) -> dict[str, Any]: ...


class Reader(Protocol[T_co]):
    """A record class as its readers see it: `from_json(text)`, RecordError when it is not one."""

    def from_json(self, text: str | bytes, /) -> T_co: ...


class RecordError(ValueError):
    """A record's text is not JSON, or not the record's shape."""


_ADAPTERS: dict[type[Any], Any] = {}  # a record class's validator, built once (tens of ms)


def _adapter(cls: type[Any]) -> Any:
    if cls not in _ADAPTERS:
        from pydantic import TypeAdapter

        _ADAPTERS[cls] = TypeAdapter(cls)
    return _ADAPTERS[cls]


def parse(cls: type[T], text: str | bytes) -> T:
    """The record of `cls` in `text`; RecordError naming the first field that is off."""
    from pydantic import ValidationError

    try:
        record: T = _adapter(cls).validate_json(text, strict=True)
        return record
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the record"
        raise RecordError(f"{where}: {first['msg']}") from None


def load(reader: Reader[T], path: Path) -> T | None:
    """The record in a file, or None when it is missing or does not validate (a miss)."""
    try:
        return reader.from_json(path.read_bytes())
    except (OSError, RecordError):
        return None


def dumps(obj: Any) -> str:
    """A record's file text: the JSON every stage writes (2-space indent, UTF-8 as is)."""
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


class JsonRecord:
    """What a record class shares: its file text is `dumps(to_dict())`, and `from_json` reads it
    back through the one validating reader (RecordError when it is not one)."""

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_json(self) -> str:
        return dumps(self.to_dict())

    @classmethod
    def from_json(cls: type[T], text: str | bytes) -> T:
        return parse(cls, text)
