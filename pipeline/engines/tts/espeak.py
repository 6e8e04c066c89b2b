"""espeak-ng: formant voices for about 100 languages, offline (Debian package)."""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pipeline.engines.tts.lexicon import apply_lexicon, spoken_text
from pipeline.errors import EngineError


def espeak_bin() -> str | None:
    return shutil.which("espeak-ng") or shutil.which("espeak")


def has_voice(name: str) -> bool:
    exe = espeak_bin()
    if not exe:
        return False
    proc = subprocess.run([exe, "--voices"], capture_output=True, text=True, check=False)
    names = set()
    for line in proc.stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 4:
            names.add(parts[1])
            names.add(parts[3].split("/")[-1])
    return name in names


@functools.lru_cache(maxsize=4)
def version(exe: str) -> str:
    """`espeak-ng --version` (once per process)."""
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    return proc.stdout.strip()


def wpm(rate: float) -> int:
    return int(round(175 * rate))  # espeak-ng's default pace is 175 words a minute


def _checked(name: str) -> str:
    exe = espeak_bin()
    if exe is None:
        raise EngineError("espeak-ng is not installed; apt-get install espeak-ng")
    if not has_voice(name):
        raise EngineError(f"espeak-ng has no voice {name!r}; list them with `espeak-ng --voices`")
    return exe


def identity(name: str, search_dirs: list[Path], digest: Callable[[Path], str]) -> dict[str, Any]:
    """What determines an espeak-ng voice's audio: espeak-ng's version and the voice. (Its
    voices live inside the package, so the version stands for their files.)"""
    return {"engine": "espeak-ng", "voice": name, "version": version(_checked(name))}


class Espeak:
    concurrent = True  # a process per line

    def __init__(self, name: str, search: list[Path], shared: dict[str, Any]) -> None:
        self.exe = _checked(name)
        self.name = name

    def synthesize(self, text: str, out_wav: Path, rate: float = 1.0,
                   lexicon: Mapping[str, str] | None = None) -> None:
        """Lexicon respellings are read; a `/phonemes/` entry falls back to the word."""
        text = spoken_text(apply_lexicon(text, lexicon or {}))
        # text goes on stdin, never through a shell or as an option-looking argument
        proc = subprocess.run([self.exe, "-v", self.name, "-s", str(wpm(rate)), "-w", str(out_wav),
                               "--stdin"],
                              input=text.encode("utf-8"), capture_output=True, check=False)
        if proc.returncode != 0 or not out_wav.exists():
            raise EngineError(f"espeak-ng failed on voice {self.name}: "
                              f"{proc.stderr.decode('utf-8', 'replace').strip()}")
