"""IMSC1 (Text Profile) TTML, written by ttconv: the timed-text file broadcasters and
streaming platforms take beside the picture (EBU-TT-D readers accept its subset: a region,
paragraphs, spans, line breaks, colours; no styling beyond that)."""

from __future__ import annotations

import xml.etree.ElementTree as et

from pipeline.subtitles.formats.ttmodel import document
from pipeline.subtitles.model import Cue


def write(cues: list[Cue], lang: str) -> bytes:
    """UTF-8 TTML for every script (xml:lang is the version's language tag)."""
    from ttconv.imsc import writer

    tree = writer.from_model(document(cues, lang))
    et.indent(tree)
    return et.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True) + b"\n"
