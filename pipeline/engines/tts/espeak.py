"""espeak-ng: formant voices for about 100 languages, offline (Debian package)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

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


def _checked(name: str) -> str:
    exe = espeak_bin()
    if exe is None:
        raise EngineError("espeak-ng is not installed; apt-get install espeak-ng")
    if not has_voice(name):
        raise EngineError(f"espeak-ng has no voice {name!r}; list them with `espeak-ng --voices`")
    return exe


def voice_identity(name: str) -> dict[str, Any]:
    """A formant voice is its name and the program's version (no model file)."""
    exe = _checked(name)
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=False)
    return {"engine": "espeak-ng", "voice": name, "version": version.stdout.strip()}


class Espeak:
    def __init__(self, name: str) -> None:
        self.exe = _checked(name)
        self.name = name

    def synthesize(self, text: str, out_wav: Path, rate: float = 1.0) -> None:
        wpm = int(round(175 * rate))  # espeak-ng's default pace is 175 words a minute
        # text goes on stdin, never through a shell or as an option-looking argument
        proc = subprocess.run([self.exe, "-v", self.name, "-s", str(wpm), "-w", str(out_wav),
                               "--stdin"],
                              input=text.encode("utf-8"), capture_output=True, check=False)
        if proc.returncode != 0 or not out_wav.exists():
            raise EngineError(f"espeak-ng failed on voice {self.name}: "
                              f"{proc.stderr.decode('utf-8', 'replace').strip()}")
