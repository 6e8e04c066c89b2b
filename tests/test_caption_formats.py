"""The caption-format table (pipeline/subtitles/formats/): every sidecar an outlet asks for,
each read back by a second parser (not the library that wrote it) with the same cues, and
each language a format cannot carry refused with a message naming what to send instead."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pycaption
import pytest

from pipeline.subtitles.formats import CAPTION_FORMATS, CaptionFormatError, write_caption
from pipeline.subtitles.model import Cue

LINES = {
    "en": ["Jinan is known as the City of Springs.", "Baotu Spring bubbles up\nin the old town."],
    "pt": ["A Nascente Baotu jorra no coração\nda cidade velha.", "À noite, caminham à beira do lago."],
    "ru": ["Цзинань называют городом источников.", "Вечером люди гуляют\nвдоль озера Даминху."],
    "el": ["Το Τζινάν είναι η πόλη των πηγών.", "Το βράδυ περπατούν\nδίπλα στη λίμνη."],
    "ar": ["تُعرف جينان بمدينة الينابيع.", "في المساء يتمشى الناس\nعلى ضفاف البحيرة."],
    "he": ["ג'ינאן ידועה כעיר המעיינות.", "בערב אנשים מטיילים\nלאורך האגם."],
    "zh": ["济南被称为泉城。", "傍晚，人们沿着大明湖散步。"],
}


def cues_of(lang: str) -> list[Cue]:
    return [Cue(1200 + 3000 * i, 3700 + 3000 * i, text) for i, text in enumerate(LINES[lang])]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\xa0", " ")).strip()


def same_cues(got: list[tuple[int, int, str]], want: list[Cue], tolerance_ms: int) -> None:
    assert [flat(t) for _, _, t in got] == [flat(c.text) for c in want]
    for (start, end, _), cue in zip(got, want):
        assert abs(start - cue.start) <= tolerance_ms and abs(end - cue.end) <= tolerance_ms


def pycaption_cues(reader: pycaption.base.BaseReader, data: str) -> list[tuple[int, int, str]]:
    captions = reader.read(data)
    lang = captions.get_languages()[0]
    return [(round(c.start / 1000), round(c.end / 1000), c.get_text())
            for c in captions.get_captions(lang)]


def ttconv_cues(doc: object) -> list[tuple[int, int, str]]:
    """A ttconv document's cues, through ttconv's own SRT writer and our strict reader."""
    from ttconv.srt import writer

    from pipeline.subtitles.formats import parse_srt

    cues, problems = parse_srt(writer.from_model(doc))
    assert not problems
    return [(c.start, c.end, c.text) for c in cues]


def test_the_table_names_each_format_once_with_its_module() -> None:
    assert set(CAPTION_FORMATS) == {"srt", "vtt", "ass", "imsc", "ebu-stl", "scc"}
    for name, row in CAPTION_FORMATS.items():
        assert row.name == name and row.suffix.startswith(".")
        assert (Path(__file__).parents[1] / "pipeline/subtitles/formats" / f"{row.module}.py").is_file()
    with pytest.raises(CaptionFormatError, match="use one of srt, vtt"):
        write_caption("dfxp", cues_of("en"), "en")


@pytest.mark.parametrize("lang", ["en", "pt", "zh", "ar"])
def test_srt_and_vtt_read_back_by_pycaption(lang: str) -> None:
    cues = cues_of(lang)
    srt = write_caption("srt", cues, lang).decode("utf-8")
    same_cues(pycaption_cues(pycaption.SRTReader(), srt), cues, 1)
    vtt = write_caption("vtt", cues, lang).decode("utf-8")
    same_cues(pycaption_cues(pycaption.WebVTTReader(), vtt), cues, 1)


@pytest.mark.parametrize("lang", ["en", "pt", "zh", "ar", "he"])
def test_imsc_is_ttml_that_pycaption_reads_back(lang: str) -> None:
    cues = cues_of(lang) + [Cue(9000, 9900, "Rock & Roll <3 {\\b1}")]
    ttml = write_caption("imsc", cues, lang).decode("utf-8")
    assert 'xmlns="http://www.w3.org/ns/ttml"' in ttml and f'xml:lang="{lang}"' in ttml
    same_cues(pycaption_cues(pycaption.DFXPReader(), ttml), cues, 1)


def test_ass_read_back_by_ffmpeg(tmp_path: Path) -> None:
    cues = cues_of("pt")
    (tmp_path / "pt.ass").write_bytes(write_caption("ass", cues, "pt"))
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", "pt.ass", "-f", "srt", "-"], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    out = re.sub(r"</?font[^>]*>", "", out)  # ffmpeg carries the ASS style as <font> tags
    same_cues(pycaption_cues(pycaption.SRTReader(), out), cues, 10)  # ASS keeps centiseconds


@pytest.mark.parametrize("lang", ["en", "pt", "ru", "el", "ar", "he"])
def test_ebu_stl_read_back_by_ttconv(lang: str) -> None:
    from ttconv.stl import reader

    cues = cues_of(lang)
    data = write_caption("ebu-stl", cues, lang)
    assert len(data) == 1024 + 128 * len(cues)
    assert data[3:11] == b"STL25.01"
    doc = reader.to_model(io.BytesIO(data))
    assert doc.get_lang() == lang
    same_cues(ttconv_cues(doc), cues, 20)  # 25 fps: half a frame


def test_ebu_stl_wraps_long_lines_to_teletext_rows_and_extends_blocks() -> None:
    from ttconv.stl import reader

    long = ("Ação à beira do lago: é lá que começa a história das nascentes de Jinan, cidade "
            "antiga, onde a água límpida sobe em três colunas.")
    data = write_caption("ebu-stl", [Cue(0, 4000, long)], "pt")
    assert len(data) > 1024 + 128  # extension blocks carry what one text field cannot
    (got,) = ttconv_cues(reader.to_model(io.BytesIO(data)))
    assert flat(got[2]) == long and all(len(row) <= 40 for row in got[2].split("\n"))


def test_ebu_stl_refuses_chinese_naming_imsc() -> None:
    with pytest.raises(CaptionFormatError, match=r"Chinese \(zh\).*send IMSC"):
        write_caption("ebu-stl", cues_of("zh"), "zh")
    with pytest.raises(CaptionFormatError, match=r"cannot carry '济南'.*IMSC"):
        write_caption("ebu-stl", [Cue(0, 1000, "Jinan 济南")], "en")


def test_scc_english_read_back_by_pycaption() -> None:
    cues = cues_of("en")
    scc = write_caption("scc", cues, "en").decode("ascii")
    assert scc.startswith("Scenarist_SCC V1.0")
    # 29.97 fps; pycaption ends a caption 3 frames before the erase command ttconv wrote
    same_cues(pycaption_cues(pycaption.SCCReader(), scc), cues, 134)


def test_scc_refuses_other_languages_naming_imsc() -> None:
    with pytest.raises(CaptionFormatError, match=r"English captions only, not 'pt'.*IMSC"):
        write_caption("scc", cues_of("pt"), "pt")
    with pytest.raises(CaptionFormatError, match="cannot carry 'é'"):
        write_caption("scc", [Cue(2000, 3000, "café")], "en")


def test_recipe_add_a_caption_format(tmp_path: Path) -> None:
    """docs/extending.md "Add a caption format": its own module and one table row."""
    package = tmp_path / "pipeline"
    shutil.copytree(Path(__file__).parents[1] / "pipeline", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    formats = package / "subtitles" / "formats"
    (formats / "lrc.py").write_text(textwrap.dedent('''
        """LRC: lyrics-style lines, [mm:ss.xx] before each."""
        from pipeline.subtitles.model import Cue

        def write(cues: list[Cue], lang: str) -> bytes:
            return "".join(f"[{c.start // 60000:02d}:{c.start % 60000 / 1000:05.2f}]"
                           f"{c.text.replace(chr(10), ' ')}\\n" for c in cues).encode("utf-8")
    '''), encoding="utf-8")
    table = formats / "__init__.py"
    text = table.read_text(encoding="utf-8")
    anchor = '    CaptionFormat("scc", '
    assert text.count(anchor) == 1
    table.write_text(text.replace(anchor, '    CaptionFormat("lrc", ".lrc", "lrc", "LRC lines"),\n'
                                  + anchor), encoding="utf-8")
    probe = ("from pipeline.subtitles.formats import CAPTION_FORMATS, write_caption\n"
             "from pipeline.subtitles.model import Cue\n"
             "print(CAPTION_FORMATS['lrc'].suffix, "
             "write_caption('lrc', [Cue(61500, 63000, 'Baotu\\nSpring')], 'en').decode())\n")
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                         text=True, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout == ".lrc [01:01.50]Baotu Spring\n\n"
