"""Subtitle rules: segmentation, line breaking, QA checks, ASS escaping (shown literally)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import subtitles as subs
from pipeline.translation.sentences import group_sentences, split_overfull, split_proportionally

EN = subs.Rules(max_chars_per_line=42, max_cps=20)
ZH = subs.Rules(max_chars_per_line=16, max_cps=9)

word_text = st.one_of(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
    st.sampled_from(["Jinan", "Baotu", "Spring", "72", "2,000", "Daming", "Lake"]),
).flatmap(lambda w: st.sampled_from(["", ",", ".", "?", ""]).map(lambda p: w + p))


@st.composite
def word_streams(draw: st.DrawFn) -> list[subs.Word]:
    texts = draw(st.lists(word_text, min_size=1, max_size=120))
    words, t = [], 0
    for text in texts:
        t += draw(st.sampled_from([0, 0, 20, 80, 300, 900, 2500]))
        length = draw(st.integers(min_value=80, max_value=700))
        words.append(subs.Word(t, t + length, text))
        t += length
    return words


@settings(max_examples=200, deadline=None)
@given(word_streams())
def test_segmenter_holds_the_rules_and_loses_no_word(words: list[subs.Word]) -> None:
    cues = subs.segment_words(words, EN)
    assert subs.join_words([c.flat for c in cues]).split() == [w.text for w in words]
    for cue in cues:
        lines = cue.text.split("\n")
        assert len(lines) <= EN.max_lines
        assert all(subs.text_length(line) <= EN.max_chars_per_line for line in lines)
        assert 0 < cue.duration <= EN.max_duration
    for a, b in zip(cues, cues[1:]):
        assert b.start - a.end >= EN.min_gap


def test_two_lines_are_balanced_bottom_heavy() -> None:
    text = subs.break_lines("Baotu Spring bubbles up in the heart of the old town of Jinan.", EN)
    top, bottom = text.split("\n")
    assert len(bottom) >= len(top)
    assert abs(len(bottom) - len(top)) <= 12


def test_no_break_inside_a_name_or_a_number() -> None:
    text = "Every year the famous Baotu Spring welcomes 2,000 visitors from abroad"
    for line_end in [ln.split()[-1] for ln in subs.break_lines(text, EN).split("\n")[:-1]]:
        assert line_end not in ("Baotu", "2,000")


def test_chinese_is_broken_without_spaces_within_sixteen_characters() -> None:
    text = subs.break_lines("济南被称为泉城，趵突泉位于老城的中心，七十二名泉汇入大明湖。", ZH)
    lines = text.split("\n")
    assert len(lines) == 2 and all(subs.text_length(ln) <= 16 for ln in lines)
    assert " " not in text and "".join(lines) == "济南被称为泉城，趵突泉位于老城的中心，七十二名泉汇入大明湖。"


def test_check_reports_every_rule() -> None:
    cues = [
        subs.Cue(0, 500, "one\ntwo\nthree"),  # lines, min duration
        subs.Cue(520, 9000, "x" * 50),  # gap, line length, max duration
        subs.Cue(9100, 10100, "a very long line that is read too fast"),  # cps
    ]
    rules = {f.rule for f in subs.check(cues, EN)}
    assert rules == {"max_lines", "min_duration", "min_gap", "max_chars_per_line", "max_duration",
                     "max_cps"}
    assert subs.check([subs.Cue(0, 3000, "Jinan is known as\nthe City of Springs.")], EN) == []


def test_srt_and_vtt_keep_times_and_text(tmp_path: Path) -> None:
    cues = [subs.Cue(1234, 5678, "Jinan,\nCity of Springs"), subs.Cue(6000, 7001, "济南")]
    path = tmp_path / "a.srt"
    path.write_text(subs.srt_text(cues), encoding="utf-8")
    assert subs.load_srt(path) == cues
    assert "00:00:01.234 --> 00:00:05.678" in subs.vtt_text(cues)


def test_ass_override_tags_in_text_are_shown_literally(tmp_path: Path) -> None:
    style = subs.AssStyle(640, 200, "Noto Sans", 40, 20, 2, 0)
    (tmp_path / "t.ass").write_text(subs.ass_text([subs.Cue(0, 5000, "{\\fs200}Big")], style),
                                    encoding="utf-8")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=black:s=640x200:d=1", "-vf", "ass=t.ass", "-frames:v", "1", "t.png"],
                   cwd=tmp_path, check=True)
    text = subprocess.run(["tesseract", "t.png", "-", "--psm", "7"], cwd=tmp_path,
                          capture_output=True, text=True, check=True).stdout
    assert "fs200" in text and "Big" in text  # drawn as typed, not a 200-px override


def test_ass_text_cannot_open_an_override_block() -> None:
    escaped = subs.escape_ass("{\\b1}bold\\N not a break {x}")
    plain = escaped.replace("\\{", "").replace("\\}", "")
    assert "{" not in plain and "}" not in plain
    assert "\\N" not in escaped.replace("\\\u2060N", "")


def test_sentences_group_and_split_in_proportion() -> None:
    cues = [subs.Cue(0, 1000, "The water flows north"), subs.Cue(1100, 2000, "into Daming Lake."),
            subs.Cue(2100, 3000, "Come and see.")]
    assert group_sentences(cues) == [[0, 1], [2]]
    pieces = split_proportionally("A água flui para o norte até o Lago Daming.", [21, 17])
    assert len(pieces) == 2 and " ".join(pieces) == "A água flui para o norte até o Lago Daming."
    assert not pieces[0].endswith("Lago")


def test_overfull_event_is_split_in_two_readable_events() -> None:
    long = ("A água da nascente flui para o norte em direção ao Lago Daming, cercado por "
            "salgueiros e pavilhões antigos.")
    out = split_overfull([subs.Cue(0, 6000, long)], EN)
    assert len(out) == 2
    assert subs.check(out, subs.Rules(max_cps=30)) == []
    assert subs.join_words([c.flat for c in out]) == long


def test_near_misses_of_glossary_names_are_respelled(tmp_path: Path) -> None:
    from pipeline.language.glossary import correct_names, load_glossary

    path = tmp_path / "glossary.csv"
    path.write_text("term,en,pt\nFurong Street,Furong Street,Rua Furong\n"
                    "City of Springs,City of Springs,Cidade das Nascentes\nJinan,Jinan,Jinan\n")
    terms = load_glossary(path)
    said = "In the evening, Fuhrung Street fills; the city of springs, jinan. Spring is here."
    fixed = " ".join(correct_names(said.split(), terms, "en"))
    assert fixed == ("In the evening, Furong Street fills; the City of Springs, Jinan. "
                     "Spring is here.")
    assert correct_names("Jenin and Street".split(), terms, "en") == ["Jenin", "and", "Street"]
