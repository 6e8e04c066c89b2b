"""Sending a delivery package to an outlet: a real SFTP server (`rclone serve sftp` on
127.0.0.1, a password only the environment knows) serving a temporary folder, and a real BagIt
bag of a few MB. What arrives is hashed on the server's own folder."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bagit
import pytest

from pipeline.delivery.transfer import TransferError, check_remote, redact, transfer
from pipeline.errors import ConfigError

SECRET = "Spr1ngs-outlet-pw-7f3a9c"   # the outlet's password: must never be seen
USER = "jinan-delivery"
BIG = 1_000_000                       # three payload files this size, plus small ones


@dataclass
class Server:
    root: Path
    port: int
    obscured: str                     # SECRET as rclone's config holds it


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("sftp")
    root = base / "outlet"
    root.mkdir()
    conf = str(base / "rclone.conf")          # none: the server and clients use no user config
    (base / "no-keys").touch()                # password only: no authorized key
    proc = subprocess.Popen(
        ["rclone", "serve", "sftp", str(root), "--addr", "127.0.0.1:0", "--user", USER,
         "--pass", SECRET, "--authorized-keys", str(base / "no-keys"), "--config", conf,
         "--cache-dir", str(base / "cache")],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port: list[int] = []
        said: list[str] = []
        ready = threading.Event()

        def watch() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:          # drained to the end, so the server never blocks
                said.append(line)
                if "listening on 127.0.0.1:" in line and not port:
                    port.append(int(line.rsplit(":", 1)[1]))
                    ready.set()
            ready.set()

        threading.Thread(target=watch, daemon=True).start()
        assert ready.wait(20) and port, f"rclone serve sftp did not start: {said[-3:]}"
        obscured = subprocess.run(["rclone", "obscure", SECRET], capture_output=True, text=True,
                                  check=True).stdout.strip()
        yield Server(root, port[0], obscured)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def outlet(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    """The remote `outlet:` configured through environment variables only."""
    monkeypatch.setenv("RCLONE_CONFIG", str(tmp_path / "no-rclone.conf"))
    for key, value in {"TYPE": "sftp", "HOST": "127.0.0.1", "PORT": str(server.port),
                       "USER": USER, "PASS": server.obscured}.items():
        monkeypatch.setenv(f"RCLONE_CONFIG_OUTLET_{key}", value)
    return server


@pytest.fixture
def bag(tmp_path: Path) -> Path:
    """A real BagIt bag: three renders' worth of random bytes, captions (one named in Chinese)."""
    folder = tmp_path / "jinan-springs-broadcast-ebu"
    rng = random.Random(21)
    (folder / "en").mkdir(parents=True)
    (folder / "zh").mkdir()
    for i, lang in enumerate(("en", "zh", "ar")):
        (folder / ("zh" if lang == "zh" else "en") / f"springs.{lang}.mp4").write_bytes(
            rng.randbytes(BIG + i))
    (folder / "en" / "springs.en.srt").write_text("1\n00:00:00,000 --> 00:00:02,000\nJinan\n")
    (folder / "zh" / "泉城.zh.ttml").write_text("<tt>济南</tt>\n", encoding="utf-8")
    bagit.make_bag(str(folder), {"Source-Organization": "Jinan ICC"}, checksums=["sha256"])
    return folder


def _arrived(server: Server, package: Path) -> dict[str, str]:
    there = server.root / package.name
    return {p.relative_to(there).as_posix(): _sha256(p) for p in there.rglob("*") if p.is_file()}


def _local(package: Path) -> dict[str, str]:
    return {p.relative_to(package).as_posix(): _sha256(p) for p in package.rglob("*") if p.is_file()}


def _no_secret(server: Server, *texts: str) -> None:
    for text in texts:
        assert SECRET not in text and server.obscured not in text and USER + ":" not in text


