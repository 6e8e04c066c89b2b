"""Transcription on real models: the glossary helps, silence and music give no text,
non-English speech is refused by an English-only model, openai-whisper loads by path."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jiwer
import pytest
import yaml

from pipeline.engines.asr import AsrOptions, make_recognizer
from pipeline.errors import EngineError
from pipeline.language.glossary import asr_prompt, load_glossary
from tests import mediatools as mt
from tests.conftest import GLOSSARY

pytestmark = pytest.mark.slow

PARAGRAPHS = [
    "Jinan is the capital of Shandong and is known as the City of Springs.",
    "Baotu Spring is the most famous of them, and its water surges up in three columns.",
    "Black Tiger Spring pours out of carved stone heads, and the water runs into Daming Lake.",
    "In the evening, Furong Street fills with lanterns, music and snacks.",
]
NORMALIZE = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(),
                           jiwer.RemoveMultipleSpaces(), jiwer.Strip()])


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("asr") / "speech.wav"
    audio, _ = mt.speech_track(PARAGRAPHS, lead=0.5, pause=0.5, tail=0.5)
    mt.write_wav(path, audio)
    return path


@pytest.fixture(scope="module")
def glossary_prompt(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("gl") / "glossary.csv"
    path.write_text(GLOSSARY + "Black Tiger Spring,Black Tiger Spring,,黑虎泉,\n"
                    "Furong Street,Furong Street,,芙蓉街,\nShandong,Shandong,,山东,\n", encoding="utf-8")
    prompt = asr_prompt(load_glossary(path))
    assert prompt
    return prompt


def word_error_rate(hypothesis: str) -> float:
    return float(jiwer.wer(NORMALIZE(" ".join(PARAGRAPHS)), NORMALIZE(hypothesis)))


def test_glossary_prompt_lowers_word_error_rate(speech: Path, glossary_prompt: str) -> None:
    asr = make_recognizer("faster-whisper", AsrOptions("tiny.en"))
    plain = " ".join(s.text for s in asr.transcribe(speech, "en", None).segments)
    prompted = " ".join(s.text for s in asr.transcribe(speech, "en", glossary_prompt).segments)
    assert word_error_rate(prompted) < word_error_rate(plain), (plain, prompted)
    assert word_error_rate(prompted) < 0.15
    assert "Baotu Spring" in prompted


def test_word_timings_are_monotonic_and_inside_the_audio(speech: Path) -> None:
    asr = make_recognizer("faster-whisper", AsrOptions("tiny.en"))
    words = [w for s in asr.transcribe(speech, "en", None).segments for w in s.words]
    assert words
    length = mt.read_wav(speech)[0].size / mt.RATE
    for a, b in zip(words, words[1:]):
        assert a.start <= a.end <= b.start + 0.01
    assert words[-1].end <= length + 0.1


def test_english_only_model_refuses_german_speech(tmp_path: Path) -> None:
    wav = tmp_path / "de.wav"
    subprocess.run(["espeak-ng", "-v", "de", "-w", str(wav),
                    "Jinan ist die Hauptstadt der Provinz Shandong und wird die Stadt der Quellen "
                    "genannt. Jedes Jahr besuchen viele Touristen den See und die Quellen."],
                   check=True)
    asr = make_recognizer("faster-whisper", AsrOptions("tiny.en"))
    with pytest.raises(EngineError, match="'de'.*English-only"):
        asr.transcribe(wav, None, None)


def test_silent_and_music_clips_give_no_subtitles(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    mt.ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=8", "-f", "lavfi", "-i",
              "anullsrc=r=48000:cl=stereo", "-t", "8", "-c:v", "libx264", "-preset", "superfast",
              "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", str(media / "quiet.mp4"))
    music = ("aevalsrc='0.3*sin(2*PI*(220+110*floor(mod(t,4)))*t)+0.2*sin(2*PI*330*t)*sin(2*PI*2*t)"
             "+0.1*sin(2*PI*523*t)':s=48000:d=8")
    mt.ffmpeg("-f", "lavfi", "-i", "testsrc2=s=320x180:r=25:d=8", "-f", "lavfi", "-i", music,
              "-t", "8", "-c:v", "libx264", "-preset", "superfast", "-pix_fmt", "yuv420p",
              "-c:a", "aac", str(media / "music.mp4"))
    config = tmp_path / "pipeline.yaml"
    config.write_text(yaml.safe_dump({
        "inputs": ["media/*.mp4"], "languages": ["en"], "translate": {"glossary": None},
        "render": {"profiles": {"small": {"width": 320, "height": 180}}, "preset": "superfast"},
        "scan": {"engine": "none"},  # testsrc2's running clock is text (test_onscreen.py)
    }), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "-c", str(config)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    for name in ("quiet", "music"):
        record = json.loads((tmp_path / "outputs" / name / "source" / "transcript.json").read_text())
        assert record["events"] == [], record["events"]
        assert (tmp_path / "outputs" / name / "source" / "transcript.srt").read_text().strip() == ""
        assert (tmp_path / "outputs" / name / "en" / f"{name}.en.small.mp4").exists()
    assert "no speech found" in proc.stderr


def test_openai_whisper_backend_transcribes_with_a_checkpoint_loaded_by_path(
        tmp_path: Path, speech: Path) -> None:
    """The packaged tiny.en weights converted to an openai-whisper checkpoint (no official
    one ships in a package): the engine loads it by path and writes the words, timed."""
    pytest.importorskip("torch", reason="openai-whisper needs torch (make test installs it)")
    pytest.importorskip("whisper")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "ct2_to_openai_whisper", Path(__file__).parent.parent / "bench" / "ct2_to_openai_whisper.py")
    assert spec and spec.loader
    converter = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(converter)
    checkpoint = converter.ensure_checkpoint("tiny.en", tmp_path)
    asr = make_recognizer("openai-whisper", AsrOptions(str(checkpoint), beam_size=1))
    result = asr.transcribe(speech, "en", None)
    text = " ".join(s.text for s in result.segments)
    assert word_error_rate(text) < 0.3, text
    words = [w for s in result.segments for w in s.words]
    assert len(words) > 40
    assert all(a.start <= b.start for a, b in zip(words, words[1:]))  # in order, timed
    assert words[-1].end <= mt.duration(speech) + 0.5
