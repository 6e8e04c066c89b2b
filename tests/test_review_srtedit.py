"""The review desk's SRT line editor: an edit changes only the characters a person would
change in a text editor, and an edit that would break the file is refused."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.review import srtedit
from pipeline.review.errors import EditRefused, NotFound, UnreadableSubtitles

PLAIN = (
    "1\n00:00:01,000 --> 00:00:02,500\nJinan is the City of Springs.\n\n"
    "2\n00:00:03,000 --> 00:00:05,000\nBaotu Spring bubbles up\nin the old town.\n\n"
    "3\n00:00:05,500 --> 00:00:07,000\nDaming Lake.\n"
).encode()

# what other editors leave: a byte order mark, CRLF, odd spacing, a position tail, no final newline
ODD = ("\ufeff1\r\n00:00:01,000  -->  00:00:02,500 X1:10 X2:20\r\nOne\r\n\r\n\r\n"
       "2\r\n00:00:03,000 --> 00:00:05,000\r\nTwo  \r\nlines\r\n\r\n"
       "3\r\n0:00:05.5 --> 0:00:07.0\r\nThree").encode()


def test_text_edit_changes_only_that_text() -> None:
    out = srtedit.edit(PLAIN, 2, text="Baotu Spring rises\nin the old town.")
    assert out == PLAIN.replace(b"bubbles up", b"rises")


def test_untouched_file_layout_survives_an_edit() -> None:
    out = srtedit.edit(ODD, 2, text="Dois\nlinhas")
    assert out == ODD.replace(b"Two  \r\nlines", b"Dois\r\nlinhas")
    out = srtedit.edit(ODD, 1, start=900, end=2400)
    assert out == ODD.replace(b"00:00:01,000  -->  00:00:02,500",
                              b"00:00:00,900  -->  00:00:02,400")
    out = srtedit.edit(ODD, 3, text="Tres")
    assert out.endswith(b"0:00:05.5 --> 0:00:07.0\r\nTres")


def test_time_edit_keeps_the_separator_style() -> None:
    out = srtedit.edit(ODD, 3, end=7250)
    assert b"0:00:05.5 --> 00:00:07.250\r\nThree" in out


def test_same_text_writes_the_same_bytes() -> None:
    assert srtedit.edit(PLAIN, 2, text="Baotu Spring bubbles up\nin the old town.\n\n") == PLAIN


@pytest.mark.parametrize("kwargs, reason", [
    ({"start": 2400}, "before line 1 ends"),
    ({"end": 5600}, "after line 3 starts"),
    ({"start": 4000, "end": 3500}, r"ends \(00:00:03,500\) before it starts"),
    ({"start": 4000, "end": 4000}, "before it starts"),
    ({"text": "   \n "}, "the text is empty"),
    ({"text": "one\n\ntwo"}, "blank line inside"),
    ({"text": "00:00:09,000 --> 00:00:10,000"}, "reads like a time line"),
    ({"text": "bell\x07"}, "control characters"),
])
def test_broken_edits_are_refused_with_the_reason(kwargs: dict, reason: str) -> None:
    with pytest.raises(EditRefused, match=reason):
        srtedit.edit(PLAIN, 2, **kwargs)


@pytest.mark.parametrize("text", ["1:2", "00:00:01", "00:61:00,000", "aa:bb:cc,ddd", "-00:00:01,000"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(EditRefused, match="bad time"):
        srtedit.parse_time(text)


def test_times_read_both_separators() -> None:
    assert srtedit.parse_time("01:02:03,004") == 3723004
    assert srtedit.parse_time("00:00:01.500") == 1500


def test_unknown_line_and_unreadable_files() -> None:
    with pytest.raises(NotFound):
        srtedit.edit(PLAIN, 4, text="x")
    with pytest.raises(UnreadableSubtitles, match="UTF-8"):
        srtedit.SrtDocument.parse(b"1\n00:00:01,000 --> 00:00:02,000\n\xff\xfe\n")
    with pytest.raises(UnreadableSubtitles, match="file line 1"):
        srtedit.SrtDocument.parse(b"WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n")


def test_blocks_read_as_pysubs2_reads_them() -> None:
    doc = srtedit.SrtDocument.parse(ODD)
    assert [(b.start, b.end, b.text) for b in doc.blocks] == [
        (1000, 2500, "One"), (3000, 5000, "Two  \nlines"), (5500, 7000, "Three")]


lines = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1,
                max_size=30).filter(lambda s: s.strip() and "-->" not in s)


@settings(max_examples=150, deadline=None)
@given(number=st.integers(1, 3), new=st.lists(lines, min_size=1, max_size=3))
def test_any_text_edit_reads_back_and_leaves_the_other_blocks(number: int, new: list[str]) -> None:
    text = "\n".join(new)
    try:
        out = srtedit.edit(PLAIN, number, text=text)
    except EditRefused:
        return  # e.g. a typed line that is only a cue number before a time line
    before = srtedit.SrtDocument.parse(PLAIN).blocks
    after = srtedit.SrtDocument.parse(out).blocks
    assert after[number - 1].text == srtedit.clean_text(text)
    for old, now in zip(before, after):
        if old.number != number:
            assert (old.start, old.end, old.text) == (now.start, now.end, now.text)
    head = PLAIN[:PLAIN.index(before[number - 1].text.encode())]
    assert out.startswith(head)
