"""Send a delivery package (a BagIt bag) to an outlet through rclone, verified and resumable.

rclone speaks SFTP, S3, FTP, WebDAV and forty more; the outlet is an rclone remote
(`name:path`). Its credentials live where rclone keeps them: its config file (RCLONE_CONFIG
or the default one) or RCLONE_CONFIG_<NAME>_... environment variables. They are never passed
on a command line, never accepted inline in the remote string, and every message or progress
line goes through `redact` before anyone sees it.

The package lands in `<remote>/<package folder name>/` and is made equal to the local one
(`rclone sync`: a file withdrawn from the package is deleted there too). Resume is rclone's own
skip rule: a file whose size and hash (size alone, where the two ends share no hash) already
match is not sent again; a file cut short by a killed transfer has the wrong size and is sent
again whole (rclone 1.60 writes SFTP uploads in place; later ones write `*.partial` and rename).
Then every file is checked against the bag's own SHA-256 manifests on the remote side (the
remote's SHA-256 where it computes one, else the file is read back and hashed here): what a
size-only or a stale-hash comparison let through is found there, sent again once, then reported
by name. The tag manifest goes last, after the rest is verified: a bag that has it is complete.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.cache import write_json_atomic
from pipeline.errors import ConfigError, PipelineError

log = logging.getLogger(__name__)

MANIFEST = "manifest-sha256.txt"
TAGMANIFEST = "tagmanifest-sha256.txt"

# parameter names that hold a secret, in rclone connection strings and environment variables
_SECRET_NAME = r"[\w-]*(?:pass|secret|token|key|auth|bearer|cookie|session|sig)[\w-]*"
_INLINE_SECRET = re.compile(rf"((?:^|[,\s]){_SECRET_NAME}\s*=\s*)(\"[^\"]*\"|'[^']*'|[^,:\s]+)",
                            re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(\b[a-z][\w+.-]*://[^/\s:@]+):[^@\s/]+@", re.IGNORECASE)
_ENV_SECRET = re.compile(rf"^RCLONE_{_SECRET_NAME}$", re.IGNORECASE)

_UNKNOWN = re.compile(r"didn't find section in config file|config file .*not found.*section"
                      r"|unknown backend|NewFs: .*not found", re.IGNORECASE)
_DENIED = re.compile(r"unable to authenticate|permission denied|access ?denied|InvalidAccessKeyId"
                     r"|SignatureDoesNotMatch|\b40[13]\b|login incorrect|\b530\b|unauthori[sz]ed",
                     re.IGNORECASE)
_UNREACHABLE = re.compile(r"connection refused|no such host|i/o timeout|network is unreachable"
                          r"|no route to host|couldn't connect|dial tcp|connection reset"
                          r"|handshake failed|timed? ?out", re.IGNORECASE)

# rclone's own prefixes, dropped from the one-line cause
_NOISE = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d |Failed to create file system for "
                    r"\"[^\"]*\": |NewFs: ")


class TransferError(PipelineError):
    """The package did not arrive complete and verified; the message is the one-line cause."""


@dataclass(frozen=True)
class TransferReceipt:
    """What arrived where, verified how; safe to store and show (holds no credential)."""

    package: str                    # the package folder's name
    destination: str                # `<remote>/<package>`, as rclone names it
    files: dict[str, str]           # every file of the package -> its SHA-256, checked on the remote
    bytes: int                      # size of the whole package
    sent: tuple[str, ...]           # files this run sent (new, replaced or cut short before)
    repaired: tuple[str, ...]       # files the verification found wrong and sent again
    deleted: tuple[str, ...]        # files on the remote that the package no longer has
    verified_by: str                # "sha256 on the remote" or "sha256 of the file read back"
    started: str                    # ISO 8601 UTC
    finished: str
    rclone: str                     # rclone's version

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("sent", "repaired", "deleted"):
            out[key] = list(out[key])
        return out


def write_receipt(receipt: TransferReceipt, path: Path) -> None:
    """Store the receipt (temp file, then rename)."""
    write_json_atomic(path, receipt.to_json())


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    """`text` without credentials: URL passwords, `pass=...`-style parameters, and the value of
    any RCLONE_*PASS*/SECRET/TOKEN/KEY environment variable that appears literally."""
    text = _URL_PASSWORD.sub(r"\1:***@", text)
    text = _INLINE_SECRET.sub(r"\1***", text)
    for name, value in (os.environ if env is None else env).items():
        if len(value) >= 4 and _ENV_SECRET.match(name) and value in text:
            text = text.replace(value, "***")
    return text


def _config_part(remote: str) -> str:
    """`name,k=v` of `name,k=v:path` (`:backend,k=v` of `:backend,k=v:path`), quotes honoured."""
    quote = ""
    for i, c in enumerate(remote):
        if quote:
            quote = "" if c == quote else quote
        elif c in "\"'":
            quote = c
        elif c == ":" and i > 0:
            return remote[:i]
    return remote


def check_remote(remote: str) -> str:
    """The remote's name (`name:path`, or the backend of `:backend,...:path`).

    Refuses (ConfigError) a remote string that carries a credential: it would end up in shell
    history, pipeline.yaml and logs."""
    if _URL_PASSWORD.search(remote) or _INLINE_SECRET.search(_config_part(remote)):
        raise ConfigError(f"remote {redact(remote)!r} carries a credential: keep it out of the "
                          "command line and pipeline.yaml; put it in rclone's config (`rclone "
                          "config`) or RCLONE_CONFIG_<NAME>_PASS (made by `rclone obscure`)")
    if ":" not in remote:
        raise ConfigError(f"--to {remote!r}: give an rclone remote as NAME:PATH (e.g. "
                          "agency_sftp:inbox), set up with `rclone config` or RCLONE_CONFIG_"
                          "<NAME>_... variables")
    if remote.startswith(":"):
        return remote[1:].split(",", 1)[0].split(":", 1)[0]
    return remote.split(":", 1)[0].split(",", 1)[0]


def read_manifest(path: Path) -> dict[str, str]:
    """A BagIt manifest: `<sha256> <path>` lines -> {path: sha256} (paths as the bag encodes
    them: %0A, %0D and %25 decoded)."""
    entries: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        digest, _, name = line.strip().partition(" ")
        name = name.strip().replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
        entries[name] = digest.lower()
    return entries


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def expected_hashes(package_dir: Path) -> dict[str, str]:
    """Every file of the package -> the SHA-256 it must have on arrival: from the bag's manifests
    (payload and tag files), computed here for the files no manifest lists (the tag manifest)."""
    manifest = package_dir / MANIFEST
    if not manifest.is_file():
        raise TransferError(f"{package_dir}: not a delivery package (no {MANIFEST}); "
                            "make it with `pipeline deliver` first")
    listed = read_manifest(manifest)
    if (package_dir / TAGMANIFEST).is_file():
        listed.update(read_manifest(package_dir / TAGMANIFEST))
    present = {p.relative_to(package_dir).as_posix(): p
               for p in sorted(package_dir.rglob("*")) if p.is_file()}
    missing = sorted(set(listed) - set(present))
    if missing:
        raise TransferError(f"{package_dir}: {missing[0]} is listed in the manifest but missing"
                            f"{f' (and {len(missing) - 1} more)' if len(missing) > 1 else ''}; "
                            "rebuild the package with `pipeline deliver`")
    return {rel: listed.get(rel) or sha256_file(path) for rel, path in present.items()}


def destination(package: Path, remote: str) -> str:
    """Where the package goes: `<remote>/<package folder name>`."""
    check_remote(remote)
    if remote.endswith((":", ":/")):
        return remote + package.name
    return f"{remote.rstrip('/')}/{package.name}"


def _size(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _progress_line(dest: str, stats: Mapping[str, Any]) -> str:
    done, total = stats.get("bytes", 0) or 0, stats.get("totalBytes", 0) or 0
    pct = f" ({100 * done / total:.0f}%)" if total else ""
    eta = stats.get("eta")
    return (f"transfer {dest}: {_size(done)} of {_size(total)}{pct}, "
            f"{stats.get('transfers', 0)} of {stats.get('totalTransfers', 0)} files"
            + (f", {_size(stats['speed'])}/s" if stats.get("speed") else "")
            + (f", ETA {eta:.0f}s" if eta else ""))


@functools.lru_cache(maxsize=4)
def _version(exe: str) -> str:
    out = subprocess.run([exe, "version"], capture_output=True, text=True, check=False)
    first = out.stdout.splitlines()[0] if out.stdout else ""
    return first.removeprefix("rclone ").strip()


class _Rclone:
    """rclone through argv lists; credentials reach it only through its config or environment."""

    def __init__(self, exe: str | None, progress: Callable[[str], None]) -> None:
        found = shutil.which(exe or "rclone")
        if not found:
            raise TransferError("rclone is not installed: `apt-get install rclone` "
                                "(`make setup` installs it)")
        self.exe = found
        self.progress = progress

    def version(self) -> str:
        return _version(self.exe)

    def stream(self, args: list[str], dest: str) -> tuple[int, list[dict[str, Any]], list[str]]:
        """Run with JSON logs; progress lines as they come. -> (exit code, log records, errors)."""
        argv = [self.exe, *args, "--use-json-log", "-v", "--stats", "1s"]
        records: list[dict[str, Any]] = []
        errors: list[str] = []
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                errors="replace")
        try:
            assert proc.stderr is not None
            for line in proc.stderr:
                line = line.strip()
                if not line:
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if not isinstance(record, dict):
                    if "NOTICE" not in line:
                        errors.append(line)
                    continue
                records.append(record)
                if isinstance(record.get("stats"), dict):
                    self.progress(redact(_progress_line(dest, record["stats"])))
                elif record.get("level") in ("error", "critical", "fatal"):
                    obj = record.get("object")
                    errors.append(f"{obj}: {record.get('msg', '')}" if obj else
                                  str(record.get("msg", "")))
            code = proc.wait()
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        return code, records, errors

    def run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.exe, *args], capture_output=True, text=True,
                              encoding="utf-8", errors="replace", check=False)


def _cause(name: str, dest: str, errors: Iterable[str]) -> str:
    lines = [e for e in errors if e.strip()]
    text = " ".join(lines)
    detail = redact(" ".join((lines[-1] if lines else "rclone failed").split()))
    detail = _NOISE.sub("", detail)[:240]
    env = f"RCLONE_CONFIG_{re.sub(r'[^A-Za-z0-9]', '_', name).upper()}"
    if "didn't find backend called" in text:
        return (f"remote {name!r} has a type rclone does not know ({detail}): fix `type` in "
                f"rclone's config or {env}_TYPE (`rclone help backends` lists them)")
    if _UNKNOWN.search(text):
        if not re.fullmatch(r"\w+", name):   # environment variables cannot define this name
            return f"remote {name!r} is not configured: add it with `rclone config`"
        return (f"remote {name!r} is not configured: add it with `rclone config` or set {env}_TYPE "
                f"and the other {env}_... variables")
    if _DENIED.search(text):
        return (f"remote {name!r} refused access ({detail}): check the user and password in "
                f"rclone's config or the {env}_... variables")
    if _UNREACHABLE.search(text):
        return (f"remote {name!r} is unreachable ({detail}): check the host, port and network, "
                "then run again (files already there are not sent again)")
    return f"transfer to {redact(dest)} failed: {detail}; run again to resume"


def _copied(records: Iterable[dict[str, Any]]) -> tuple[list[str], list[str]]:
    sent, deleted = [], []
    for r in records:
        msg, obj = str(r.get("msg", "")), r.get("object")
        if not isinstance(obj, str):
            continue
        if msg.startswith("Copied (") or msg.startswith("Moved ("):
            sent.append(obj)
        elif msg.startswith("Deleted"):
            deleted.append(obj)
    return sent, deleted


def _remote_hashes(rc: _Rclone, name: str, dest: str, download: bool,
                   only: Iterable[str] | None = None) -> dict[str, str]:
    """{path: sha256} of what is on the remote (of the files `only` names, when given)."""
    listing = None
    args = ["hashsum", "sha256", dest] + (["--download"] if download else [])
    if only is not None:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False,
                                         encoding="utf-8") as f:
            f.write("".join(f"{rel}\n" for rel in only))
        listing = f.name
        args += ["--files-from-raw", listing]
    try:
        out = rc.run(args)
    finally:
        if listing:
            os.unlink(listing)
    hashes: dict[str, str] = {}
    for line in out.stdout.splitlines():
        digest, sep, rel = line.partition("  ")
        if sep and re.fullmatch(r"[0-9a-fA-F]{64}", digest):
            hashes[rel] = digest.lower()
    errors = [ln for ln in out.stderr.splitlines() if "NOTICE" not in ln]
    if out.returncode != 0 and any(r.search(" ".join(errors))
                                   for r in (_UNKNOWN, _DENIED, _UNREACHABLE)):
        raise TransferError(_cause(name, dest, errors))
    return hashes       # a file missing here is one that did not arrive


def _sha256_native(rc: _Rclone, dest: str) -> bool:
    """Whether the remote computes SHA-256 itself (else every file is read back and hashed)."""
    features = rc.run(["backend", "features", dest])
    try:
        return "sha256" in (json.loads(features.stdout).get("Hashes") or [])
    except (ValueError, AttributeError):
        return False


def _preflight(rc: _Rclone, name: str, dest: str) -> set[str]:
    """The files at the top of the package's folder there (none when it is not there yet).

    Fails fast with the cause: rclone's default low-level retries make a wrong password or a
    closed port take ~11 s on loopback, minutes on a real network, before a sync gives up."""
    out = rc.run(["lsf", dest, "--max-depth", "1", "--files-only", "--retries", "1",
                  "--low-level-retries", "2", "--contimeout", "15s"])
    if out.returncode not in (0, 3):      # 3: the package's folder is not there yet
        raise TransferError(_cause(name, dest, [ln for ln in out.stderr.splitlines()
                                                if "NOTICE" not in ln]))
    return set(out.stdout.splitlines()) if out.returncode == 0 else set()


def _bad(expected: Mapping[str, str], found: Mapping[str, str]) -> list[str]:
    return sorted(rel for rel, digest in expected.items() if found.get(rel) != digest)


@dataclass
class _Run:
    """One transfer's moving parts, so its steps stay small."""

    rc: _Rclone
    name: str
    package_dir: Path
    dest: str
    common: list[str]
    download: bool = True
    say: Callable[[str], None] = log.info

    def copy(self, args: list[str]) -> tuple[list[str], list[str]]:
        code, records, errors = self.rc.stream(args + self.common, self.dest)
        if code != 0:
            raise TransferError(_cause(self.name, self.dest, errors))
        return _copied(records)

    def verify(self, expected: Mapping[str, str], only: Iterable[str] | None = None) -> list[str]:
        """Check `expected` on the remote; send what differs again, once. -> what was resent."""
        bad = _bad(expected, _remote_hashes(self.rc, self.name, self.dest, self.download, only))
        if not bad:
            return []
        self.say(redact(f"transfer {self.dest}: {len(bad)} file(s) differ on the remote "
                        f"({bad[0]}{', ...' if len(bad) > 1 else ''}); sending them again"))
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False,
                                         encoding="utf-8") as listing:
            listing.write("".join(f"{rel}\n" for rel in bad))
        try:
            self.copy(["copy", str(self.package_dir), self.dest, "--files-from-raw",
                       listing.name, "--ignore-times", "--copy-links"])
        finally:
            os.unlink(listing.name)
        found = _remote_hashes(self.rc, self.name, self.dest, self.download, bad)
        still = _bad({rel: expected[rel] for rel in bad}, found)
        if still:
            rel = still[0]
            if sha256_file(self.package_dir / rel) != expected[rel]:
                raise TransferError(f"{self.package_dir}: {rel} does not match the package's "
                                    "manifest: the package is damaged; rebuild it with "
                                    "`pipeline deliver`")
            got = found.get(rel)
            what = (f"has SHA-256 {got[:12]}..., expected {expected[rel][:12]}..." if got
                    else "is missing")
            more = f" (and {len(still) - 1} more)" if len(still) > 1 else ""
            raise TransferError(redact(f"checksum mismatch: {rel} on {self.dest} {what} after "
                                       f"sending it again{more}; check the remote's disk or "
                                       "storage, then run again"))
        return bad


