"""The OCR engine (scan.engine: rapidocr): the packaged PP-OCRv6 models read Chinese and
Latin text burned by ffmpeg, loaded once per process through the engine pool."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from pipeline.engines import ocr
from pipeline.cache import sha256_file
from pipeline.engines.pool import EnginePool
from tests import mediatools as mt

CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def _frame(tmp: Path) -> np.ndarray:
    png = tmp / "frame.png"
    draw = (f"drawtext=fontfile={CJK}:text='济南被称为泉城':fontsize=30:fontcolor=white:"
            "borderw=2:x=(w-tw)/2:y=h-60,"
            f"drawtext=fontfile={CJK}:text='Baotu Spring':fontsize=26:fontcolor=white:x=24:y=24")
    mt.ffmpeg("-f", "lavfi", "-i", f"gradients=s=854x480:d=1:seed=3:{mt.GRADIENT_COLOURS}", "-vf", draw,
              "-frames:v", "1", str(png))
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", str(png), "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True, check=True)
    return np.frombuffer(out.stdout, np.uint8).reshape(480, 854)


def test_rapidocr_reads_chinese_and_latin_with_boxes(tmp_path: Path) -> None:
    pool = EnginePool()
    reader = pool.reader("rapidocr")
    assert pool.reader("rapidocr") is reader  # loaded once per process
    lines = reader.read(_frame(tmp_path))
    found = {ln.text: ln for ln in lines}
    assert set(found) == {"济南被称为泉城", "Baotu Spring"}
    sub = found["济南被称为泉城"].box
    assert sub[1] > 400 and abs((sub[0] + sub[2]) / 2 - 427) < 20  # bottom, centred
    assert found["Baotu Spring"].box[0] < 40 and found["Baotu Spring"].box[1] < 40
    assert all(ln.confidence > 0.9 for ln in lines)


def test_identity_names_the_models_by_content() -> None:
    found = ocr.identity("rapidocr", sha256_file)
    assert found["engine"] == "rapidocr" and len(found["models"]) >= 2
    assert all(len(d) == 64 for d in found["models"].values())
    assert ocr.identity("none", sha256_file) == {"engine": "none"}
