"""Chinese transcription: which ASR prompt form helps, and what homophone repair adds.

Mandarin speech from Kokoro (two voices, two texts naming the glossary's places), transcribed
by the packaged multilingual faster-whisper `base` with each prompt form; per form the
character error rate (jiwer.cer on characters, punctuation and spaces removed) and the
glossary names spelled right, before and after `pipeline.homophones` repair.

Run by hand: `.venv/bin/python bench/zh_asr_bench.py` (about 10 minutes here); needs
kokoro-onnx, misaki[zh] and the Kokoro model and voices in the model cache (tests/mediatools.py
`speak_zh`). The tables go into the README ("Chinese sources").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import jiwer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import subtitles as subs  # noqa: E402
from pipeline.engines.asr import AsrOptions, make_recognizer  # noqa: E402
from pipeline.glossary import Term, asr_prompt, load_glossary  # noqa: E402
from pipeline.homophones import repair_words  # noqa: E402
from tests.mediatools import speak_zh, write_wav  # noqa: E402

TEXTS = {
    "A": "欢迎来到济南，济南被称为泉城。趵突泉的泉水从地下涌出，流进大明湖。"
         "城南的千佛山可以看到整个城市，晚上大家喜欢去芙蓉街吃小吃。",
    "B": "春天，游客先在大明湖边散步，再去趵突泉看三股泉水。登上千佛山以后，可以看到泉城济南。"
         "节日的晚上，全城的人都来到芙蓉街。",
}
VOICES = ("zf_xiaobei", "zm_yunxi")


def prompt_forms(terms: list[Term]) -> dict[str, str | None]:
    names = [t.form("zh") for t in terms if t.own_form("zh")]
    sentence = ("这是一段介绍{0}{1}的视频{s}{1}又称{2}{s}有{3}{s}{4}{s}{5}{s}{6}和{7}{e}")
    order = ["山东", "济南", "泉城", "趵突泉", "黑虎泉", "大明湖", "千佛山", "芙蓉街"]
    assert sorted(order) == sorted(names), names
    return {
        "none": None,
        "names, ASCII ', ' (pipeline)": asr_prompt(terms, "zh"),
        "names, full-width '，' '。'": "，".join(names) + "。",
        "names, '、' '。'": "、".join(names) + "。",
        "names, spaces only": " ".join(names),
        "'Glossary: ' + names, ASCII": "Glossary: " + ", ".join(names) + ".",
        "sentence, ASCII punctuation": sentence.format(*order, s=", ", e="."),
        "sentence, full-width punctuation": sentence.format(*order, s="，", e="。"),
        "English glossary (before this change)": asr_prompt(terms, "en"),
    }


def chars(text: str) -> str:
    """What CER compares: every character but spaces and punctuation (U+FFFD and the
    full-width "４" Whisper invents count as errors)."""
    return "".join(c for c in text if not c.isspace() and not unicodedata.category(c).startswith("P"))


def cer(reference: str, hypothesis: str) -> float:
    return float(jiwer.cer(chars(reference), chars(hypothesis) or "∅"))


def names_right(reference: str, hypothesis: str, terms: list[Term]) -> tuple[int, int]:
    forms = [t.form("zh") for t in terms if t.own_form("zh")]
    want = sum(reference.count(f) for f in forms)
    got = sum(min(reference.count(f), hypothesis.count(f)) for f in forms)
    return got, want


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzzy", action="store_true", help="also repair with fuzzy initials/finals")
    args = parser.parse_args()
    terms = load_glossary(ROOT / "assets" / "glossary.csv")
    recognizer = make_recognizer("faster-whisper", AsrOptions("base"))
    forms = prompt_forms(terms)
    totals: dict[str, list[float]] = {name: [0, 0, 0, 0, 0, 0, 0] for name in forms}
    with tempfile.TemporaryDirectory() as tmp:
        clips = []
        for key, text in TEXTS.items():
            for voice in VOICES:
                samples, rate = speak_zh(text, voice)
                path = Path(tmp) / f"{key}-{voice}.wav"
                write_wav(path, samples, rate)
                clips.append((f"{key}/{voice}", text, path, len(samples) / rate))
                print(f"clip {key}/{voice}: {len(samples) / rate:.1f} s", flush=True)
        for name, prompt in forms.items():
            for label, text, path, seconds in clips:
                t0 = time.perf_counter()
                result = recognizer.transcribe(path, "zh", prompt)
                rtf = (time.perf_counter() - t0) / seconds
                words = [subs.Word(int(w.start * 1000), int(w.end * 1000), w.text)
                         for s in result.segments for w in s.words]
                heard = subs.join_words([w.text for w in words])
                fixed_words, repairs = repair_words(words, terms, "zh", fuzzy=args.fuzzy)
                fixed = subs.join_words([w.text for w in fixed_words])
                before, want = names_right(text, heard, terms)
                after, _ = names_right(text, fixed, terms)
                row = totals[name]
                for i, v in enumerate((cer(text, heard), cer(text, fixed), before, after, want,
                                       rtf, sum(r.applied for r in repairs))):
                    row[i] += v
                print(f"  [{name}] {label}: CER {cer(text, heard):.3f} -> {cer(text, fixed):.3f}, "
                      f"names {before}/{want} -> {after}/{want}: {heard}", flush=True)
                for r in repairs:
                    print(f"      {r.record()}", flush=True)
    n = len(TEXTS) * len(VOICES)
    print("\n| prompt form | CER | names right | CER after repair | names right after repair |"
          " repairs | real-time factor |")
    print("|---|---|---|---|---|---|---|")
    for name, (c0, c1, b, a, want, rtf, reps) in totals.items():
        print(f"| {name} | {c0 / n:.3f} | {int(b)}/{int(want)} | {c1 / n:.3f} | {int(a)}/{int(want)} "
              f"| {int(reps)} | {rtf / n:.2f} |")


if __name__ == "__main__":
    main()
