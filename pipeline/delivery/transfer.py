"""`pipeline deliver --to REMOTE`: a package copied to an rclone remote (SFTP, S3, FTP...),
every file then checked by SHA-256.

Credentials stay with rclone (its config file or RCLONE_CONFIG_<NAME>_* variables): the
remote is only named here, never written to pipeline.yaml or a log. The copy is a `sync` of
the package folder into REMOTE/<outlet>: files already there with the same size and time are
skipped, so a transfer killed halfway resumes where it stopped. The bag's tag manifest goes
last (and is removed first): a receiver that finds it finds a complete bag. Then rclone
reads every file back (`hashsum sha256 --download`: a remote that has no SHA-256 of its own
is read, not trusted) and each must equal the package's.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.cache import file_sha256
from pipeline.errors import ConfigError, PipelineError

LAST = "tagmanifest-sha256.txt"  # a bag is complete when this is there
_COPIED = re.compile(r"INFO\s*:\s*(.+?): (?:Copied|Updated modification time)")


@dataclass(frozen=True)
class Sent:
    source: Path
    remote: str
    files: int  # checked by SHA-256 on the remote
    copied: int  # sent in this run (the others were there already)


def _rclone(args: list[str], what: str) -> str:
    try:
        proc = subprocess.run(["rclone", *args], capture_output=True, check=False)
    except FileNotFoundError as e:
        raise PipelineError("rclone is not installed; run `make demo` or apt-get install "
                            "rclone") from e
    log = proc.stderr.decode("utf-8", "replace")
    if proc.returncode != 0:
        last = " ".join(log.strip().splitlines()[-2:])
        raise PipelineError(f"{what}: rclone failed: {last}; check the remote with "
                            "`rclone lsd REMOTE:` (rclone config, or RCLONE_CONFIG_* variables)")
    return proc.stdout.decode("utf-8", "replace") + log


def destination(package: Path, remote: str) -> str:
    if ":" not in remote:
        raise ConfigError(f"--to {remote!r}: give an rclone remote as NAME:PATH (e.g. "
                          "agency-sftp:inbox), set up with `rclone config`")
    return f"{remote.rstrip('/')}/{package.name}"


def send(package: Path, remote: str) -> Sent:
    """The package at REMOTE/<its folder name>, every file's SHA-256 checked there."""
    dest = destination(package, remote)
    try:
        _rclone(["deletefile", f"{dest}/{LAST}"], "remove the old tag manifest")
    except PipelineError:
        pass  # a first transfer: there is none
    log = _rclone(["sync", str(package), dest, "--exclude", f"/{LAST}", "-v",
                   "--retries", "3"], f"send {package.name}")
    log += _rclone(["copyto", str(package / LAST), f"{dest}/{LAST}", "-v"],
                   f"send {package.name}/{LAST}")
    copied = len({m.group(1) for m in _COPIED.finditer(log) if "Copied" in m.group(0)})
    listing = _rclone(["hashsum", "sha256", "--download", dest], f"check {dest}")
    there = {}
    for line in listing.splitlines():
        digest, _, rel = line.partition("  ")
        if re.fullmatch(r"[0-9a-f]{64}", digest):
            there[rel] = digest
    here = {str(p.relative_to(package)): file_sha256(p)
            for p in sorted(package.rglob("*")) if p.is_file()}
    wrong = [rel for rel, digest in here.items() if there.get(rel) != digest]
    if wrong:
        raise PipelineError(f"{dest}: {len(wrong)} file(s) arrived damaged or not at all "
                            f"({', '.join(wrong[:3])}); run the same `pipeline deliver --to` "
                            "again to resume")
    return Sent(package, remote, len(here), copied)
