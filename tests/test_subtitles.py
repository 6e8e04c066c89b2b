"""pipeline/subtitles.py: segmentation of timed words, line breaks, QA rules, file formats,
and ASS text that libass shows literally (rendered by the real ffmpeg, read back by OCR)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pysubs2
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from pipeline import subtitles as subs
from pipeline.errors import MediaError

EN = subs.Rules(max_chars_per_line=42, max_lines=2, max_cps=20)
ZH = subs.Rules(16, 2, 9)

# --- segment_words: a property over random word streams ----------------------------------

NAMES = ["Jinan", "Baotu", "Spring", "Daming", "Lake", "Quancheng", "Shandong", "Mount", "Tai"]
NUMBERS = ["72", "2,000", "3.5", "1990s", "100%", "8"]
PUNCT = ["", "", "", ",", ".", "?", "!", ";", ":", "'s"]


@st.composite
def word_text(draw: st.DrawFn, limit: int) -> str:
    """A word shorter than the line limit: lower case, a capitalised name or a number,
    sometimes with punctuation after it."""
    body = draw(st.one_of(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9).map(str.capitalize),
        st.sampled_from(NAMES),
        st.sampled_from(NUMBERS),
    ))
    word = body + draw(st.sampled_from(PUNCT))
    assume(len(word) < limit)
    return word


@st.composite
def rules_and_words(draw: st.DrawFn) -> tuple[subs.Rules, list[subs.Word]]:
    rules = subs.Rules(
        max_chars_per_line=draw(st.sampled_from([16, 24, 32, 42])),
        max_lines=draw(st.sampled_from([1, 2, 2, 3])),
        max_cps=draw(st.sampled_from([9.0, 17.0, 20.0])),
        min_duration=draw(st.sampled_from([500, 833, 1200])),
        max_duration=draw(st.sampled_from([3000, 5000, 7000])),
        min_gap=draw(st.sampled_from([0, 80, 160])),
    )
    texts = draw(st.lists(word_text(rules.max_chars_per_line), min_size=1, max_size=80))
    words, t = [], draw(st.integers(0, 5000))
    for text in texts:
        t += draw(st.sampled_from([0, 0, 0, 30, 120, 400, 700, 2500]))  # pauses
        length = draw(st.integers(min_value=60, max_value=900))
        words.append(subs.Word(t, t + length, text))
        t += length
    return rules, words


@settings(max_examples=300, deadline=None, database=None)
@given(rules_and_words())
# found by hypothesis: after a split at the clause mark, "aaaaa" + the next word is 17 > 16
@example((subs.Rules(16, 1, 9.0, 500, 3000, 0),
          [subs.Word(0, 60, "a,"), subs.Word(60, 120, "aaaaa"), subs.Word(120, 180, "aaaaaaaaaaa")]))
@example((subs.Rules(42, 2, 17.0, 833, 7000, 80),
          [subs.Word(i * 300, i * 300 + 250, w) for i, w in enumerate(
              "In spring, the water of the seventy-two famous springs of Jinan rises through "
              "limestone and fills Daming Lake".split())]))
def test_segmented_cues_keep_every_rule_and_every_word(case: tuple[subs.Rules, list[subs.Word]]) -> None:
    rules, words = case
    cues = subs.segment_words(words, rules)

    # the words come out in order, none lost or added
    assert subs.join_words([c.flat for c in cues]).split() == [w.text for w in words]
    for cue in cues:
        lines = cue.text.split("\n")
        assert len(lines) <= rules.max_lines, cue
        for line in lines:
            assert line == line.strip() and line, cue
            assert subs.text_length(line) <= rules.max_chars_per_line, cue
        assert 0 < cue.duration <= rules.max_duration, cue
    for a, b in zip(cues, cues[1:]):
        assert b.start - a.end >= rules.min_gap, (a, b)
    # no event of one or two words where its sentence could be grouped otherwise
    assert [f for f in subs.check(cues, rules) if f.rule == "orphan"] == []
    # no cue appears more than the lead-in before its first word is spoken
    spoken = iter(w for w in words if w.text.strip())
    for cue in cues:
        first = next(spoken)
        assert cue.start >= first.start - subs.LEAD_IN_MS, (cue, first)
        for _ in range(len(cue.flat.split()) - 1):
            next(spoken)


CJK_WORDS = st.one_of(
    st.text(alphabet="济南泉城趵突大明湖老街游客春天文化", min_size=1, max_size=4),
    st.sampled_from(["72", "2024年", "CBD", "趵突泉", "大明湖"]),
).flatmap(lambda w: st.sampled_from(["", "", "", "，", "。", "、"]).map(lambda p: w + p))


@st.composite
def cjk_words(draw: st.DrawFn) -> list[subs.Word]:
    words, t = [], 0
    for text in draw(st.lists(CJK_WORDS, min_size=1, max_size=60)):
        t += draw(st.sampled_from([0, 0, 50, 300, 900]))
        length = draw(st.integers(min_value=100, max_value=700))
        words.append(subs.Word(t, t + length, text))
        t += length
    return words


@settings(max_examples=200, deadline=None, database=None)
@given(cjk_words())
def test_segmented_chinese_keeps_the_zh_rules_and_every_character(words: list[subs.Word]) -> None:
    cues = subs.segment_words(words, ZH)
    assert subs.join_words([c.flat for c in cues]) == subs.join_words([w.text for w in words])
    for cue in cues:
        lines = cue.text.split("\n")
        assert len(lines) <= ZH.max_lines, cue
        for i, ch in enumerate(cue.text):  # spaces only between two Latin words or numbers
            assert ch != " " or not (subs.is_cjk_char(cue.text[i - 1])
                                     or subs.is_cjk_char(cue.text[i + 1])), cue
        assert all(subs.text_length(line) <= ZH.max_chars_per_line for line in lines), cue
        assert 0 < cue.duration <= ZH.max_duration, cue
    for a, b in zip(cues, cues[1:]):
        assert b.start - a.end >= ZH.min_gap, (a, b)
    assert [f for f in subs.check(cues, ZH) if f.rule == "orphan"] == []


def test_segmenter_ends_a_cue_at_a_sentence_end_and_a_long_pause() -> None:
    words = [subs.Word(0, 300, "Welcome"), subs.Word(300, 600, "to"), subs.Word(600, 1000, "Jinan."),
             subs.Word(1100, 1500, "Baotu"), subs.Word(1500, 1900, "Spring"),
             subs.Word(3500, 3900, "bubbles"), subs.Word(3900, 4300, "up")]
    cues = subs.segment_words(words, EN)
    assert [c.flat for c in cues] == ["Welcome to Jinan.", "Baotu Spring", "bubbles up"]


# --- break_lines ----------------------------------------------------------------------------

def _balanced_split_and_alternatives(text: str, limit: int) -> tuple[tuple[str, str], int]:
    """The words around the most balanced bottom-heavy break, and how many other breaks keep
    both lines within the limit: the precondition that lets the name and number tests fail."""
    words = text.split()
    splits = [(" ".join(words[:i]), " ".join(words[i:]), i) for i in range(1, len(words))]
    bottom_heavy = [sp for sp in splits if len(sp[1]) >= len(sp[0])]
    best = min(bottom_heavy, key=lambda sp: len(sp[1]) - len(sp[0]))
    others = [sp for sp in splits if sp is not best and max(len(sp[0]), len(sp[1])) <= limit]
    return (words[best[2] - 1], words[best[2]]), len(others)


@pytest.mark.parametrize("text", [
    "Baotu Spring bubbles up in the heart of the old town of Jinan.",
    "People walk along the lake in the evening and listen to the old songs",
])
def test_two_lines_are_balanced_and_bottom_heavy(text: str) -> None:
    top, bottom = subs.break_lines(text, EN).split("\n")
    assert f"{top} {bottom}" == text
    assert len(top) <= len(bottom) <= EN.max_chars_per_line
    assert len(bottom) - len(top) <= 4


def test_of_two_equally_balanced_breaks_the_bottom_heavy_one_wins() -> None:
    # the 30 | "limestone" | 30 split: 30/40 and 40/30 are equally unbalanced
    text = "Clear water rises from the old limestone under the quiet lanes of Jinan"
    assert subs.break_lines(text, EN) == (
        "Clear water rises from the old\nlimestone under the quiet lanes of Jinan")


def test_short_text_stays_on_one_line() -> None:
    assert subs.break_lines("Welcome to Jinan.", EN) == "Welcome to Jinan."
    assert subs.break_lines("Welcome\nto Jinan.", EN) == "Welcome to Jinan."


def test_break_prefers_a_clause_end() -> None:
    text = "After the long winter rains, the springs of the old city rise again"
    top, _bottom = subs.break_lines(text, EN).split("\n")
    assert top.endswith("rains,")


def _two_lines(text: str) -> tuple[tuple[str, str], int, list[str]]:
    """The words around the most balanced split, how many other splits fit, and the two
    lines break_lines chose (each within the line length)."""
    pair, alternatives = _balanced_split_and_alternatives(text, EN.max_chars_per_line)
    lines = subs.break_lines(text, EN).split("\n")
    assert len(lines) == 2 and all(len(line) <= EN.max_chars_per_line for line in lines)
    return pair, alternatives, lines


@pytest.mark.parametrize("text", [
    "Every day visitors walk to Baotu Spring in the heart of old Jinan",
    "Families stroll along Daming Lake near the old west gate too",
])
def test_no_break_inside_a_name(text: str) -> None:
    (left, right), alternatives, lines = _two_lines(text)
    assert left[0].isupper() and right[0].isupper() and alternatives
    assert not (lines[0].endswith(left) and lines[1].startswith(right)), lines


@pytest.mark.parametrize("text", [
    "The old town of Jinan has exactly 72 springs and many lovely lakes to see",
    "The town welcomes about 2,000 visitors at its springs each day",
    "Our guide told us Jinan has 72 springs and a lake full of lotus",
])
def test_no_break_between_a_number_and_its_unit(text: str) -> None:
    (number, unit), alternatives, lines = _two_lines(text)
    assert re.fullmatch(r"[\d,.]+", number) and alternatives
    assert not (lines[0].endswith(number) and lines[1].startswith(unit)), lines


@pytest.mark.parametrize("text", [
    "济南被称为泉城，趵突泉在老城中心涌出，傍晚人们沿着大明湖散步",
    "趵突泉是济南七十二名泉之首，每年吸引大量游客",
    "济南有72个泉，趵突泉在老城中心涌出，傍晚人们",
    "我们在2024年来到济南参观了趵突泉和大明湖",  # digits, then CJK with no punctuation
    "济南的CBD位于城市东部新区和高新技术产业开发区附近",  # a Latin word inside CJK
])
def test_cjk_is_broken_without_spaces(text: str) -> None:
    broken = subs.break_lines(text, ZH)
    lines = broken.split("\n")
    assert len(lines) == 2
    assert " " not in broken
    assert "".join(lines) == text
    assert all(len(line) <= ZH.max_chars_per_line for line in lines), lines
    for run in re.findall(r"[A-Za-z0-9]+", text):  # a number or Latin word stays whole
        assert run in lines[0] or run in lines[1]


# --- QA rules -----------------------------------------------------------------------------

QA = subs.Rules(max_chars_per_line=20, max_lines=2, max_cps=15, min_duration=800,
                max_duration=6000, min_gap=80)


def _rules_found(cues: list[subs.Cue]) -> set[tuple[int, str]]:
    return {(f.index, f.rule) for f in subs.check(cues, QA)}


def test_check_passes_a_clean_file() -> None:
    cues = [subs.Cue(0, 2000, "Welcome to Jinan."), subs.Cue(2100, 4000, "The City\nof Springs.")]
    assert subs.check(cues, QA) == []


@pytest.mark.parametrize(("cue", "rule"), [
    (subs.Cue(10_000, 14_000, "one\ntwo\nthree"), "max_lines"),
    (subs.Cue(10_000, 14_000, "a line far longer than twenty"), "max_chars_per_line"),
    (subs.Cue(10_000, 11_000, "twenty letters here\nand more again"), "max_cps"),
    (subs.Cue(10_000, 10_500, "Hi."), "min_duration"),
    (subs.Cue(10_000, 16_500, "Baotu Spring."), "max_duration"),
    (subs.Cue(2_030, 4_000, "Too close."), "min_gap"),
    (subs.Cue(10_000, 9_000, "Backwards."), "duration"),
])
def test_check_finds_each_rule_violation(cue: subs.Cue, rule: str) -> None:
    cues = [subs.Cue(0, 2000, "Welcome to Jinan."), cue]
    found = subs.check(cues, QA)
    assert (2, rule) in {(f.index, f.rule) for f in found}
    assert all(f.index == 2 for f in found)  # the clean first event is not blamed
    assert all(f.detail for f in found)


def test_check_accepts_a_gap_of_exactly_the_minimum() -> None:
    cues = [subs.Cue(0, 2000, "Welcome to Jinan."), subs.Cue(2080, 4000, "The City of Springs.")]
    assert _rules_found(cues) == set()


# --- ASS: text is shown literally --------------------------------------------------------

LITERAL = ["{\\fs200}Big", "one\\Ntwo"]


@pytest.mark.parametrize("text", LITERAL + ["{\\an8}top", "a\\hb {x} \\{y\\}", "C:\\new"])
def test_escaped_ass_has_no_override_block_or_line_break(text: str) -> None:
    style = subs.AssStyle(640, 360, "DejaVu Sans", 30, 20, 2.0, 0.0)
    parsed = pysubs2.SSAFile.from_string(subs.ass_text([subs.Cue(0, 1000, text)], style))
    (event,) = parsed.events
    # libass starts an override block at "{" and breaks at \N, \n; \h is a hard space.
    # After escaping, every "{" and "}" is preceded by a backslash, and no backslash is
    # directly followed by N, n or h.
    assert not re.search(r"(?<!\\)[{}]", event.text)
    assert not re.search(r"\\[Nnh]", event.text)
    assert event.text.replace("\\{", "{").replace("\\}", "}").replace("\u2060", "") == text
    assert (event.start, event.end) == (0, 1000)


def _ocr_render(tmp_path: Path, ass: str) -> str:
    (tmp_path / "subs.ass").write_text(ass, encoding="utf-8")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=960x240:d=1",
                    "-vf", "ass=filename=subs.ass", "-frames:v", "1", "frame.png"],
                   cwd=tmp_path, check=True, capture_output=True)
    ocr = subprocess.run(["tesseract", "frame.png", "-", "--psm", "6"], cwd=tmp_path,
                         check=True, capture_output=True, text=True)
    return " ".join(ocr.stdout.split())


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
@pytest.mark.parametrize("text", LITERAL)
def test_escaped_ass_renders_literally(tmp_path: Path, text: str) -> None:
    style = subs.AssStyle(960, 240, "DejaVu Sans", 48, 40, 2.0, 0.0)
    assert _ocr_render(tmp_path, subs.ass_text([subs.Cue(0, 2000, text)], style)) == text


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_unescaped_ass_would_not_render_literally(tmp_path: Path) -> None:
    """Control for the OCR check above: libass does interpret the raw text."""
    style = subs.AssStyle(960, 240, "DejaVu Sans", 48, 40, 2.0, 0.0)
    ass = subs.ass_text([subs.Cue(0, 2000, "one two")], style).replace("one two", "one\\Ntwo")
    assert _ocr_render(tmp_path, ass) == "one two"


# --- SRT / VTT ----------------------------------------------------------------------------

line_text = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 ,.!?'\"-&{}()%") + ["济", "南", "泉", "é", "ã", "ç", "ي"]),
    min_size=1, max_size=30,
).map(str.strip).filter(lambda s: bool(s) and not s.isdigit())


@st.composite
def cue_lists(draw: st.DrawFn) -> list[subs.Cue]:
    cues, t = [], draw(st.integers(0, 10_000))
    for _ in range(draw(st.integers(1, 6))):
        t += draw(st.integers(0, 5_000))
        length = draw(st.integers(1, 20_000))
        lines = draw(st.lists(line_text, min_size=1, max_size=2))
        cues.append(subs.Cue(t, t + length, "\n".join(lines)))
        t += length
    return cues


@settings(max_examples=150, deadline=None, database=None)
@given(cue_lists())
def test_srt_round_trip_keeps_times_and_text(tmp_path_factory: pytest.TempPathFactory,
                                             cues: list[subs.Cue]) -> None:
    path = tmp_path_factory.mktemp("srt") / "subtitles.srt"
    path.write_text(subs.srt_text(cues), encoding="utf-8")
    assert subs.load_srt(path) == cues


@settings(max_examples=150, deadline=None, database=None)
@given(cue_lists())
def test_vtt_keeps_times_and_text(cues: list[subs.Cue]) -> None:
    text = subs.vtt_text(cues)
    assert text.startswith("WEBVTT")
    parsed = pysubs2.SSAFile.from_string(text, format_="vtt")
    assert [(e.start, e.end, html.unescape(e.text.replace("\\N", "\n"))) for e in parsed] == [
        (c.start, c.end, c.text) for c in cues]


def test_vtt_writes_markup_characters_as_entities(tmp_path: Path) -> None:
    """In WebVTT, "<3" opens a tag and "&" an entity: players would hide or garble them."""
    cues = [subs.Cue(0, 1500, "Rock & Roll <3"), subs.Cue(2000, 3000, "a > b")]
    text = subs.vtt_text(cues)
    assert "Rock &amp; Roll &lt;3" in text and "a &gt; b" in text
    (tmp_path / "s.vtt").write_text(text, encoding="utf-8")
    assert subs.load_vtt(tmp_path / "s.vtt") == cues


def test_srt_times_are_exact_milliseconds(tmp_path: Path) -> None:
    cues = [subs.Cue(1, 999, "a"), subs.Cue(3_599_999, 3_600_001, "b"), subs.Cue(36_000_000, 36_000_123, "c")]
    text = subs.srt_text(cues)
    assert "00:00:00,001 --> 00:00:00,999" in text
    assert "00:59:59,999 --> 01:00:00,001" in text
    assert "10:00:00,000 --> 10:00:00,123" in text
    (tmp_path / "s.srt").write_text(text, encoding="utf-8")
    assert subs.load_srt(tmp_path / "s.srt") == cues


def test_srt_keeps_backslashes_literally(tmp_path: Path) -> None:
    """A literal backslash sequence in a line (a path, an emoticon) is text, not a line break."""
    cues = [subs.Cue(0, 2000, "saved in C:\\new\\hosts"), subs.Cue(2500, 4000, "one\\Ntwo")]
    (tmp_path / "s.srt").write_text(subs.srt_text(cues), encoding="utf-8")
    assert subs.load_srt(tmp_path / "s.srt") == cues


def test_hand_edited_srt_keeps_braces_and_drops_html_styling(tmp_path: Path) -> None:
    (tmp_path / "edited.srt").write_text(
        "1\n00:00:01,000 --> 00:00:02,500\n<i>Baotu</i> Spring {\\fs200}\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nDaming\nLake\n", encoding="utf-8")
    assert subs.load_srt(tmp_path / "edited.srt") == [
        subs.Cue(1000, 2500, "Baotu Spring {\\fs200}"), subs.Cue(3000, 4000, "Daming\nLake")]


def test_unreadable_srt_is_a_media_error_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.srt"
    bad.write_bytes(b"\xff\xfe\x00garbage\x00\x81")
    with pytest.raises(MediaError, match="bad.srt"):
        subs.load_srt(bad)


def test_a_slow_to_read_event_leads_in_into_free_time_and_no_further() -> None:
    """Portuguese runs longer than the English slot: the event appears a little before the
    speech rather than breaking the reading speed, but never over the previous event."""
    rules = subs.Rules(42, 2, 17.0, 833, 7000, 80)
    long = "Subterrâneo, flui para o norte até\nque a rocha dura o empurra para cima."
    need = subs.text_length(long) * 1000 / 17
    before, after = subs.Cue(0, 4041, "Chuva nas colinas."), subs.Cue(8483, 12000, "É assim.")
    cues = subs.fix_timing([before, subs.Cue(4503, 8403, long), after], rules)
    assert cues[1].end == 8403 and cues[1].duration >= need
    assert 4503 - subs.LEAD_IN_MS <= cues[1].start < 4503
    assert subs.check(cues, rules) == []
    busy = subs.Cue(8483, 12000, "É assim que Nascente Baotu e\nNascente do Tigre Negro nascem.")
    crowded = subs.fix_timing([subs.Cue(0, 4400, "Chuva nas colinas."), subs.Cue(4503, 8403, long),
                               busy], rules)
    assert crowded[1].start == 4400 + rules.min_gap  # only the free time is taken
    assert [f.rule for f in subs.check(crowded, rules)] == ["max_cps"]  # and the rest reported


def test_a_sentence_split_in_two_events_shares_its_time_by_reading_need() -> None:
    """The first half is slightly too fast, the second has time to spare: the boundary moves."""
    rules = subs.Rules(42, 2, 17.0, 833, 7000, 80)
    first = subs.Cue(20864, 23832, "A água da nascente flui\npara o norte em Lago Daming,")
    second = subs.Cue(23912, 25795, "anel por salgueiros e pavilhões.")
    after = subs.Cue(26055, 29820, "Ao sul, a Montanha dos Mil Budas\noferece templos e amplas vistas.")
    before = subs.Cue(16960, 20784, "Nascente do Tigre Negro derrama\nde três cabeças de tigre de pedra.")
    assert [f.index for f in subs.check([before, first, second, after], rules)] == [2]
    shared = subs.fix_timing([before, first, second, after], rules)
    assert subs.check(shared, rules) == []
    assert shared[1].start == first.start and shared[2].start - shared[1].end == rules.min_gap
    assert 0 < shared[2].start - second.start <= subs.LEAD_IN_MS


@pytest.mark.parametrize("text", [
    "Visitors come every year to see the spring and the lake in the old town",
    "The spring water flows north into the lake beside the old city walls",
])
def test_a_line_does_not_end_on_an_article_or_a_preposition(text: str) -> None:
    top, bottom = subs.break_lines(text, EN).split("\n")
    assert top.split()[-1] not in subs.FUNCTION_WORDS, (top, bottom)
    assert len(top) <= len(bottom) <= EN.max_chars_per_line


def test_an_event_split_does_not_end_on_a_preposition() -> None:
    from pipeline.translation.sentences import split_proportionally

    text = "A água da nascente flui para o norte em Lago Daming, anel por salgueiros e pavilhões."
    first, second = split_proportionally(text, [1, 1])
    assert first.endswith("Lago Daming,") and second.startswith("anel")