def test_every_file_arrives_with_its_sha256(outlet: Server, bag: Path,
                                            caplog: pytest.LogCaptureFixture) -> None:
    lines: list[str] = []
    caplog.set_level(logging.DEBUG)
    receipt = transfer(bag, "outlet:incoming", progress=lines.append)

    there = outlet.root / "incoming" / bag.name
    arrived = {p.relative_to(there).as_posix(): _sha256(p) for p in there.rglob("*") if p.is_file()}
    assert arrived == _local(bag) and len(arrived) == 9       # 5 payload + 4 tag files
    assert bagit.Bag(str(there)).is_valid()
    manifest = dict(reversed(line.split(None, 1)) for line in
                    (bag / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines())
    assert {rel: arrived[rel] for rel in manifest} == manifest
    assert receipt.files == arrived and set(receipt.sent) == set(arrived)
    assert receipt.destination == f"outlet:incoming/{bag.name}"
    assert receipt.bytes == sum(p.stat().st_size for p in bag.rglob("*") if p.is_file())
    assert lines[-1].endswith("9 files verified (sha256 of the file read back); 9 sent, 0 sent again")
    assert any("MB of" in line for line in lines)                 # rclone's progress, one line
    again = transfer(bag, "outlet:incoming", progress=lines.append)
    assert again.sent == () and again.repaired == () and again.files == arrived

    # the package changes (a version withdrawn): the outlet's copy follows, and only the
    # files that changed travel
    (bag / "data" / "zh" / "springs.zh.mp4").unlink()
    bagit.Bag(str(bag)).save(manifests=True)
    third = transfer(bag, "outlet:incoming", progress=lines.append)
    assert third.deleted == ("data/zh/springs.zh.mp4",)
    assert set(third.sent) == {"bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"}
    assert bagit.Bag(str(there)).is_valid()
    _no_secret(outlet, *(json.dumps(r.to_json()) for r in (receipt, again, third)),
               "\n".join(lines), caplog.text)


def test_killed_transfer_resumes_and_sends_only_what_is_missing(outlet: Server, bag: Path) -> None:
    # a separate process, as `pipeline deliver --to` would be, slowed down and killed (whole
    # process group: pipeline and its rclone) while the second render is on its way
    code = ("import sys; from pathlib import Path; from pipeline.delivery.transfer import transfer;"
            "transfer(Path(sys.argv[1]), 'outlet:', bwlimit='1M', transfers=1)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen([sys.executable, "-c", code, str(bag)], env=env,
                            start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    there = outlet.root / bag.name
    sizes = {p.relative_to(bag).as_posix(): p.stat().st_size
             for p in (bag / "data").rglob("*.mp4")}
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            have = {rel: (there / rel).stat().st_size for rel in sizes if (there / rel).exists()}
            if any(have[r] == sizes[r] for r in have) and any(0 < have[r] < sizes[r] for r in have):
                break
            time.sleep(0.02)
        else:
            pytest.fail("the transfer never had one render complete and the next one partial")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    time.sleep(0.2)
    complete = {r for r in sizes if (there / r).exists() and (there / r).stat().st_size == sizes[r]}
    partial = {r for r in sizes if (there / r).exists() and (there / r).stat().st_size < sizes[r]}
    assert complete and partial
    assert not (there / "tagmanifest-sha256.txt").exists()      # the bag is not complete there
    stamps = {r: (there / r).stat().st_ctime_ns for r in complete}

    receipt = transfer(bag, "outlet:")

    assert _arrived(outlet, bag) == _local(bag)
    assert bagit.Bag(str(there)).is_valid()
    assert partial <= set(receipt.sent) and not complete & set(receipt.sent)
    assert {r: (there / r).stat().st_ctime_ns for r in complete} == stamps   # not rewritten


@pytest.mark.parametrize("hashcheck", [True, False], ids=["remote-md5", "no-remote-hash"])
def test_a_file_damaged_on_the_remote_is_found_and_sent_again(
        outlet: Server, bag: Path, hashcheck: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    # without the SSH hash commands (many locked-down SFTP servers), rclone compares size and
    # time only: the SHA-256 check against the manifest is what finds the damage. With them,
    # rclone compares MD5s, but a server may answer from a hash cache (rclone serve does, for
    # an unchanged size and time): the SHA-256 check of the bytes read back catches it anyway
    monkeypatch.setenv("RCLONE_SFTP_DISABLE_HASHCHECK", "false" if hashcheck else "true")
    transfer(bag, "outlet:")
    damaged = outlet.root / bag.name / "data" / "en" / "springs.ar.mp4"
    before = damaged.stat()
    data = bytearray(damaged.read_bytes())
    data[BIG // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    os.utime(damaged, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same time

    receipt = transfer(bag, "outlet:")

    assert _arrived(outlet, bag) == _local(bag)
    fixed = "data/en/springs.ar.mp4"
    assert set(receipt.sent) | set(receipt.repaired) == {fixed}     # that file only
    if not hashcheck:
        assert receipt.repaired == (fixed,)


def test_a_damaged_package_is_reported_naming_the_file(outlet: Server, bag: Path) -> None:
    broken = bag / "data" / "zh" / "泉城.zh.ttml"
    broken.write_text("<tt>changed after the bag was made</tt>\n", encoding="utf-8")
    with pytest.raises(TransferError) as err:
        transfer(bag, "outlet:")
    assert "data/zh/泉城.zh.ttml does not match the package's manifest" in str(err.value)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_failures_are_one_line_causes_without_credentials(
        outlet: Server, bag: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    causes = {}
    with pytest.raises(TransferError) as err:
        transfer(bag, "nowhere:incoming")
    causes["unknown"] = str(err.value)
    monkeypatch.setenv("RCLONE_CONFIG_OUTLET_PASS", subprocess.run(
        ["rclone", "obscure", SECRET + "-wrong"], capture_output=True, text=True).stdout.strip())
    with pytest.raises(TransferError) as err:
        transfer(bag, "outlet:")
    causes["denied"] = str(err.value)
    monkeypatch.setenv("RCLONE_CONFIG_OUTLET_PASS", outlet.obscured)
    monkeypatch.setenv("RCLONE_CONFIG_OUTLET_PORT", str(_free_port()))
    with pytest.raises(TransferError) as err:
        transfer(bag, "outlet:")
    causes["unreachable"] = str(err.value)
    with pytest.raises(ConfigError) as cfg:
        transfer(bag, f":sftp,host=127.0.0.1,user={USER},pass={outlet.obscured}:in")
    causes["inline"] = str(cfg.value)
    with pytest.raises(ConfigError) as cfg:
        transfer(bag, "outlet")                     # a bare name would be a local folder
    causes["bare"] = str(cfg.value)
    (bag / "manifest-sha256.txt").unlink()
    with pytest.raises(TransferError) as err:
        transfer(bag, "outlet:")
    causes["no bag"] = str(err.value)

    assert causes["unknown"].startswith("remote 'nowhere' is not configured")
    assert "RCLONE_CONFIG_NOWHERE_TYPE" in causes["unknown"]
    assert causes["denied"].startswith("remote 'outlet' refused access")
    assert causes["unreachable"].startswith("remote 'outlet' is unreachable")
    assert "carries a credential" in causes["inline"]
    assert "give an rclone remote as NAME:PATH" in causes["bare"] and not Path("outlet").exists()
    assert causes["no bag"] == (f"{bag}: not a delivery package (no manifest-sha256.txt); make "
                                "it with `pipeline deliver` first")
    for cause in causes.values():
        assert "\n" not in cause
        _no_secret(outlet, cause)
    assert not (outlet.root / "in").exists()


def test_redact() -> None:
    env = {"RCLONE_CONFIG_X_PASS": "obscured-value-123", "RCLONE_CONFIG_X_HOST": "example.org"}
    text = ("sftp://ann:hunter2@example.org/in :s3,access_key_id=AK,secret_access_key=SK:b "
            "obscured-value-123 example.org")
    assert redact(text, env) == ("sftp://ann:***@example.org/in :s3,access_key_id=***,"
                                 "secret_access_key=***:b *** example.org")
    assert check_remote("outlet:in/monkey=1") == "outlet"      # a path, not a parameter
    assert check_remote(':sftp,host="a:b":in') == "sftp"
    with pytest.raises(ConfigError):
        check_remote('agency,pass="x:y":in')
