"""Chinese text through the subtitle chain: words as break candidates (jieba), names and words
never broken inside, Latin runs kept whole, sentences for MT ending on 。！？；."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import subtitles as subs
from pipeline.engines.asr.base import AsrWord
from pipeline.engines.asr.words import tidy_words
from pipeline.translation.sentences import group_sentences, split_proportionally
from pipeline.subtitles.text import cjk_words, tokens

ZH = subs.Rules(max_chars_per_line=16, max_cps=9)
NAMES = ["济南", "泉城", "趵突泉", "大明湖", "黑虎泉", "千佛山", "芙蓉街", "山东"]
WORDS = ["地下", "泉水", "涌出", "老城", "中心", "傍晚", "人们", "沿着", "散步", "欢迎", "来到",
         "晚上", "大家", "喜欢", "小吃", "游客", "看到", "整个", "城市", "春天"]
FILLER = ["的", "在", "从", "去", "和", "是", "，", "。", "吃", "看"]


def test_words_are_break_candidates() -> None:
    assert tokens("趵突泉的泉水从地下涌出，流进大明湖。") == [
        "趵突泉", "的", "泉水", "从", "地下", "涌出，", "流", "进", "大明湖。"]
    assert tokens("我们今天去趵突泉看看") == ["我们", "今天", "去", "趵突泉", "看看"]


def test_a_name_jieba_does_not_know_keeps_its_place_word() -> None:
    assert "芙蓉街" in tokens("晚上大家喜欢去芙蓉街吃小吃")
    assert "黑虎泉" in tokens("附近的黑虎泉从石头虎头中流出")


def test_punctuation_and_quotes_stay_on_their_word() -> None:
    assert tokens("济南被称为“泉城”。") == ["济南", "被", "称为", "“泉城”。"]
    assert tokens("（注）他说：“好。”") == ["（注）", "他", "说：", "“好。”"]


def test_latin_and_number_runs_stay_whole() -> None:
    assert tokens("去Baotu泉在2024年，涨了10.5%") == [
        "去", "Baotu泉", "在", "2024", "年，", "涨", "了", "10.5%"]
    assert cjk_words("CBD的") == ["CBD", "的"]


def test_japanese_falls_back_to_glyphs() -> None:
    assert tokens("東京タワー") == ["東", "京", "タ", "ワ", "ー"]


def test_line_break_falls_between_words() -> None:
    for text in ["趵突泉的泉水从地下涌出，流进大明湖。",
                 "城南的千佛山可以看到整个城市，晚上大家喜欢去芙蓉街吃小吃。",
                 "清澈的泉水从地下涌出汇入大明湖"]:
        lines = subs.break_lines(text, ZH).split("\n")
        assert all(subs.text_length(line) <= 16 for line in lines), lines
        for line in lines[:-1]:
            assert not line.endswith(("地", "趵", "趵突", "大明", "芙蓉", "千佛")), lines


tokens_ = st.lists(st.sampled_from(NAMES + WORDS + FILLER), min_size=4, max_size=16)


@settings(max_examples=200, deadline=None)
@given(tokens_)
def test_no_line_break_or_split_inside_a_name(parts: list[str]) -> None:
    """Names are never cut, wherever they stand. (Ordinary words follow the dictionary's
    segmentation, which may read a run another way than it was put together: 看来到 is
    看来|到 or 看|来到.)"""
    text = "".join(parts)
    broken = subs.break_lines(text, ZH)
    assert broken.replace("\n", "") == text
    pieces = split_proportionally(text, [1, 1, 1])
    assert "".join(pieces) == text
    cuts = {len(broken.split("\n")[0])} | {len("".join(pieces[:k])) for k in (1, 2)}
    start = 0
    for part in parts:
        if part in NAMES:
            assert not any(start < c < start + len(part) for c in cuts), (text, broken, pieces)
        start += len(part)


def test_sentences_for_mt_end_on_chinese_marks() -> None:
    cues = [subs.Cue(0, 1000, "济南被称为泉城；"), subs.Cue(1000, 2000, "趵突泉的泉水"),
            subs.Cue(2000, 3000, "从地下涌出。”"), subs.Cue(3000, 4000, "真的吗？"),
            subs.Cue(4000, 5000, "太好了！"), subs.Cue(5000, 6000, "晚上，"),
            subs.Cue(6000, 7000, "去芙蓉街")]
    assert group_sentences(cues) == [[0], [1, 2], [3], [4], [5, 6]]
    english = [subs.Cue(0, 1000, "It rises; then"), subs.Cue(1000, 2000, "it flows north.")]
    assert group_sentences(english) == [[0, 1]]


def test_latin_pieces_from_whisper_are_joined_into_words() -> None:
    # faster-whisper's words for Chinese are its tokens; a new Latin word starts with a space
    raw = [AsrWord(0.0, 0.2, "欢"), AsrWord(0.2, 0.4, "迎"), AsrWord(0.4, 0.6, " Ba"),
           AsrWord(0.6, 0.7, "ot"), AsrWord(0.7, 0.8, "u", 0.5), AsrWord(0.8, 1.0, " Spring"),
           AsrWord(1.0, 1.2, "泉,"), AsrWord(1.2, 1.4, "20"), AsrWord(1.4, 1.5, "24"),
           AsrWord(1.5, 1.6, "年")]
    tidy = tidy_words(raw, "zh")
    assert [w.space_before for w in tidy] == [False, False, True, False, False, True, False,
                                             False, False, False]
    words = subs.written_words([subs.Word(int(w.start * 1000), int(w.end * 1000), w.text,
                                          attached=not w.space_before) for w in tidy])
    assert [w.text for w in words] == ["欢", "迎", "Baotu", "Spring", "泉，", "2024", "年"]
    assert (words[2].start, words[2].end) == (400, 800)
    assert subs.join_words([w.text for w in words]) == "欢迎Baotu Spring泉，2024年"
    assert [w.text for w in tidy_words([AsrWord(0, 1, " 10.5"), AsrWord(1, 2, " Hi,")], "zh")] == [
        "10.5", "Hi,"]
    english = [AsrWord(0, 1, " Baotu"), AsrWord(1, 2, " Spring,")]
    assert [w.text for w in tidy_words(english, "en")] == ["Baotu", "Spring,"]


def test_jieba_loads_lazily_and_quietly() -> None:
    code = ("import sys; from pipeline import subtitles as s; from pipeline.translation import sentences; "
            "assert 'jieba' not in sys.modules; s.break_lines('Jinan is the City of Springs.', "
            "s.Rules()); assert 'jieba' not in sys.modules; "
            "print(s.break_lines('趵突泉的泉水从地下涌出，流进大明湖。', s.Rules(max_chars_per_line=16)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().split("\n") == ["趵突泉的泉水从地下", "涌出，流进大明湖。"]
    assert done.stderr == ""


def test_a_segment_of_one_repeated_glyph_is_a_hallucination() -> None:
    from pipeline.engines.asr.whisper_ct2 import likely_hallucination, repetitive

    # what base wrote for the ambient bed after the demo's Chinese speech (ratio 2.25)
    assert likely_hallucination(0.44, -1.38, 2.25, "请您您您您您您您您您您您")
    assert not likely_hallucination(0.0, -0.15, 1.16, "欢迎来到济南, 济南被称为泉城。")
    assert not repetitive("谢谢谢谢") and not repetitive("no no no no no, he said, it is not what we wanted")


def test_whisper_credits_over_the_silence_after_speech_are_dropped() -> None:
    """作词作曲 ("lyrics, music"): what base wrote over the second of silence after the
    burned-in clip's last line, in one fresh-clone run; a line that merely names a composer
    stays."""
    from pipeline.engines.asr.whisper_ct2 import credits, likely_hallucination

    assert likely_hallucination(0.1, -0.3, 1.0, "作词作曲")
    assert credits("Thanks for watching!") and credits("字幕由Amara.org社区提供")
    assert not credits("作曲家贝多芬出生在波恩") and not credits("济南被称为泉城")