def transfer(package_dir: Path, remote: str, *, progress: Callable[[str], None] | None = None,
             bwlimit: str | None = None, transfers: int = 4, retries: int = 3,
             rclone: str | None = None) -> TransferReceipt:
    """Send `package_dir` to `<remote>/<its name>/`, verify every file's SHA-256 there.

    The bag's tag manifest goes last, once everything else is verified (and an old one is
    removed first): a receiver that finds it finds a complete, checked bag. Run it again after
    any failure or kill: what already arrived intact is not sent again. Raises ConfigError for
    a remote that carries a credential or names no remote, TransferError (one line, no
    credential) when the package cannot be made to arrive intact.
    """
    say = progress or log.info
    package_dir = Path(package_dir)
    name = check_remote(remote)
    expected = expected_hashes(package_dir)
    dest = destination(package_dir, remote)
    rc = _Rclone(rclone, say)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    total = sum((package_dir / rel).stat().st_size for rel in expected)
    say(redact(f"transfer {dest}: {len(expected)} files, {_size(total)}"))
    there = _preflight(rc, name, dest)
    run = _Run(rc, name, package_dir, dest, say=say, common=[
        "--retries", str(retries), "--transfers", str(max(1, transfers)), "--checksum",
        *(["--bwlimit", bwlimit] if bwlimit else [])])
    last = TAGMANIFEST if TAGMANIFEST in expected else None
    body = {rel: digest for rel, digest in expected.items() if rel != last}
    if last in there and _remote_hashes(rc, name, dest, True, [last]).get(last) != expected[last]:
        rc.run(["deletefile", f"{dest}/{last}"])          # none there yet: nothing to do

    # --checksum: skip on size + hash where both ends have one (else size), so a file cut short
    # or changed on the remote is sent again; --copy-links sends what a link points to
    sent, deleted = run.copy(["sync", str(package_dir), dest, "--copy-links",
                              *(["--exclude", f"/{last}"] if last else [])])
    run.download = not _sha256_native(rc, dest)
    repaired = run.verify(body)
    if last:
        more, _ = run.copy(["copyto", str(package_dir / last), f"{dest}/{last}"])
        sent += more
        repaired += run.verify({last: expected[last]}, [last])
    how = "sha256 of the file read back" if run.download else "sha256 on the remote"
    receipt = TransferReceipt(
        package=package_dir.name, destination=redact(dest), files=dict(sorted(expected.items())),
        bytes=total, sent=tuple(sorted(set(sent))), repaired=tuple(repaired),
        deleted=tuple(sorted(set(deleted))), verified_by=how,
        started=started, finished=datetime.now(UTC).isoformat(timespec="seconds"),
        rclone=rc.version())
    say(redact(f"transfer {dest}: {len(expected)} files verified ({how}); "
               f"{len(receipt.sent)} sent, {len(repaired)} sent again"))
    return receipt


@dataclass(frozen=True)
class Sent:
    """What `pipeline deliver --to` prints for a package (see `transfer` for the receipt)."""

    source: Path
    remote: str
    files: int      # checked by SHA-256 on the remote
    copied: int     # sent in this run (the others were there already)
    receipt: TransferReceipt | None = None


def send(package: Path, remote: str, progress: Callable[[str], None] | None = None) -> Sent:
    """The package at REMOTE/<its folder name>, every file's SHA-256 checked there."""
    r = transfer(package, remote, progress=progress)
    return Sent(Path(package), redact(remote), len(r.files), len(set(r.sent) | set(r.repaired)), r)
