"""The Kokoro engine on the real model: what it says is heard back, files that make its identity,
and the one-line causes when a file is missing or damaged."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pipeline.engines.asr import roundtrip
from pipeline.engines import kokoro_setup as files
from pipeline.engines import tts
from pipeline.cache import sha256_file
from pipeline.engines.tts import kokoro
from pipeline.errors import ConfigError, EngineError

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dora() -> kokoro.KokoroTTS:
    return kokoro.KokoroTTS("pf_dora", [], {})


@pytest.fixture(scope="module")
def whisper() -> Any:
    return roundtrip.load_whisper()


@pytest.fixture()
def own_voice(tmp_path: Path) -> Path:
    """A project voices folder holding a copy of pf_dora.bin (it wins over the cache's)."""
    folder = tmp_path / "voices"
    folder.mkdir()
    shutil.copyfile(files.voices_dir() / "pf_dora.bin", folder / "pf_dora.bin")
    return folder


def test_a_mandarin_line_is_heard_back(whisper: Any, tmp_path: Path) -> None:
    text = "清澈的泉水分三股喷涌而出，泉水向北汇入大明湖。"
    tts.make_voice(tts.default_voice("zh"), []).synthesize(text, tmp_path / "zh.wav")
    heard = roundtrip.transcribe(whisper, tmp_path / "zh.wav", "zh")
    assert roundtrip.error_rate(text, heard, "zh") <= 0.25, heard


def test_the_same_line_gives_the_same_samples(dora: kokoro.KokoroTTS, tmp_path: Path) -> None:
    dora.synthesize("Bom dia.", tmp_path / "a.wav")
    dora.synthesize("Bom dia.", tmp_path / "b.wav")
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def test_lexicon_phonemes_are_spliced_into_the_line(dora: kokoro.KokoroTTS) -> None:
    plain = dora.phonemize("Bem-vindo a Jinan, a capital.").phonemes
    taught = dora.phonemize("Bem-vindo a Jinan, a capital.", {"Jinan": "/dʒinˈan/"}).phonemes
    assert "ʒinˈɐ̃ŋ" in plain and "dʒinˈan" not in plain
    assert "dʒinˈan," in taught and "ʒinˈɐ̃ŋ" not in taught
    # a respelling goes through the phonemizer like any text
    assert "dʒ" in dora.phonemize("Jinan", {"Jinan": "Djinan"}).phonemes


def test_lexicon_phonemes_kokoro_does_not_know_are_refused(dora: kokoro.KokoroTTS) -> None:
    with pytest.raises(EngineError, match=r"'Jinan' is /dʒin#an/, and Kokoro has no phoneme #"):
        dora.phonemize("Jinan", {"Jinan": "/dʒin#an/"})


def test_identity_follows_the_voice_file_bytes(own_voice: Path) -> None:
    first = tts.identity("kokoro:pf_dora", [own_voice], sha256_file)
    assert first["model_sha256"] == files.MODEL_SHA256
    assert first["language"] == "pt-br" and first["phonemizer"]["name"] == "espeak-ng"
    data = bytearray((own_voice / "pf_dora.bin").read_bytes())
    data[1000:1004] = np.float32(0.5).tobytes()
    (own_voice / "pf_dora.bin").write_bytes(bytes(data))
    second = tts.identity("kokoro:pf_dora", [own_voice], sha256_file)
    assert second["voice_sha256"] != first["voice_sha256"]
    assert {k: v for k, v in second.items() if k != "voice_sha256"} == \
        {k: v for k, v in first.items() if k != "voice_sha256"}


def test_identity_takes_the_callers_hasher(own_voice: Path) -> None:
    seen: list[str] = []

    def digest(path: Path) -> str:
        seen.append(path.name)
        return sha256_file(path)

    ident = tts.identity("kokoro:pf_dora", [own_voice], digest)
    assert ident["voice_sha256"] == sha256_file(own_voice / "pf_dora.bin")
    assert set(seen) == {"pf_dora.bin"}  # the model is known by its pinned digest


def test_piper_and_espeak_identities_are_file_digests() -> None:
    piper = tts.identity("piper:en_US-joe-medium", [], sha256_file)
    assert len(piper["model_sha256"]) == 64 and len(piper["config_sha256"]) == 64
    assert "eSpeak NG" in tts.identity("espeak:pt-br", [], sha256_file)["version"]


def test_a_missing_voice_file_names_it_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(EngineError) as err:
        tts.make_voice("kokoro:pf_nobody", [tmp_path])
    message = str(err.value)
    assert "pf_nobody.bin is missing" in message and "pipeline models install kokoro" in message
    assert "\n" not in message


def test_a_truncated_voice_file_names_it_and_the_fix(own_voice: Path) -> None:
    path = own_voice / "pf_dora.bin"
    path.write_bytes(path.read_bytes()[:100_000])
    with pytest.raises(EngineError) as err:
        tts.make_voice("kokoro:pf_dora", [own_voice])
    assert f"{path} has 100000 bytes, not 522240" in str(err.value)
    assert "pipeline models install kokoro" in str(err.value)


def test_a_voice_file_of_garbage_is_refused(own_voice: Path) -> None:
    path = own_voice / "pf_dora.bin"
    path.write_bytes(np.full(510 * 256, np.nan, dtype=np.float32).tobytes())
    with pytest.raises(EngineError, match=f"{path} is damaged"):
        tts.make_voice("kokoro:pf_dora", [own_voice])


def test_voice_names_and_languages() -> None:
    assert kokoro.voice_language("pf_dora") == "pt-br"
    assert kokoro.voice_language("zm_yunxi") == "zh"
    with pytest.raises(ConfigError, match="not a Kokoro voice name"):
        kokoro.voice_language("xx_dora")


def test_default_voices() -> None:
    assert tts.default_voice("en") == "piper:en_US-joe-medium"
    assert tts.default_voice("pt") == tts.default_voice("pt-BR") == tts.KOKORO_DEFAULTS["pt"]
    assert tts.default_voice("de") == "espeak:de"
    for lang, spec in tts.KOKORO_DEFAULTS.items():
        name = tts.split_spec(spec)[1]
        assert kokoro.voice_language(name).split("-")[0] == lang
        assert (files.voices_dir() / f"{name}.bin").is_file()


def test_doctor_checks_the_model_and_each_kokoro_voice(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    voices = tmp_path / "assets" / "voices"
    voices.mkdir(parents=True)
    (voices / "pm_alex.bin").write_bytes(b"\0" * 1000)  # a damaged voice of the project's own
    (tmp_path / "pipeline.yaml").write_text(
        "inputs: ['media/*.mp4']\nsource_language: en\nlanguages: [pt, es, zh]\n"
        "translate: {engine: provided}\n"
        "narration: {voices: {pt: 'kokoro:pf_dora', es: 'kokoro:pm_alex', zh: 'kokoro:pf_dora'}}\n",
        encoding="utf-8")
    assert main(["doctor", "-c", str(tmp_path / "pipeline.yaml")]) == 1
    out = capsys.readouterr().out
    assert f"ok   Kokoro model {files.model_path()} (sha256 {files.MODEL_SHA256[:12]}... ok)" in out
    assert "ok   pt: voice kokoro:pf_dora (pt-br" in out
    assert f"FAIL es: voice kokoro:pm_alex\n     fix: the Kokoro voice file {voices / 'pm_alex.bin'} " \
           "has 1000 bytes" in out
    assert "FAIL zh: voice kokoro:pf_dora speaks pt-br, not zh" in out


def test_models_list_shows_each_kokoro_voice_and_its_language(
        capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.cli import main

    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"kokoro:pf_dora +pt-br\n", out) and re.search(r"kokoro:zm_yunxi +zh\n", out)
    assert out.count("    kokoro:") == 54
