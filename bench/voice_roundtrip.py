"""Round trip per voice: synthesize the demo text line by line, transcribe it back with the
packaged multilingual Whisper (base), score it (WER; CER for zh and ja) and time the synthesis.

Run by hand: `.venv/bin/python bench/voice_roundtrip.py [--lang pt --lang zh] [--voice SPEC]
[--json out.json]`; the table goes into docs/benchmarks.md, the best Kokoro voice per language into
`pipeline.engines.tts.KOKORO_DEFAULTS`. Every Kokoro voice of a language is measured, against
espeak-ng (and Piper for English). The real-time factor is synthesis wall time over audio
time, lines synthesized one by one as the narrate stage does, model load excluded (a warm-up
line first).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.voice_texts import texts  # noqa: E402
from pipeline.engines.asr import roundtrip  # noqa: E402
from pipeline.engines import kokoro_setup  # noqa: E402
from pipeline.engines.tts import make_voice  # noqa: E402
from pipeline.engines.tts.kokoro import LANGUAGES  # noqa: E402

ESPEAK = {"en": "en-us", "pt": "pt-br", "zh": "cmn", "es": "es", "fr": "fr-fr", "it": "it",
          "ja": "ja", "hi": "hi"}
KOKORO_PREFIX = {"en": "ab", "pt": "p", "zh": "z", "es": "e", "fr": "f", "it": "i", "ja": "j",
                 "hi": "h"}
GAP_S = 0.5
# English stays on Piper by default: a few of Kokoro's 28 English voices stand for the rest
EN_KOKORO = ("af_heart", "af_bella", "am_michael", "bf_emma", "bm_george")


def voices_for(lang: str) -> list[str]:
    specs = [f"espeak:{ESPEAK[lang]}"] + (["piper:en_US-joe-medium"] if lang == "en" else [])
    specs += [f"kokoro:{v}" for v in kokoro_setup.installed_voices()
              if v[0] in KOKORO_PREFIX[lang] and v[0] in LANGUAGES
              and (lang != "en" or v in EN_KOKORO)]
    return specs


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()


def measure(spec: str, lang: str, lines: list[str], tmp: Path) -> dict[str, object]:
    start = time.perf_counter()
    voice = make_voice(spec, [ROOT / "assets" / "voices"])
    voice.synthesize(lines[0][:20], tmp / "warm.wav")  # loads and warms the model
    load = time.perf_counter() - start
    chunks: list[np.ndarray] = []
    rate = 0
    wall = 0.0
    for i, line in enumerate(lines):
        out = tmp / f"line{i}.wav"
        t = time.perf_counter()
        voice.synthesize(line, out)
        wall += time.perf_counter() - t
        samples, rate = read_wav(out)
        chunks += [samples, np.zeros(int(GAP_S * rate), dtype="<i2")]
    audio = np.concatenate(chunks)
    speech_s = sum(len(c) for c in chunks[::2]) / rate
    whole = tmp / "whole.wav"
    with wave.open(str(whole), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(audio.tobytes())
    heard = roundtrip.transcribe(roundtrip.load_whisper(), whole, lang)
    reference = (" " if roundtrip.metric(lang) == "wer" else "").join(lines)
    return {"voice": spec, "lang": lang, "metric": roundtrip.metric(lang),
            "error": round(roundtrip.error_rate(reference, heard, lang), 3),
            "rtf": round(wall / speech_s, 3), "audio_s": round(speech_s, 1),
            "load_s": round(load, 2), "heard": heard}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lang", action="append", help="languages (default: all)")
    ap.add_argument("--voice", action="append", help="only these ENGINE:VOICE specs")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    ap.add_argument("--lines", type=int, help="only the first N lines of each text")
    ap.add_argument("--engine", action="append", help="only these engines (kokoro, espeak...)")
    args = ap.parse_args()
    all_texts = texts()
    rows = []
    print(f"load: {os.getloadavg()}", file=sys.stderr)
    print("| lang | voice | metric | error | RTF | audio s |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for lang in args.lang or list(all_texts):
            for spec in voices_for(lang):
                if args.voice and spec not in args.voice:
                    continue
                if args.engine and spec.split(":")[0] not in args.engine:
                    continue
                row = measure(spec, lang, all_texts[lang][:args.lines], Path(tmp))
                rows.append(row)
                print(f"| {lang} | {spec} | {row['metric']} | {row['error']:.3f} | "
                      f"{row['rtf']:.3f} | {row['audio_s']} |", flush=True)
                print(f"    heard: {row['heard']}", file=sys.stderr, flush=True)
    print(f"load: {os.getloadavg()}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")


if __name__ == "__main__":
    main()
