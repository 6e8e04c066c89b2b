"""Bilingual burned-in subtitles (issue 20): a Mandarin clip whose picture carries each line
in Chinese over its English translation. The English lines are the en version's human
translation (route `screen`, recorded) and the pivot pt is machine-translated from them;
each version covers both lines and burns its own. One real run serves every test."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from pipeline import subtitles as subs
from tests import mediatools as mt
from tests.conftest import RunResult, run_pipeline

SENTENCES = ["济南被称为泉城", "趵突泉的泉水从地下涌出"]
ENGLISH = ["Jinan is called the City of Springs",
           "Water from Baotu Spring rises from underground"]
GLOSSARY = """term,en,pt,zh,note
Jinan,Jinan,Jinan,济南,city
City of Springs,City of Springs,Cidade das Nascentes,泉城,
Baotu Spring,Baotu Spring,Nascente Baotu,趵突泉,
"""
SIZE = (854, 480)
VIDEO = "quancheng_bilingual"


@dataclass
class Bilingual:
    root: Path
    burned: list[mt.Burned]
    run: RunResult

    def version(self, lang: str) -> Path:
        return self.root / "outputs" / VIDEO / lang

    def state(self, stage: str, lang: str) -> dict[str, Any]:
        path = self.root / "outputs" / VIDEO / ".state" / f"{stage}.{lang}.json"
        return json.loads(path.read_text("utf-8"))


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> Bilingual:
    root = tmp_path_factory.mktemp("bilingual")
    (root / "media").mkdir()
    plain, _, placed = mt.zh_clip(root, SENTENCES, SIZE)
    burned = []
    for p, english in zip(placed, ENGLISH):
        burned += [mt.Burned(p.text, "subtitle_upper", p.start - 0.1, p.end + 0.3),
                   mt.Burned(english, "subtitle_lower", p.start - 0.1, p.end + 0.3)]
    mt.burn_text(plain, root / "media" / f"{VIDEO}.mp4", burned, SIZE)
    (root / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
    config = {
        "inputs": ["media/*.mp4"], "output_dir": "outputs", "source_language": "zh",
        "languages": ["en", "pt"], "transcribe": {"model": "auto"},
        "translate": {"glossary": "glossary.csv", "pivot": "en"},
        "narration": {"mode": "none"}, "subtitles": {"size": 0.06},
        "render": {"profiles": {"landscape": {"width": SIZE[0], "height": SIZE[1]}},
                   "crf": 28, "preset": "superfast"},
        "scan": {"engine": "rapidocr"}, "executor": {"jobs": 1},
    }
    (root / "pipeline.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return Bilingual(root, burned, run_pipeline(root / "pipeline.yaml"))


def test_the_english_line_on_screen_is_the_en_translation(bilingual: Bilingual) -> None:
    assert bilingual.run.code == 0, bilingual.run.stderr
    cues = subs.load_srt(bilingual.version("en") / "subtitles.srt")
    assert [c.flat for c in cues] == ENGLISH
    onscreen = f"outputs/{VIDEO}/source/onscreen.json"
    assert bilingual.state("translate", "en")["extra"]["route"] == {
        "method": "screen", "from": None, "file": onscreen, "screen": True}
    # pt is machine-translated from the screen's English (no offline engine reads Chinese)
    pt = bilingual.state("translate", "pt")["extra"]
    assert pt["route"] == {"method": "pivot", "from": "en", "file": onscreen, "screen": True}
    assert pt["engine"]["pair"] == "en-pt"
    text = " ".join(c.flat for c in subs.load_srt(bilingual.version("pt") / "subtitles.srt"))
    assert "Nascente Baotu" in text, text


@pytest.mark.parametrize("lang", ["en", "pt"])
def test_each_version_covers_both_lines_and_burns_its_own(bilingual: Bilingual,
                                                          lang: str) -> None:
    """Read back by OCR at the middle of each line: the bottom band holds the version's words
    only, no Chinese and no second English line."""
    from pipeline.engines.pool import EnginePool

    reader = EnginePool().reader("rapidocr")
    mp4 = bilingual.version(lang) / f"{VIDEO}.{lang}.landscape.mp4"
    cues = subs.load_srt(bilingual.version(lang) / "subtitles.srt")
    assert len(cues) == len(SENTENCES)
    for cue in cues:
        lines = reader.read(mt.frame(mp4, (cue.start + cue.end) / 2000).astype(np.uint8))
        band = [ln.text for ln in lines if (ln.box[1] + ln.box[3]) / 2 > SIZE[1] * 0.7]
        assert " ".join(band) == cue.text.replace("\n", " "), band
    render = bilingual.state("render", lang)["extra"]
    assert render.get("readback", {}).get("findings", []) == [], render.get("readback")


def test_qa_tells_two_lines_of_a_subtitle_from_text_over_text() -> None:
    """The detector pads its boxes, so the two lines of one subtitle touch: not a collision;
    a line written over another shares most of its box: a collision."""
    from pipeline.engines.ocr import TextLine
    from pipeline.onscreen.readback import findings

    upper = TextLine("Water from Baotu Spring", (300, 390, 552, 418), 0.99)
    lower = TextLine("rises from underground", (305, 414, 548, 442), 0.99)
    over = TextLine("趵突泉的泉水从地下涌出", (270, 396, 585, 436), 0.99)

    def rules(lines: list[TextLine]) -> set[str]:
        return {f["rule"] for f in findings(lines, 1.0, 480, 0.7, {"Hani"}, True,
                                            "Water from Baotu Spring rises from underground")}

    assert rules([upper, lower]) == set()
    assert "overlap" in rules([upper, lower, over])
