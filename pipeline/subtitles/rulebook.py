"""Subtitle rules per language: built-in profiles, with what the user wrote on top.

Precedence, lowest first (docs/editing.md, "Precedence of subtitle rules"):

1. the config's own defaults (the `subtitles` keys the user did not write);
2. the built-in profile of the language (LANGUAGE_RULES: en reads at 20 cps, zh 16 characters
   a line...);
3. the values the user wrote in `subtitles` (pydantic's `model_fields_set` tells which);
4. `subtitles.languages.<code>`: the base language's entry (`zh`), then each more specific
   one (`zh-Hans`, `zh-Hans-CN`); codes match without regard to case.

A RuleBook is the part of the config that decides the rules (frozen, so a stage's parameters
can hold it and its fingerprint hash it); `for_lang` gives one language's Rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipeline.language.tags import chain, primary
from pipeline.subtitles.model import Rules


class SubtitleSettings(Protocol):
    """The `subtitles` part of the config, as far as the rules read it (the config sits
    above this package, so it is described here rather than imported)."""

    @property
    def model_fields_set(self) -> set[str]: ...

    @property
    def languages(self) -> Mapping[str, Mapping[str, Any]]: ...


class HasSubtitles(Protocol):
    @property
    def subtitles(self) -> SubtitleSettings: ...

# Built-in per-language profiles (Netflix timed-text style guides); below what the user writes.
LANGUAGE_RULES: dict[str, dict[str, float]] = {
    "en": {"max_chars_per_line": 42, "max_cps": 20},
    "zh": {"max_chars_per_line": 16, "max_cps": 9},
    "ja": {"max_chars_per_line": 13, "max_cps": 4},
    "ko": {"max_chars_per_line": 16, "max_cps": 12},
}

# config key -> (Rules field, conversion): the config speaks seconds, Rules milliseconds
_RULE_KEYS: dict[str, tuple[str, Any]] = {
    "max_chars_per_line": ("max_chars_per_line", int),
    "max_lines": ("max_lines", int),
    "max_cps": ("max_cps", float),
    "min_duration_s": ("min_duration", lambda s: int(round(float(s) * 1000))),
    "max_duration_s": ("max_duration", lambda s: int(round(float(s) * 1000))),
}


def _rule_values(values: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Config keys and values as sorted (Rules field, value) pairs."""
    found = []
    for key, value in values.items():
        name, convert = _RULE_KEYS[key]
        found.append((name, convert(value)))
    return tuple(sorted(found))


@dataclass(frozen=True)
class RuleBook:
    """What decides the reading rules of every language: the config's values, which of them
    the user wrote, and the per-language entries (not the font or its size: those are the
    render's)."""

    defaults: tuple[tuple[str, Any], ...]
    languages: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = field(default=())
    user_set: tuple[str, ...] = field(default=())  # Rules fields the user wrote in `subtitles`

    @classmethod
    def from_config(cls, s: SubtitleSettings) -> RuleBook:
        values = {key: getattr(s, key) for key in _RULE_KEYS}
        written = sorted(_RULE_KEYS[key][0] for key in s.model_fields_set if key in _RULE_KEYS)
        langs = tuple(sorted((code.lower(), _rule_values(v)) for code, v in s.languages.items()))
        return cls(_rule_values(values), langs, tuple(written))

    def only(self, lang: str) -> RuleBook:
        """The part of the book that decides one language's rules (so a change to another
        language's overrides leaves this one's fingerprints alone)."""
        return RuleBook(self.defaults, tuple(e for e in self.languages if e[0] == lang))

    def for_lang(self, lang: str) -> Rules:
        config = dict(self.defaults)
        rules: dict[str, Any] = dict(config)
        rules.update(LANGUAGE_RULES.get(primary(lang), {}))
        rules.update({name: config[name] for name in self.user_set})
        entries = dict(self.languages)
        for code in chain(lang):
            rules.update(entries.get(code, ()))
        return Rules(**rules)


def rules_for(config: HasSubtitles, lang: str) -> Rules:
    return RuleBook.from_config(config.subtitles).for_lang(lang)
