"""narration.lexicon applied to a line: respellings for every engine, /phonemes/ for Kokoro."""

from __future__ import annotations

from pipeline.engines.tts.lexicon import Piece, apply_lexicon, entries_used, phonemes_of, spoken_text


def test_a_respelling_replaces_the_word_and_keeps_the_rest() -> None:
    pieces = apply_lexicon("Welcome to Jinan, the capital.", {"Jinan": "Djinân"})
    assert pieces == [Piece("Welcome to Djinân, the capital.")]


def test_a_phoneme_entry_is_its_own_piece_between_the_text_around_it() -> None:
    pieces = apply_lexicon("Bem-vindo a Jinan, a capital.", {"Jinan": "/dʒinˈan/"})
    assert pieces == [Piece("Bem-vindo a "), Piece("Jinan", "dʒinˈan"), Piece(", a capital.")]
    # an engine without phoneme input reads the word as written
    assert spoken_text(pieces) == "Bem-vindo a Jinan, a capital."


def test_matching_is_whole_word_and_case_insensitive() -> None:
    lex = {"Jinan": "Djinân"}
    assert spoken_text(apply_lexicon("JINAN and jinan", lex)) == "Djinân and Djinân"
    assert spoken_text(apply_lexicon("Jinanese Xjinan Jinan's", lex)) == "Jinanese Xjinan Djinân's"


def test_the_longest_entry_wins_and_a_respelling_is_not_looked_up_again() -> None:
    lex = {"Baotu": "Bao-too", "Baotu Spring": "Bow-too Spring", "Spring": "Fonte"}
    assert spoken_text(apply_lexicon("Baotu Spring and Baotu.", lex)) == \
        "Bow-too Spring and Bao-too."


def test_chinese_entries_match_without_spaces() -> None:
    pieces = apply_lexicon("欢迎来到济南市。", {"济南": "/ʨi↓na↗n/"})
    assert pieces == [Piece("欢迎来到"), Piece("济南", "ʨi↓na↗n"), Piece("市。")]


def test_entries_used_names_only_what_the_line_uses() -> None:
    lex = {"Jinan": "/dʒinˈan/", "Daming Lake": "Da-ming Lake", "Shandong": "Shan-dong"}
    assert entries_used("From jinan to Daming Lake.", lex) == {
        "Daming Lake": "Da-ming Lake", "Jinan": "/dʒinˈan/"}
    assert entries_used("Nothing here.", lex) == {}


def test_empty_lexicon_values_and_odd_slashes() -> None:
    assert apply_lexicon("Jinan", {}) == [Piece("Jinan")]
    assert apply_lexicon("Jinan", {"Jinan": "  "}) == [Piece("Jinan")]
    assert apply_lexicon("", {"Jinan": "x"}) == []
    assert phonemes_of("/dʒinˈan/") == "dʒinˈan"
    assert phonemes_of("//") is None and phonemes_of("a/b") is None and phonemes_of("/x") is None
    # a word made of regex characters is taken literally
    assert spoken_text(apply_lexicon("C++ and C", {"C++": "C plus plus"})) == "C plus plus and C"
