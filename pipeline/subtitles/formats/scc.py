"""SCC (Scenarist, CEA-608 pop-on captions at 29.97 fps drop-frame), written by ttconv: the
caption file US broadcasters (ATSC) take. CEA-608 carries English (Latin letters without
most accents): any other language is refused with what to send instead."""

from __future__ import annotations

import textwrap

from pipeline.subtitles.formats.base import CaptionFormatError, language_of
from pipeline.subtitles.formats.ttmodel import document
from pipeline.subtitles.model import Cue

COLUMNS = 32  # CEA-608 caption row


def write(cues: list[Cue], lang: str) -> bytes:
    """ASCII SCC, pop-on; lines longer than 608's 32 columns re-wrapped at spaces here (ttconv
    1.2.3's own re-wrap drops the character at the break)."""
    if language_of(lang) != "en":
        raise CaptionFormatError(
            f"SCC (CEA-608) carries English captions only, not {lang!r}; send IMSC (imsc) "
            "or SRT for this language")
    bad = sorted({ch for cue in cues for ch in cue.text if ch != "\n" and not " " <= ch <= "~"})
    if bad:
        raise CaptionFormatError(
            f"SCC (CEA-608) cannot carry {''.join(bad)!r} in these {lang} captions; "
            "send IMSC (imsc) or SRT, or spell the line in plain ASCII")
    from ttconv.scc import writer
    from ttconv.scc.config import SccWriterConfiguration

    config = SccWriterConfiguration(allow_reflow=False, force_popon=True)
    cues = [Cue(c.start, c.end, "\n".join(row for line in c.text.split("\n")
                                          for row in textwrap.wrap(line, COLUMNS, break_long_words=True)))
            for c in cues]
    # a pop-on caption is loaded (two characters a frame) before it shows: a first caption
    # near 0 s shows once it is loaded, up to 2 s later (the rest keep their times)
    shown = list(cues)
    for _ in range(21):
        try:
            return writer.from_model(document(shown, lang), config).encode("ascii")
        except RuntimeError as e:
            if "start earlier" not in str(e) or not shown or shown[0].start >= 2000:
                raise CaptionFormatError(f"SCC: ttconv cannot write these {lang} captions "
                                         f"({e}); send IMSC (imsc) or SRT") from e
            first = shown[0]
            shown[0] = Cue(first.start + 100, max(first.end, first.start + 600), first.text)
    raise AssertionError("unreachable")
