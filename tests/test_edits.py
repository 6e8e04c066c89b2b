"""A broken hand edit of a version's subtitles fails that version alone, at the first stage
that reads the file (narrate), with the file and the line named; nothing is rendered from it,
the file keeps the bytes the editor saved, and the rest of the batch completes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Project, run_pipeline

pytestmark = pytest.mark.slow

GOOD = ["broll_springs", "jinan_tour"]
LANGS = ["en", "pt", "zh"]
TIME_LINE = re.compile(r"^(\d\d:\d\d:\d\d,\d\d\d) --> (\d\d:\d\d:\d\d,\d\d\d)$")


def _time_lines(lines: list[str]) -> list[int]:
    return [i for i, line in enumerate(lines) if TIME_LINE.match(line)]


def _bad_time(lines: list[str]) -> tuple[bytes, int, str]:
    i = _time_lines(lines)[1]
    lines[i] = lines[i][:7] + "X" + lines[i][8:]
    return "\n".join(lines).encode(), i + 1, "bad time '00:00:0X,"


def _end_before_start(lines: list[str]) -> tuple[bytes, int, str]:
    i = _time_lines(lines)[1]
    start, end = TIME_LINE.match(lines[i]).groups()  # type: ignore[union-attr]
    lines[i] = f"{end} --> {start}"
    return "\n".join(lines).encode(), i + 1, f"ends ({start}) before it starts ({end})"


def _no_time_line(lines: list[str]) -> tuple[bytes, int, str]:
    i = _time_lines(lines)[1]
    del lines[i]
    return "\n".join(lines).encode(), i, "no time line for"


def _overlapping(lines: list[str]) -> tuple[bytes, int, str]:
    first, second = _time_lines(lines)[1:3]
    end = TIME_LINE.match(lines[first]).group(2)  # type: ignore[union-attr]
    start, later = TIME_LINE.match(lines[second]).groups()  # type: ignore[union-attr]
    lines[second] = f"{lines[first][:12]} --> {later}"
    return ("\n".join(lines).encode(), second + 1,
            f"before the event at line {first + 1} ends ({end})")


def _not_utf8(lines: list[str]) -> tuple[bytes, int, str]:
    """Saved as Latin-1 (Windows-1252) by an editor: the first accented letter is named."""
    lines[_time_lines(lines)[1] + 1] = "Água e ação"
    first = next(i for i, line in enumerate(lines) if not line.isascii())
    byte = next(b for b in lines[first].encode("latin-1", errors="replace") if b > 127)
    return ("\n".join(lines).encode("latin-1", errors="replace"), first + 1,
            f"not UTF-8 (byte 0x{byte:02x}); save the file as UTF-8")


def _empty(lines: list[str]) -> tuple[bytes, int, str]:
    return b"", 0, "the file is empty"


EDITS: dict[str, Callable[[list[str]], tuple[bytes, int, str]]] = {
    "bad_time": _bad_time, "end_before_start": _end_before_start, "no_time_line": _no_time_line,
    "overlapping": _overlapping, "not_utf8": _not_utf8, "empty": _empty,
}


@pytest.mark.parametrize("kind", EDITS)
def test_a_broken_edit_fails_its_version_alone_and_the_file_is_untouched(
        project: Project, tmp_path: Path, kind: str) -> None:
    work = project.copy(tmp_path / "copy")
    version = work.out / "jinan_tour" / "pt"
    srt = version / "subtitles.srt"
    assert len(_time_lines(srt.read_text(encoding="utf-8").splitlines())) >= 3
    data, line, words = EDITS[kind](srt.read_text(encoding="utf-8").splitlines())
    srt.write_bytes(data)
    deliverable = version / "jinan_tour.pt.landscape.mp4"
    before = deliverable.read_bytes()

    result = run_pipeline(work.config)

    assert result.code == 1, result.stderr
    failed = [ln for ln in result.stderr.splitlines() if ln.startswith("FAILED")]
    (mine,) = [ln for ln in failed if "jinan_tour/pt" in ln]
    assert mine.startswith("FAILED narrate jinan_tour/pt: "), mine
    assert str(srt) in mine and words in mine, mine
    assert (f"line {line}: " in mine) if line else "line " not in mine.split(str(srt))[1]
    assert len(failed) == 3  # the two bad sources of the project fail as on every run
    status = {(o["stage"], o["video"], o["lang"]): o["status"] for o in result.outcomes}
    assert status[("narrate", "jinan_tour", "pt")] == "failed"
    assert status[("render", "jinan_tour", "pt")] == "skipped"  # nothing rendered from it
    assert deliverable.read_bytes() == before
    assert srt.read_bytes() == data  # the editor's bytes, untouched
    others = {k: v for k, v in status.items() if k[1] in GOOD and k[1:] != ("jinan_tour", "pt")}
    assert others and set(others.values()) == {"cached"}, others
    for video in GOOD:
        for lang in LANGS:
            assert (work.out / video / lang / f"{video}.{lang}.landscape.mp4").is_file()

    # the editor fixes the file: the version renders again
    srt.write_bytes((project.out / "jinan_tour" / "pt" / "subtitles.srt").read_bytes())
    fixed = run_pipeline(work.config, "--video", "jinan_tour", "--lang", "pt")
    assert fixed.code == 0, fixed.stderr
