"""Hand-edited SRT files are read strictly: every problem is named with its line number in one
message; what subtitle editors write (BOM, CRLF, loose blank lines, odd index lines) is fine."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import subtitles as subs
from pipeline.errors import MediaError, SubtitleFileError

GOOD = ("1\n00:00:01,000 --> 00:00:02,500\nBem-vindos a Jinan.\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nA Cidade\ndas Nascentes.\n")
GOOD_CUES = [subs.Cue(1000, 2500, "Bem-vindos a Jinan."),
             subs.Cue(3000, 4000, "A Cidade\ndas Nascentes.")]

# The six kinds of broken edit: (file bytes, line named, words of the cause)
BROKEN: dict[str, tuple[bytes, int, str]] = {
    "bad_time": (GOOD.replace("00:00:03,000", "00:00:0X,000").encode(), 6,
                 "bad time '00:00:0X,000' (write HH:MM:SS,mmm)"),
    "end_before_start": (GOOD.replace("00:00:04,000", "00:00:02,800").encode(), 6,
                         "ends (00:00:02,800) before it starts (00:00:03,000)"),
    "no_time_line": (GOOD.replace("00:00:03,000 --> 00:00:04,000\n", "").encode(), 5,
                     "no time line for 'A Cidade'"),
    "overlapping": (GOOD.replace("00:00:03,000", "00:00:02,000").encode(), 6,
                    "starts (00:00:02,000) before the event at line 2 ends (00:00:02,500)"),
    "not_utf8": (GOOD.replace("Cidade", "Cidad\u00e9").encode("latin-1"), 7,
                 "not UTF-8 (byte 0xe9); save the file as UTF-8"),
    "empty": (b"", 0, "the file is empty (0 bytes)"),
}


def _load(tmp_path: Path, data: bytes, name: str = "subtitles.srt") -> list[subs.Cue]:
    path = tmp_path / name
    path.write_bytes(data)
    return subs.load_srt(path)


@pytest.mark.parametrize("kind", BROKEN)
def test_each_kind_of_broken_edit_names_the_file_the_line_and_the_problem(
        tmp_path: Path, kind: str) -> None:
    data, line, words = BROKEN[kind]
    with pytest.raises(SubtitleFileError) as err:
        _load(tmp_path, data)
    message = str(err.value)
    assert message.startswith(str(tmp_path / "subtitles.srt") + ": 1 problem: ")
    assert (f"line {line}: {words}" if line else words) in message, message
    assert "\n" not in message
    assert err.value.problems[0][0] == line
    assert isinstance(err.value, MediaError)  # a bad input: the item fails, the batch goes on


def test_every_problem_of_a_file_is_in_one_message(tmp_path: Path) -> None:
    text = ("1\n00:00:0X,000 --> 00:00:02,000\nBem-vindos a Jinan.\n\n"
            "2\n00:00:05,000 --> 00:00:03,000\nA linha que acaba antes.\n\n"
            "3\nSem tempo\n\n"
            "4\n00:00:06,000 --> 00:00:08,000\nPrimeira\n\n"
            "5\n00:00:07,500 --> 00:00:09,000\nSobreposta\n")
    with pytest.raises(SubtitleFileError) as err:
        _load(tmp_path, text.encode())
    assert [line for line, _ in err.value.problems] == [2, 6, 9, 17]
    message = str(err.value)
    assert message.count("line ") >= 4 and "4 problems" in message and "\n" not in message


def test_many_problems_are_counted_not_all_listed(tmp_path: Path) -> None:
    blocks = [f"{i}\n00:00:{i:02d},000 --> 00:00:0{i % 3}X,000\nline {i}\n" for i in range(1, 21)]
    with pytest.raises(SubtitleFileError) as err:
        _load(tmp_path, "\n".join(blocks).encode())
    assert len(err.value.problems) == 20
    assert "20 problems" in str(err.value) and "and 15 more" in str(err.value)
    assert len(str(err.value)) < 600


def test_an_encoding_problem_does_not_hide_the_others(tmp_path: Path) -> None:
    data = BROKEN["not_utf8"][0].replace(b"00:00:03,000", b"00:00:0X,000")
    with pytest.raises(SubtitleFileError) as err:
        _load(tmp_path, data)
    assert [line for line, _ in err.value.problems] == [6, 7]


def test_utf16_is_named(tmp_path: Path) -> None:
    with pytest.raises(SubtitleFileError, match="UTF-16; save it as UTF-8"):
        _load(tmp_path, GOOD.encode("utf-16"))


@pytest.mark.parametrize("data", [
    b"\xef\xbb\xbf" + GOOD.encode(),  # a byte-order mark
    GOOD.replace("\n", "\r\n").encode(),  # Windows line ends
    GOOD.replace("\n\n", "\n\n\n\n").encode(),  # several blank lines between blocks
    ("\n\n" + GOOD.rstrip("\n")).encode(),  # blank lines before, no line end at the end
    GOOD.replace("1\n00:00:01", "00:00:01").encode(),  # no index line
    GOOD.replace("2\n00:00:03", "2a\n00:00:03").encode(),  # an index that is not a number
    GOOD.replace("1\n00:00:01", "7\n00:00:01").encode(),  # numbers out of sequence
    GOOD.replace("Jinan.\n\n2\n", "Jinan.\n2\n").encode(),  # no blank line before the next block
    GOOD.replace(",", ".").replace("Jinan.", "Jinan.").encode(),  # a full stop before the ms
    GOOD.replace("00:00:02,500", "00:00:02,500  X1:40 X2:600 Y1:20 Y2:50").encode(),  # position
    GOOD.replace("Bem-vindos a Jinan.", "<i>Bem-vindos</i> a <font color=\"#ff0\">Jinan</font>.").encode(),
])
def test_what_subtitle_editors_write_is_read(tmp_path: Path, data: bytes) -> None:
    assert _load(tmp_path, data) == GOOD_CUES


def test_text_is_kept_literally(tmp_path: Path) -> None:
    """Braces, backslashes and a "<" that opens no styling tag are text; a typed \\N or \\n
    is a line break (as pysubs2 and players read SRT)."""
    text = ("1\n00:00:01,000 --> 00:00:02,000\na < b > c {\\fs200} C:\\path <3\n\n"
            "2\n00:00:03,000 --> 00:00:04,000\n  72\n")
    assert _load(tmp_path, text.encode()) == [
        subs.Cue(1000, 2000, "a < b > c {\\fs200} C:\\path <3"), subs.Cue(3000, 4000, "72")]


def test_an_event_without_text_is_dropped_and_a_time_line_with_no_events_is_fine(
        tmp_path: Path) -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nDaming\n"
    assert _load(tmp_path, text.encode()) == [subs.Cue(3000, 4000, "Daming")]


def test_a_file_with_no_events_as_the_pipeline_writes_it_loads_empty(tmp_path: Path) -> None:
    assert subs.srt_text([]) == "\n"
    assert _load(tmp_path, subs.srt_text([]).encode()) == []


def test_a_mistyped_arrow_and_minutes_over_59_are_named(tmp_path: Path) -> None:
    with pytest.raises(SubtitleFileError, match="line 2: the two times need ' --> '"):
        _load(tmp_path, GOOD.replace("-->", "->", 1).encode())
    with pytest.raises(SubtitleFileError, match=r"line 6: bad time '00:61:04,000' \(minutes"):
        _load(tmp_path, GOOD.replace("00:00:04,000", "00:61:04,000").encode())


def test_a_folder_in_place_of_the_file_is_a_media_error(tmp_path: Path) -> None:
    (tmp_path / "subtitles.srt").mkdir()
    with pytest.raises(MediaError, match="subtitles.srt: cannot be read"):
        subs.load_srt(tmp_path / "subtitles.srt")
