"""Chinese transcription: which ASR prompt form helps, and what homophone repair adds.

Mandarin speech from Kokoro (two voices, two texts naming the glossary's places), transcribed
by the packaged multilingual faster-whisper `base` with each prompt form; per form the
character error rate (jiwer.cer on characters, punctuation and spaces removed) and the
glossary names spelled right, before and after `pipeline.transcription.homophones` repair.

Run by hand: `.venv/bin/python bench/zh_asr_bench.py` (72 transcriptions: about 20 minutes
here with the other core free; what each form heard is kept in --results, so an interrupted
run goes on where it stopped); needs
kokoro-onnx, misaki[zh] and the Kokoro model and voices in the model cache (tests/mediatools.py
`speak_zh`). The tables go into docs/chinese.md.
"""

from __future__ import annotations

import argparse
import json
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
from pipeline.language.glossary import Term, asr_prompt, load_glossary  # noqa: E402
from pipeline.transcription.homophones import repair_text  # noqa: E402
from tests.mediatools import speak_zh, write_wav  # noqa: E402

TEXTS = {
    "A": "欢迎来到济南，济南被称为泉城。趵突泉的泉水从地下涌出，流进大明湖。"
         "城南的千佛山可以看到整个城市，晚上大家喜欢去芙蓉街吃小吃。",
    "B": "春天，游客先在大明湖边散步，再去趵突泉看三股泉水。登上千佛山以后，可以看到泉城济南。"
         "节日的晚上，全城的人都来到芙蓉街。",
}
VOICES = ("zf_xiaobei", "zf_xiaoni", "zm_yunxi", "zm_yunjian")


def prompt_forms(terms: list[Term]) -> dict[str, str | None]:
    names = [t.form("zh") for t in terms if t.own_form("zh")]
    sentence = ("这是一段介绍{0}{1}的视频{s}{1}又称{2}{s}有{3}{s}{4}{s}{5}{s}{6}和{7}{e}")
    order = ["山东", "济南", "泉城", "趵突泉", "黑虎泉", "大明湖", "千佛山", "芙蓉街"]
    assert sorted(order) == sorted(names), names
    return {
        "none": None,
        "names, ASCII ', '": ", ".join(names) + ".",
        "names, full-width '，' '。'": "，".join(names) + "。",
        "names, '、' '。'": "、".join(names) + "。",
        "names, spaces only": " ".join(names),
        "'Glossary: ' + names, ASCII (pipeline)": asr_prompt(terms, "zh"),
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


def over_repairs(reference: str, before: str, after: str, terms: list[Term]) -> int:
    """Names written more often than the reference has them, beyond what the heard text had:
    a repair that turned an ordinary word into a name."""
    forms = [t.form("zh") for t in terms if t.own_form("zh")]
    return sum(max(0, after.count(f) - reference.count(f)) - max(0, before.count(f) - reference.count(f))
               for f in forms)


def punctuated(text: str) -> bool:
    return any(unicodedata.category(c).startswith("P") for c in text.rstrip("。.!?！？"))


def score(text: str, heard: str, terms: list[Term]) -> dict[str, float]:
    """One clip's numbers: CER and names before and after repair (strict and fuzzy)."""
    fixed, _ = repair_text(heard, terms, "zh")
    fuzzy, _ = repair_text(heard, terms, "zh", fuzzy=True)
    before, want = names_right(text, heard, terms)
    return {"cer": cer(text, heard), "names": before, "cer_rep": cer(text, fixed),
            "names_rep": names_right(text, fixed, terms)[0],
            "names_fuzzy": names_right(text, fuzzy, terms)[0],
            "over": over_repairs(text, heard, fixed, terms),
            "over_fuzzy": over_repairs(text, heard, fuzzy, terms),
            "punct": float(punctuated(heard)), "want": want}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path(tempfile.gettempdir()) / "zh_asr_bench.json",
                        help="what each prompt form heard on each clip; kept between runs, so a "
                             "rerun transcribes only what is missing")
    args = parser.parse_args()
    terms = load_glossary(ROOT / "assets" / "glossary.csv")
    forms = prompt_forms(terms)
    results: dict[str, dict[str, str]] = (json.loads(args.results.read_text(encoding="utf-8"))
                                          if args.results.is_file() else {})
    clips = [(f"{key}/{voice}", key, voice) for key in TEXTS for voice in VOICES]
    todo = [(name, clip) for name in forms for clip in clips if clip[0] not in results.get(name, {})]
    if todo:
        recognizer = make_recognizer("faster-whisper", AsrOptions("base"))
        with tempfile.TemporaryDirectory() as tmp:
            audio: dict[str, Path] = {}
            for name, (label, key, voice) in todo:
                if label not in audio:
                    samples, rate = speak_zh(TEXTS[key], voice)
                    audio[label] = Path(tmp) / f"{key}-{voice}.wav"
                    write_wav(audio[label], samples, rate)
                    print(f"clip {label}: {len(samples) / rate:.1f} s", flush=True)
                t0 = time.perf_counter()
                result = recognizer.transcribe(audio[label], "zh", forms[name])
                words = [w.text for s in result.segments for w in s.words]
                heard = subs.join_words(words)
                results.setdefault(name, {})[label] = heard
                args.results.write_text(json.dumps(results, ensure_ascii=False, indent=1),
                                        encoding="utf-8")
                print(f"  [{name}] {label} ({time.perf_counter() - t0:.0f} s): {heard}", flush=True)
    n = len(clips)
    print(f"\n{n} clips ({', '.join(VOICES)} x texts {', '.join(TEXTS)}); CER is the mean per clip")
    print("| prompt form | CER | names right | CER after repair | names right after repair |"
          " with every merger | wrong repairs (default / every merger) | output punctuated |")
    print("|---|---|---|---|---|---|---|---|")
    for name in forms:
        t: dict[str, float] = {}
        for label, key, _voice in clips:
            for k, v in score(TEXTS[key], results[name][label], terms).items():
                t[k] = t.get(k, 0.0) + v
        w = int(t["want"])
        print(f"| {name} | {t['cer'] / n:.3f} | {int(t['names'])}/{w} | {t['cer_rep'] / n:.3f} | "
              f"{int(t['names_rep'])}/{w} | {int(t['names_fuzzy'])}/{w} | "
              f"{int(t['over'])} / {int(t['over_fuzzy'])} | {int(t['punct'])}/{n} |")


if __name__ == "__main__":
    main()
