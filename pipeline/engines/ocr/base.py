"""The OCR engines' shared types: a picture in, lines of text with their boxes out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class TextLine:
    """One line of text an engine read: its box in the picture's pixels (x0, y0, x1, y1)."""

    text: str
    box: tuple[int, int, int, int]
    confidence: float


class TextReader(Protocol):
    def read(self, image: Any) -> list[TextLine]:
        """The lines of text in an image (a uint8 array, grey HxW or BGR HxWx3)."""
