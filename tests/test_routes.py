"""The translation route of a version: a human translation wins, the source's own language is
the source, `translate.pivot` makes the other languages from a provided pivot translation."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.translation.routes import Route, choose_route

EN = Path("assets/translations/clip.en.srt")
PT = Path("assets/translations/clip.pt.srt")


@pytest.mark.parametrize(("source", "target", "provided", "pivot", "want"), [
    # the Chinese sample: zh source, a human English translation, pivot en
    ("zh", "zh", {"en": EN}, "en", Route("source", "zh")),
    ("zh", "en", {"en": EN}, "en", Route("provided", "en", EN)),
    ("zh", "pt", {"en": EN}, "en", Route("pivot", "en", EN, via="en")),
    # a human translation of the target still wins over the pivot
    ("zh", "pt", {"en": EN, "pt": PT}, "en", Route("provided", "pt", PT)),
    # no pivot configured, or no pivot file for this video: from the source
    ("zh", "pt", {"en": EN}, None, Route("machine", "zh")),
    ("zh", "pt", {}, "en", Route("machine", "zh")),
    # an English source keeps translating its own transcript (the pivot is its language)
    ("en", "pt", {"en": EN}, "en", Route("machine", "en")),
    ("en", "en", {"en": EN}, "en", Route("provided", "en", EN)),
    # regional codes compare by base language
    ("pt-BR", "pt", {}, "en", Route("source", "pt-BR")),
    ("zh", "en-GB", {"en-GB": EN}, "en", Route("provided", "en-GB", EN)),
])
def test_choose_route(source: str, target: str, provided: dict[str, Path], pivot: str | None,
                      want: Route) -> None:
    assert choose_route(source, target, provided, pivot) == want


def test_route_record_names_how_the_version_was_made() -> None:
    assert Route("pivot", "en", EN, via="en").record() == {
        "method": "pivot", "from": "en", "via": "en", "file": str(EN)}
    assert Route("machine", "zh").record() == {"method": "machine", "from": "zh"}


def test_the_screen_subtitles_are_a_translation_a_provided_file_still_wins() -> None:
    """Bilingual burned-in subtitles: the screen's English is en's translation and pt's
    pivot; a provided file beats the screen; the source's own language stays `source`."""
    scan = Path("outputs/v/source/onscreen.json")
    screen = {"en": scan}
    assert choose_route("zh", "en", {}, "en", screen) == Route("screen", "en", scan, screen=True)
    assert choose_route("zh", "pt", {}, "en", screen) == Route("pivot", "en", scan, via="en",
                                                                screen=True)
    mine = Path("translations/v.en.srt")
    assert choose_route("zh", "en", {"en": mine}, "en", screen).method == "provided"
    assert choose_route("zh", "pt", {"en": mine}, "en", screen).source_file == mine
    assert choose_route("zh", "zh", {}, "en", {"zh": scan}).method == "source"
