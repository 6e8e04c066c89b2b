"""Synthesis speed per TTS engine: seconds of audio made per wall-clock second.

Run by hand: `.venv/bin/python bench/tts_bench.py`; the table goes into docs/benchmarks.md.
"""

from __future__ import annotations

import sys
import tempfile
import time
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.engines.tts import make_voice  # noqa: E402

TEXTS = {
    "en": "Jinan is known as the City of Springs. Baotu Spring bubbles up in the heart of the "
          "old town, and the water flows north into Daming Lake.",
    "pt": "Jinan é conhecida como a Cidade das Nascentes. A Nascente Baotu brota no coração da "
          "cidade velha, e a água corre para o norte até o Lago Daming.",
    "zh": "济南被称为泉城。趵突泉在老城中心涌出，泉水向北流入大明湖。",
}
VOICES = [("piper:en_US-joe-medium", "en"), ("espeak:en-us", "en"), ("espeak:pt-br", "pt"),
          ("espeak:cmn", "zh"), ("kokoro:af_heart", "en"), ("kokoro:pf_dora", "pt"),
          ("kokoro:zf_xiaobei", "zh")]


def seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def main() -> None:
    print("| voice | audio s | wall s | audio s per wall s |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for spec, lang in VOICES:
            voice = make_voice(spec, [ROOT / "assets" / "voices"])
            voice.synthesize("Warm up.", Path(tmp) / "warm.wav")  # model load not counted
            start = time.perf_counter()
            total = 0.0
            for i in range(5):
                out = Path(tmp) / f"{i}.wav"
                voice.synthesize(TEXTS[lang], out)
                total += seconds(out)
            wall = time.perf_counter() - start
            print(f"| {spec} | {total:.1f} | {wall:.2f} | {total / wall:.1f} |")


if __name__ == "__main__":
    main()
