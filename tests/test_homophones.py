"""Homophone repair of Chinese recognition against the glossary: what is repaired, what is
left as heard (ordinary words that share a name's sound), and word timings after a repair."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import subtitles as subs
from pipeline.language.glossary import Term, load_glossary
from pipeline.transcription.homophones import find_repairs, repair_text, repair_words

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def terms() -> list[Term]:
    return load_glossary(ROOT / "assets" / "glossary.csv")


def test_the_issues_homophones_are_repaired(terms: list[Term]) -> None:
    heard = "欢迎来到吉南,吉南被称为全城,暴凸全的泉水从地下涌出,大名湖就在旁边,浮荣街很热闹。"
    fixed, repairs = repair_text(heard, terms)
    assert fixed == "欢迎来到济南,济南被称为泉城,趵突泉的泉水从地下涌出,大明湖就在旁边,芙蓉街很热闹。"
    assert [(r.heard, r.written, r.pinyin) for r in repairs] == [
        ("吉南", "济南", "ji nan"), ("吉南", "济南", "ji nan"), ("全城", "泉城", "quan cheng"),
        ("暴凸全", "趵突泉", "bao tu quan"), ("大名湖", "大明湖", "da ming hu"),
        ("浮荣街", "芙蓉街", "fu rong jie")]
    assert all(r.applied for r in repairs)
    assert [r.position for r in repairs] == [4, 7, 12, 15, 27, 35]
    record = repairs[0].record()
    assert record == {"position": 4, "from": "吉南", "to": "济南", "pinyin": "ji nan",
                      "term": "Jinan", "applied": True, "reason": "sounds like 济南"}


@pytest.mark.parametrize("sentence", [
    "节日的晚上，全城的人都来到芙蓉街。",  # 全城: the whole city
    "我们全程步行，一点也不累。",  # 全程: the whole way
    "山洞里很凉快。",  # 山洞 (shan dong): a cave
    "这是一个极难的问题。",  # 极难 (ji nan): very hard
    "他去过上海以及南京。",  # 以及南京 holds 及南 (ji nan) across two words
    "济南全城停电了。",  # all of Jinan: 全城 after the name, not before it
])
def test_ordinary_words_sharing_a_names_sound_are_left_as_heard(terms: list[Term], sentence: str) -> None:
    fixed, repairs = repair_text(sentence, terms)
    assert fixed == sentence
    assert all(not r.applied for r in repairs)


def test_a_word_left_as_heard_is_still_reported_for_the_editor(terms: list[Term]) -> None:
    _, repairs = repair_text("节日的晚上，全城的人都来了。", terms)
    assert len(repairs) == 1 and not repairs[0].applied
    assert repairs[0].record()["to"] == "泉城" and "left as heard" in repairs[0].reason


@pytest.mark.parametrize(("heard", "want"), [
    ("济南被称为全城。", "济南被称为泉城。"),  # after a naming verb
    ("济南素有“全城”之称。", "济南素有“泉城”之称。"),  # quoted, and before 之称
    ("可以看到全城几南。", "可以看到泉城济南。"),  # a nickname right before the name
])
def test_a_word_is_repaired_where_the_sentence_names_it(terms: list[Term], heard: str, want: str) -> None:
    assert repair_text(heard, terms)[0] == want


def test_names_already_right_and_other_text_are_untouched(terms: list[Term]) -> None:
    text = "济南被称为泉城，趵突泉在老城中心。Baotu Spring, 2024年。"
    assert repair_text(text, terms) == (text, [])


def test_only_mandarin_is_repaired(terms: list[Term]) -> None:
    japanese = [Term("Jinan", {"ja": "済南", "zh": "济南"})]
    assert repair_text("吉南に行きます", japanese, "ja") == ("吉南に行きます", [])
    assert repair_text("来到吉南", terms, "zh-CN")[0] == "来到济南"


def test_hu_heard_for_fu_is_repaired_in_longer_names_only(terms: list[Term]) -> None:
    assert repair_text("晚上去湖蓉街吃小吃", terms)[0] == "晚上去芙蓉街吃小吃"
    fuzhou = [Term("Fuzhou", {"zh": "福州"})]
    assert repair_text("我们去湖州看看", fuzhou)[0] == "我们去湖州看看"  # two characters: no


def test_fuzzy_initials_and_finals_are_off_unless_asked(terms: list[Term]) -> None:
    assert repair_text("我们去千佛删看看", terms)[0] == "我们去千佛山看看"  # tones only differ
    near = "晚上去福龙街"  # long (rong -> long) is no merger we allow
    assert repair_text(near, terms)[0] == near
    assert repair_text(near, terms, fuzzy=True)[0] == near
    zsame = [Term("Zhongshan Road", {"zh": "中山路"})]
    assert repair_text("我在宗山路等你", zsame)[0] == "我在宗山路等你"
    assert repair_text("我在宗山路等你", zsame, fuzzy=True)[0] == "我在中山路等你"


def words_of(chars: list[tuple[str, int, int]]) -> list[subs.Word]:
    return [subs.Word(a, b, t) for t, a, b in chars]


def test_timed_words_merge_into_the_term_keeping_their_times(terms: list[Term]) -> None:
    heard = words_of([("欢", 0, 100), ("迎", 100, 200), ("来", 200, 300), ("到吉", 300, 500),
                      ("南,", 500, 700), ("暴", 800, 900), ("凸", 900, 1000), ("全", 1000, 1200),
                      ("的", 1200, 1300)])
    fixed, repairs = repair_words(heard, terms)
    assert [w.text for w in fixed] == ["欢", "迎", "来", "到", "济南,", "趵突泉", "的"]
    assert fixed[3] == subs.Word(300, 400, "到")  # its share of 到吉 by characters
    assert fixed[4] == subs.Word(400, 700, "济南,")  # the comma stays on the name
    assert fixed[5] == subs.Word(800, 1200, "趵突泉")
    assert [(r.start, r.end) for r in repairs] == [(400, 700), (800, 1200)]
    assert subs.join_words([w.text for w in fixed]) == "欢迎来到济南,趵突泉的"


def test_a_suggestion_keeps_its_words(terms: list[Term]) -> None:
    heard = words_of([("全", 0, 100), ("城", 100, 200), ("的", 200, 300), ("人", 300, 400)])
    fixed, repairs = repair_words(heard, terms)
    assert fixed == heard
    assert [(r.applied, r.start, r.end) for r in repairs] == [(False, 0, 200)]


# common characters, and characters that sound like the glossary's names
HAN = st.sampled_from(list(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能"
    "下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量"
    "都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各"
    "吉济几极及挤寂南难男全泉权犬群城程成称暴报趵凸突图大明名鸣湖胡虎千前签佛福浮服芙蓉荣容街界"
    "接山删东洞冬黑以及京"))


@settings(max_examples=150, deadline=None)
@given(st.lists(HAN, min_size=0, max_size=30))
def test_repair_keeps_length_and_only_writes_glossary_forms(chars: list[str]) -> None:
    terms = load_glossary(ROOT / "assets" / "glossary.csv")
    text = "".join(chars)
    fixed, repairs = repair_text(text, terms)
    assert len(fixed) == len(text)
    for r in repairs:
        assert text[r.position:r.position + len(r.heard)] == r.heard
        assert fixed[r.position:r.position + len(r.written)] == (r.written if r.applied else r.heard)
    changed = [i for i, (a, b) in enumerate(zip(text, fixed)) if a != b]
    covered = {i for r in repairs if r.applied for i in range(r.position, r.position + len(r.written))}
    assert set(changed) <= covered
    assert find_repairs(fixed, terms) == [r for r in find_repairs(fixed, terms) if not r.applied]
