"""Glossary matching by script: substring for Chinese, Japanese and Thai forms, whole words for
spaced scripts; in finding, protecting, the lost-term check and name respelling."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.language.glossary import (
    Term,
    asr_prompt,
    correct_names,
    find_terms,
    load_glossary,
    occurrences,
    protect_terms,
    term_present,
)

CSV = """term,en,pt,zh,ja,th,note
Jinan,Jinan,Jinan,济南,済南,จี่หนาน,city
City of Springs,City of Springs,Cidade das Nascentes,泉城,泉の都,,nickname
Baotu Spring,Baotu Spring,Nascente Baotu,趵突泉,趵突泉,,spring
Daming Lake,Daming Lake,Lago Daming,大明湖,大明湖,,lake
Furong Street,Furong Street,Rua Furong,芙蓉街,芙蓉街,,street
Tokyo Tower,Tokyo Tower,Torre de Tóquio,东京塔,東京タワー,,tower
"""


@pytest.fixture()
def terms(tmp_path: Path) -> list[Term]:
    path = tmp_path / "glossary.csv"
    path.write_text(CSV, encoding="utf-8")
    return load_glossary(path)


def names(found: list[Term]) -> list[str]:
    return [t.term for t in found]


def test_chinese_terms_are_found_inside_unspaced_text(terms: list[Term]) -> None:
    assert names(find_terms("我们今天去趵突泉看看", terms, "zh")) == ["Baotu Spring"]
    assert names(find_terms("济南被称为泉城，大明湖就在旁边。", terms, "zh")) == [
        "Jinan", "City of Springs", "Daming Lake"]
    assert find_terms("我们今天去公园看看", terms, "zh") == []


def test_japanese_and_thai_terms_are_found_inside_text(terms: list[Term]) -> None:
    assert names(find_terms("済南は泉の都と呼ばれています。", terms, "ja")) == ["Jinan", "City of Springs"]
    assert names(find_terms("夜の東京タワーはきれいです", terms, "ja")) == ["Tokyo Tower"]
    assert names(find_terms("ยินดีต้อนรับสู่จี่หนานครับ", terms, "th")) == ["Jinan"]


def test_spaced_scripts_stay_whole_word(terms: list[Term]) -> None:
    assert find_terms("The Jinanese dialect is soft.", terms, "en") == []
    assert names(find_terms("Welcome to Jinan, the capital.", terms, "en")) == ["Jinan"]
    assert names(find_terms("welcome to JINAN!", terms, "en")) == ["Jinan"]
    assert not term_present("Jinanese", "Jinan", "en")
    assert not term_present("MaJinan", "Jinan", "en")


def test_a_latin_form_inside_chinese_text_is_a_whole_word(terms: list[Term]) -> None:
    assert term_present("我们去Jinan看看", "Jinan", "zh")
    assert not term_present("我们去Jinanese看看", "Jinan", "zh")
    assert list(occurrences("去Jinan看,Jinan.", "Jinan")) == [(1, 6), (8, 13)]


def test_lost_term_check_on_chinese_and_japanese_translations(terms: list[Term]) -> None:
    baotu = next(t for t in terms if t.term == "Baotu Spring")
    assert term_present("我们今天去趵突泉看看", baotu.form("zh"), "zh")
    assert not term_present("我们今天去暴突泉看看", baotu.form("zh"), "zh")
    assert term_present("明日は趵突泉に行きます", baotu.form("ja"), "ja")
    assert term_present("Vamos à Nascente Baotu hoje.", baotu.form("pt"), "pt")
    assert not term_present("Vamos à Nascente Baotus hoje.", baotu.form("pt"), "pt")


def test_protection_replaces_chinese_terms_with_the_target_form(terms: list[Term]) -> None:
    assert protect_terms("我们今天去趵突泉看看", terms, "zh", "pt") == "我们今天去 Nascente Baotu 看看"
    assert protect_terms("济南被称为泉城。", terms, "zh", "en") == "Jinan 被称为 City of Springs。"
    assert protect_terms("泉城的趵突泉", terms, "zh", "ja") == "泉の都的趵突泉"
    assert protect_terms("済南は泉の都です", terms, "ja", "en") == "Jinan は City of Springs です"


def test_protection_into_chinese_and_whole_words_in_english(terms: list[Term]) -> None:
    assert protect_terms("Baotu Spring bubbles up in Jinan.", terms, "en", "zh") == "趵突泉 bubbles up in 济南."
    assert protect_terms("Jinanese food", terms, "en", "zh") == "Jinanese food"


def test_asr_prompt_uses_the_speech_language_forms(terms: list[Term]) -> None:
    assert asr_prompt(terms, "en") == ("Glossary: Jinan, City of Springs, Baotu Spring, Daming Lake, "
                                       "Furong Street, Tokyo Tower.")
    zh = asr_prompt(terms, "zh")
    assert zh == "Glossary: 济南, 泉城, 趵突泉, 大明湖, 芙蓉街, 东京塔."  # measured best
    assert not set(zh) & set("，。、"), zh  # full-width marks made Whisper emit ４ and U+FFFD
    assert asr_prompt(terms, "ja") == "Glossary: 済南, 泉の都, 趵突泉, 大明湖, 芙蓉街, 東京タワー."
    assert asr_prompt([Term("Jinan", {"en": "Jinan"})], "zh") is None  # no Chinese form: none


def test_name_respelling_leaves_unspaced_languages_to_the_homophone_repair(terms: list[Term]) -> None:
    words = list("欢迎来到吉南")
    assert correct_names(words, terms, "zh") == words
    assert correct_names("In Jinnan tonight".split(), terms, "en") == ["In", "Jinan", "tonight"]
