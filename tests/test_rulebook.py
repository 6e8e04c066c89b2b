"""Which reading rules a language gets: built-in profiles < what the user writes in
`subtitles` < `subtitles.languages.<code>` (regional codes included); and the new
`extract.damaged` key."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from pipeline.cache import canonical_hash
from pipeline.config import Config, load_config
from pipeline.errors import ConfigError
from pipeline.subtitles.rulebook import RuleBook, rules_for


def _config(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "pipeline.yaml"
    path.write_text("languages: [en, pt, zh]\n" + text, encoding="utf-8")
    return load_config(path).config


def test_max_cps_written_in_the_config_gives_english_17(tmp_path: Path) -> None:
    config = _config(tmp_path, "subtitles: {max_cps: 17}\n")
    assert rules_for(config, "en").max_cps == 17
    assert rules_for(config, "en-GB").max_cps == 17
    assert rules_for(config, "en").max_chars_per_line == 42


def test_without_the_key_the_built_in_language_profile_applies(tmp_path: Path) -> None:
    config = _config(tmp_path, "")
    assert rules_for(config, "en").max_cps == 20  # built-in English profile
    zh = rules_for(config, "zh")
    assert (zh.max_chars_per_line, zh.max_cps) == (16, 9)
    assert rules_for(config, "pt").max_cps == 17  # no built-in profile: the config's default


def test_a_value_the_user_writes_applies_to_every_language(tmp_path: Path) -> None:
    """Even when it equals the default: the user wrote it, so it wins over the built-in
    profile (docs/editing.md says to put CJK values under subtitles.languages)."""
    config = _config(tmp_path, "subtitles: {max_chars_per_line: 42}\n")
    assert rules_for(config, "zh").max_chars_per_line == 42
    assert rules_for(config, "zh").max_cps == 9  # not written: the built-in profile


def test_language_entries_beat_the_user_defaults_and_reach_regional_codes(tmp_path: Path) -> None:
    config = _config(tmp_path, "subtitles:\n  max_cps: 15\n  languages:\n"
                               "    zh: {max_cps: 8, max_chars_per_line: 14}\n"
                               "    zh-hans: {max_cps: 7}\n"
                               "    pt: {max_chars_per_line: 38, min_duration_s: 1.2}\n")
    assert rules_for(config, "zh").max_cps == 8
    assert rules_for(config, "zh-Hant").max_cps == 8  # the base entry
    hans = rules_for(config, "zh-Hans")
    assert (hans.max_cps, hans.max_chars_per_line) == (7, 14)  # exact entry, then the base one
    assert rules_for(config, "zh-Hans-CN").max_cps == 7
    pt_br = rules_for(config, "pt-BR")
    assert (pt_br.max_chars_per_line, pt_br.min_duration, pt_br.max_cps) == (38, 1200, 15)
    assert rules_for(config, "en").max_cps == 15


def test_a_regional_entry_does_not_reach_the_base_language(tmp_path: Path) -> None:
    config = _config(tmp_path, "subtitles: {languages: {pt-BR: {max_cps: 12}}}\n")
    assert rules_for(config, "pt-BR").max_cps == 12
    assert rules_for(config, "pt").max_cps == 17
    assert rules_for(config, "pt-PT").max_cps == 17


def test_the_rulebook_is_frozen_and_its_fingerprint_follows_what_the_user_wrote(
        tmp_path: Path) -> None:
    written = RuleBook.from_config(_config(tmp_path, "subtitles: {max_cps: 17}\n").subtitles)
    unwritten = RuleBook.from_config(_config(tmp_path, "").subtitles)
    assert written.defaults == unwritten.defaults  # same values...
    assert written != unwritten  # ...but English reads at 17 in one and 20 in the other
    assert canonical_hash({"rules": written}) != canonical_hash({"rules": unwritten})
    again = RuleBook.from_config(_config(tmp_path, "subtitles: {max_cps: 17}\n").subtitles)
    assert canonical_hash({"rules": written}) == canonical_hash({"rules": again})
    assert hash(written) == hash(again)
    with pytest.raises(FrozenInstanceError):
        written.user_set = ()  # type: ignore[misc]
    assert all(isinstance(v, (int, float)) for _, v in written.defaults)


@pytest.mark.parametrize(("text", "words"), [
    ("subtitles: {languages: {zh: {max_chars: 16}}}\n", "zh.max_chars is not a reading rule"),
    ("subtitles: {languages: {zh: {max_cps: 0}}}\n", "zh.max_cps is 0.0"),
    ("subtitles: {languages: {zh: {max_lines: 2.5}}}\n", "a whole number"),
    ("subtitles: {languages: {chinese: {max_cps: 9}}}\n", "'chinese' is not a language code"),
    ("extract: {damaged: ignore}\n", "extract.damaged"),
])
def test_bad_rule_entries_stop_before_any_work(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(ConfigError, match="subtitles.languages|extract.damaged") as err:
        _config(tmp_path, text)
    assert words in str(err.value)


def test_extract_damaged_defaults_to_fail(tmp_path: Path) -> None:
    assert _config(tmp_path, "").extract.damaged == "fail"
    assert _config(tmp_path, "extract: {damaged: keep}\n").extract.damaged == "keep"
