"""The cues as a ttconv document (ttconv's model is what its IMSC and SCC writers take).

Built directly from the cues, not through ttconv's SRT reader, which would read "<" and
braces in the text as markup: every character stays literal.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from pipeline.subtitles.model import Cue

SAFE_AREA_PCT = 10  # the region keeps 10% of the frame free on every side (EBU-TT-D's habit)


def document(cues: list[Cue], lang: str) -> Any:
    """A ttconv ContentDocument: one bottom-centred region, a paragraph per cue, a line break
    between the cue's lines, white text with a black outline."""
    from ttconv import model
    from ttconv import style_properties as styles

    doc = model.ContentDocument()
    doc.set_lang(lang)
    region = model.Region("bottom", doc)
    pct = styles.LengthType.Units.pct
    region.set_style(styles.StyleProperties.Origin, styles.CoordinateType(
        x=styles.LengthType(SAFE_AREA_PCT, pct), y=styles.LengthType(SAFE_AREA_PCT, pct)))
    region.set_style(styles.StyleProperties.Extent, styles.ExtentType(
        height=styles.LengthType(100 - 2 * SAFE_AREA_PCT, pct),
        width=styles.LengthType(100 - 2 * SAFE_AREA_PCT, pct)))
    region.set_style(styles.StyleProperties.DisplayAlign, styles.DisplayAlignType.after)
    region.set_style(styles.StyleProperties.TextAlign, styles.TextAlignType.center)
    region.set_style(styles.StyleProperties.Color, styles.NamedColors.white.value)
    region.set_style(styles.StyleProperties.TextOutline, styles.TextOutlineType(
        color=styles.NamedColors.black.value, thickness=styles.LengthType(5, pct)))
    doc.put_region(region)
    body = model.Body(doc)
    body.set_region(region)
    doc.set_body(body)
    div = model.Div(doc)
    body.push_child(div)
    for cue in cues:
        p = model.P(doc)
        p.set_begin(Fraction(cue.start, 1000))
        p.set_end(Fraction(cue.end, 1000))
        for i, line in enumerate(cue.text.split("\n")):
            if i:
                p.push_child(model.Br(doc))
            span = model.Span(doc)
            text = model.Text(doc)
            text.set_text(line)
            span.push_child(text)
            p.push_child(span)
        div.push_child(p)
    return doc
