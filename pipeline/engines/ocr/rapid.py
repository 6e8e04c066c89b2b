"""RapidOCR: PP-OCRv6 detection and recognition (Chinese and Latin scripts) on onnxruntime,
its ONNX models shipped inside the PyPI package (no download)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.engines.ocr.base import TextLine
from pipeline.errors import EngineError

FIX = "pip install rapidocr (its models come inside the package)"
# the longest side the detector sees: a band of a 720p frame is read at its own size
# one thread: the same result on every run, and the other core free for the other stages
SETTINGS: dict[str, Any] = {"Det.limit_type": "max", "Det.limit_side_len": 1280,
                            "Global.log_level": "critical", "Global.use_cls": False,
                            "EngineConfig.onnxruntime.intra_op_num_threads": 1,
                            "EngineConfig.onnxruntime.inter_op_num_threads": 1}


def _package_dir() -> Path:
    from importlib.util import find_spec

    spec = find_spec("rapidocr")
    if spec is None or spec.origin is None:
        raise EngineError(f"OCR engine rapidocr is not installed; {FIX}")
    return Path(spec.origin).parent


def model_files() -> list[Path]:
    """The detection, recognition and direction models the engine loads."""
    files = sorted((_package_dir() / "models").glob("*.onnx"))
    if not files:
        raise EngineError(f"rapidocr has no models in {_package_dir() / 'models'}; "
                          f"reinstall it: {FIX}")
    return files


def identity(digest: Callable[[Path], str]) -> dict[str, Any]:
    from importlib.metadata import version

    return {"engine": "rapidocr", "version": version("rapidocr"),
            "models": {f.name: digest(f) for f in model_files()},
            "settings": {k: v for k, v in SETTINGS.items() if k.startswith("Det.")}}


class RapidReader:
    def __init__(self) -> None:
        model_files()  # the cause and the fix before any load
        import logging

        from rapidocr import RapidOCR

        self._engine = RapidOCR(params=dict(SETTINGS))
        logging.getLogger("RapidOCR").setLevel(logging.CRITICAL)

    def read(self, image: Any) -> list[TextLine]:
        picture = np.asarray(image, dtype=np.uint8)
        if picture.ndim == 2:  # the detector takes three channels
            picture = np.repeat(picture[:, :, None], 3, axis=2)
        result: Any = self._engine(picture, use_cls=False)  # RapidOCROutput
        if result.txts is None or result.boxes is None:
            return []
        lines = []
        for text, box, score in zip(result.txts, result.boxes, result.scores):
            xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
            lines.append(TextLine(str(text).strip(), (round(min(xs)), round(min(ys)),
                                                      round(max(xs)), round(max(ys))),
                                  round(float(score), 4)))
        return [ln for ln in lines if ln.text]
