"""Translation memory: a sentence already translated by the same engine, model and glossary
is not sent to the engine again (so editing one line retranslates one sentence)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.cache import canonical_hash, read_json, write_json_atomic


class TranslationMemory:
    def __init__(self, folder: Path, engine: dict[str, Any], glossary_key: str) -> None:
        self.path = folder / f"{canonical_hash([engine, glossary_key])[:16]}.json"
        raw = read_json(self.path)
        self.entries: dict[str, str] = raw if isinstance(raw, dict) else {}
        self.added = 0

    def get(self, text: str) -> str | None:
        return self.entries.get(text)

    def put(self, text: str, translation: str) -> None:
        self.entries[text] = translation
        self.added += 1

    def save(self) -> None:
        if self.added:
            # re-read first: another task may have added entries meanwhile
            current = read_json(self.path)
            merged = dict(current) if isinstance(current, dict) else {}
            merged.update(self.entries)
            write_json_atomic(self.path, merged)
            self.added = 0
