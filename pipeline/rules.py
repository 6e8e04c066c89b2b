"""Subtitle rules per language: built-in profiles, with the config's values on top."""

from __future__ import annotations

from typing import Any

from pipeline.config import Config
from pipeline.subtitles import Rules


# Per-language defaults; the config's values replace the "default" row and can override any row.
LANGUAGE_RULES: dict[str, dict[str, float]] = {
    "en": {"max_chars_per_line": 42, "max_cps": 20},
    "zh": {"max_chars_per_line": 16, "max_cps": 9},
    "ja": {"max_chars_per_line": 13, "max_cps": 4},
    "ko": {"max_chars_per_line": 16, "max_cps": 12},
}


def rules_for(config: Config, lang: str) -> Rules:
    s = config.subtitles
    base: dict[str, Any] = {
        "max_chars_per_line": s.max_chars_per_line, "max_lines": s.max_lines,
        "max_cps": s.max_cps, "min_duration": int(s.min_duration_s * 1000),
        "max_duration": int(s.max_duration_s * 1000),
    }
    base.update(LANGUAGE_RULES.get(lang.split("-")[0], {}))
    base.update(s.languages.get(lang, {}))
    return Rules(**base)


def rules_params(config: Config) -> dict[str, Any]:
    return config.subtitles.model_dump()
