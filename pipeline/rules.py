"""Subtitle rules per language: built-in profiles, with the config's values on top.

A RuleBook is the part of the config that decides the rules (frozen, so a stage's parameters
can hold it and its fingerprint hash it); `for_lang` gives one language's Rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.config import Config, SubtitleConfig
from pipeline.subtitles import Rules

# Per-language defaults; the config's values replace the "default" row and can override any row.
LANGUAGE_RULES: dict[str, dict[str, float]] = {
    "en": {"max_chars_per_line": 42, "max_cps": 20},
    "zh": {"max_chars_per_line": 16, "max_cps": 9},
    "ja": {"max_chars_per_line": 13, "max_cps": 4},
    "ko": {"max_chars_per_line": 16, "max_cps": 12},
}


@dataclass(frozen=True)
class RuleBook:
    """What decides the reading rules of every language: the config's values and its
    per-language overrides (not the font or its size: those are the render's)."""

    defaults: tuple[tuple[str, Any], ...]
    languages: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = field(default=())

    @classmethod
    def from_config(cls, s: SubtitleConfig) -> RuleBook:
        defaults = {
            "max_chars_per_line": s.max_chars_per_line, "max_lines": s.max_lines,
            "max_cps": s.max_cps, "min_duration": int(s.min_duration_s * 1000),
            "max_duration": int(s.max_duration_s * 1000),
        }
        langs = tuple(sorted((lang, tuple(sorted(v.items()))) for lang, v in s.languages.items()))
        return cls(tuple(sorted(defaults.items())), langs)

    def only(self, lang: str) -> RuleBook:
        """The part of the book that decides one language's rules (so a change to another
        language's overrides leaves this one's fingerprints alone)."""
        return RuleBook(self.defaults, tuple(e for e in self.languages if e[0] == lang))

    def for_lang(self, lang: str) -> Rules:
        base: dict[str, Any] = dict(self.defaults)
        base.update(LANGUAGE_RULES.get(lang.split("-")[0], {}))
        base.update(dict(self.languages).get(lang, ()))
        return Rules(**base)


def rules_for(config: Config, lang: str) -> Rules:
    return RuleBook.from_config(config.subtitles).for_lang(lang)
