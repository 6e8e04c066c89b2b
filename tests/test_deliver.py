"""`pipeline deliver`: BagIt packages per outlet holding only versions whose approval still
matches them; caption sidecars read back by a second parser; metadata per language; a
rerun that changes nothing. A 6 s generated clip in en (script), pt (machine) and zh
(provided), rendered in the broadcast-ebu preset."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bagit
import pycaption
import pytest
import yaml

from pipeline.cache import write_json_atomic
from pipeline.config import load_config
from pipeline.delivery import approvals as ap
from pipeline.subtitles import load_srt
from pipeline.workspace import Workspace
from tests import mediatools as mt
from tests.conftest import run_pipeline, write_srt
from tests.reviewdesk import Desk

pytestmark = pytest.mark.slow

NAME = "springs"
CUES = [(0.4, 2.8, "Baotu Spring rises in the old town."), (3.2, 5.6, "Daming Lake at dusk.")]
ZH = [(0.4, 2.8, "趵突泉在老城涌出。"), (3.2, 5.6, "黄昏的大明湖。")]
META = {"title": "Baotu Spring at dawn", "description": "Water rises at Baotu Spring.",
        "keywords": ["Jinan", "Baotu Spring"], "zh": {"title": "清晨的趵突泉",
                                                      "description": "趵突泉的泉水涌出。",
                                                      "keywords": ["济南", "趵突泉"]}}
GLOSSARY = "term,en,pt,zh,note\nBaotu Spring,Baotu Spring,Nascente Baotu,趵突泉,\n"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("deliver")
    (root / "media").mkdir()
    (root / "translations").mkdir()
    mt.make_video(root / "media" / f"{NAME}.mp4", 6.0, picture="color=c=0x204060")
    write_srt(root / "media" / f"{NAME}.script.srt", CUES)
    write_srt(root / "translations" / f"{NAME}.zh.srt", ZH)
    (root / "media" / f"{NAME}.meta.yaml").write_text(yaml.safe_dump(META, allow_unicode=True),
                                                      encoding="utf-8")
    (root / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
    config = {
        "inputs": ["media/*.mp4"], "source_language": "en", "languages": ["en", "pt", "zh"],
        "translate": {"glossary": "glossary.csv", "provided": "translations/{video}.{lang}.srt"},
        "narration": {"mode": "none"},
        "render": {"profiles": {"ebu": {"preset": "broadcast-ebu", "width": 640, "height": 360}},
                   "preset": "superfast", "crf": 28},
        "executor": {"jobs": 1},
        "delivery": {"outlets": {"broadcaster": {"preset": "broadcast-ebu"}}},
    }
    (root / "pipeline.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = run_pipeline(root / "pipeline.yaml")
    assert result.code == 0, result.stderr
    return root


def deliver(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", "deliver", "-c",
                           str(root / "pipeline.yaml"), "--json", *args],
                          capture_output=True, text=True, check=False)


def approve(root: Path, lang: str) -> None:
    """A sign-off as the review desk records it: bound to the files as they are now."""
    ws = Workspace(load_config(root / "pipeline.yaml"))
    deliverables, srt_sha = ap.binding_hashes(ws, NAME, lang)
    lines = ap.timed_lines(ws.paths.subtitles_srt(NAME, lang))
    store = ap.load_store(ws.out)
    store.put(ap.key(NAME, lang), ap.make_record(ap.Decision.APPROVED, "Li Na", "",
                                                 ap.Binding(deliverables, srt_sha, lines)))
    write_json_atomic(ap.store_path(ws.out), store.to_json())


def bag(root: Path) -> Path:
    return root / "outputs" / "deliveries" / "broadcaster"


def receipt(root: Path) -> dict[str, Any]:
    return json.loads((bag(root) / "data" / "receipt.json").read_text(encoding="utf-8"))


def snapshot(path: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(path)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(path.rglob("*")) if p.is_file()}


def test_deliver_refuses_unapproved_and_changed_versions_then_delivers(root: Path,
                                                                       tmp_path: Path) -> None:
    first = deliver(root)
    assert first.returncode == 1
    for lang in ("en", "pt", "zh"):
        assert f"REFUSED broadcaster {NAME}/{lang}: not approved yet" in first.stderr
    assert not list(bag(root).rglob("*.mp4"))

    for lang in ("en", "pt", "zh"):
        approve(root, lang)
    # pt changes after its approval: an editor fixes a line, the run renders it again
    srt = root / "outputs" / NAME / "pt" / "subtitles.srt"
    cues = load_srt(srt)
    write_srt(srt, [(c.start / 1000, c.end / 1000, c.text) for c in cues[:-1]]
              + [(cues[-1].start / 1000, cues[-1].end / 1000, "O Lago Daming ao anoitecer.")])
    assert run_pipeline(root / "pipeline.yaml", "--keep-edits").code == 0
    second = deliver(root)
    assert second.returncode == 1, second.stderr
    (line,) = [ln for ln in second.stderr.splitlines() if ln.startswith("REFUSED")]
    assert line.startswith(f"REFUSED broadcaster {NAME}/pt: changed since Li Na approved it")
    assert line.endswith("(subtitles); approve it again")  # a clean picture: same mp4 bytes
    (report,) = json.loads(second.stdout)
    assert report["delivered"] == [f"{NAME}/en", f"{NAME}/zh"] and not report["draft"]
    # zh has no EBU-STL: said, and the other files go
    assert any("zh: no ebu-stl file" in n and "IMSC" in n for n in report["notes"])
    data = bag(root) / "data" / NAME
    assert sorted(p.name for p in (data / "zh").iterdir()) == [
        "metadata.json", "poster.jpg", f"{NAME}.zh.ebu.mp4", f"{NAME}.zh.srt", f"{NAME}.zh.ttml"]
    assert not (data / "pt").exists()
    bagit.Bag(str(bag(root))).validate(processes=1)
    assert (bag(root) / "manifest-sha256.txt").is_file()

    # a draft takes the changed version in, marked
    draft = deliver(root, "--include-unapproved")
    assert draft.returncode == 0 and "DRAFT" in draft.stderr
    assert "(6 file(s) made, 11 kept)" in draft.stderr  # pt's six files; en's and zh's linked
    assert receipt(root)["draft"] and (data / "pt" / f"{NAME}.pt.ebu.mp4").is_file()
    assert bagit.Bag(str(bag(root))).info["Bag-Group-Identifier"] == "draft"

    # approved again: a clean package, made from the draft's files where they are the same
    approve(root, "pt")
    final = deliver(root)
    assert final.returncode == 0, final.stderr
    assert "(0 file(s) made, 17 kept)" in final.stderr
    r = receipt(root)
    assert not r["draft"] and r["refused"] == []
    assert [v["approval"]["by"] for v in r["versions"]] == ["Li Na"] * 3
    bagit.Bag(str(bag(root))).validate(processes=1)

    # a rerun changes nothing: not a byte, not a date
    before = snapshot(bag(root))
    again = deliver(root)
    assert again.returncode == 0 and "3 version(s) unchanged" in again.stderr
    assert snapshot(bag(root)) == before


def test_the_package_is_r128_clean_with_sidecars_read_back(root: Path, tmp_path: Path) -> None:
    data = bag(root) / "data" / NAME
    if not (data / "pt").is_dir():
        pytest.skip("needs the delivery of the test before")
    for lang in ("en", "pt", "zh"):
        mp4 = data / lang / f"{NAME}.{lang}.ebu.mp4"
        lufs, peak = mt.loudness(mp4)
        assert abs(lufs - -23) <= 0.5 and peak <= -1.0, (lang, lufs, peak)
        # clean picture: no subtitle ink where each cue shows
        for cue in load_srt(root / "outputs" / NAME / lang / "subtitles.srt"):
            assert mt.read_subtitle(mp4, (cue.start + cue.end) / 2000, tmp_path).strip() == ""
        # IMSC and SRT beside it, read back by pycaption with the version's cues
        want = [(c.start, c.end, " ".join(c.text.split()))
                for c in load_srt(root / "outputs" / NAME / lang / "subtitles.srt")]
        for suffix, reader in ((".ttml", pycaption.DFXPReader()), (".srt", pycaption.SRTReader())):
            captions = reader.read((data / lang / f"{NAME}.{lang}{suffix}").read_text(encoding="utf-8"))
            got = [(round(c.start / 1000), round(c.end / 1000), " ".join(c.get_text().split()))
                   for c in captions.get_captions(captions.get_languages()[0])]
            assert got == want, (lang, suffix)
        poster = data / lang / "poster.jpg"
        assert poster.read_bytes()[:2] == b"\xff\xd8"


def test_metadata_per_language(root: Path) -> None:
    data = bag(root) / "data" / NAME
    if not (data / "pt").is_dir():
        pytest.skip("needs the delivery of the test before")
    meta = {lang: json.loads((data / lang / "metadata.json").read_text(encoding="utf-8"))
            for lang in ("en", "pt", "zh")}
    assert meta["en"]["title"] == META["title"] and meta["en"]["made"]["method"] == "source"
    assert meta["zh"]["title"] == "清晨的趵突泉" and meta["zh"]["made"]["method"] == "provided"
    pt = meta["pt"]
    assert pt["made"]["method"] == "machine" and pt["made"]["engine"]["pair"] == "en-pt"
    assert "Nascente Baotu" in pt["title"] and "Nascente Baotu" in pt["keywords"]
    assert pt["title"] != META["title"]


@pytest.fixture
def sftp(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """`rclone serve sftp` on 127.0.0.1, and the environment that names it as remote
    `inbox:` (credentials in RCLONE_CONFIG_* variables, as a user would keep them)."""
    served = tmp_path / "served"
    served.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(["rclone", "serve", "sftp", str(served), "--addr", f"127.0.0.1:{port}",
                               "--user", "agency", "--pass", "s3cret"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        (tmp_path / "rclone.conf").write_text("")
        obscured = subprocess.run(["rclone", "obscure", "s3cret"], capture_output=True, text=True,
                                  check=True).stdout.strip()
        env = {**os.environ, "RCLONE_CONFIG": str(tmp_path / "rclone.conf"),
               "RCLONE_CONFIG_INBOX_TYPE": "sftp", "RCLONE_CONFIG_INBOX_HOST": "127.0.0.1",
               "RCLONE_CONFIG_INBOX_PORT": str(port), "RCLONE_CONFIG_INBOX_USER": "agency",
               "RCLONE_CONFIG_INBOX_PASS": obscured}
        yield served, env
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_transfer_to_an_sftp_server_resumes_after_a_kill(root: Path,
                                                        sftp: tuple[Path, dict[str, str]]) -> None:
    if not (bag(root) / "data" / NAME / "pt").is_dir():
        pytest.skip("needs the delivery of the first test")
    served, env = sftp
    arrived = served / "in" / "broadcaster"
    command = [sys.executable, "-m", "pipeline", "deliver", "-c", str(root / "pipeline.yaml"),
               "--to", "inbox:in"]
    slow = subprocess.Popen(command, env={**env, "RCLONE_BWLIMIT": "60k"}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
            p.is_file() and p.stat().st_size > 100_000 for p in arrived.rglob("*.mp4")):
        time.sleep(0.1)
    os.killpg(slow.pid, signal.SIGKILL)  # the command and its rclone, halfway
    slow.wait()
    total = sum(1 for p in bag(root).rglob("*") if p.is_file())
    halfway = [p for p in arrived.rglob("*") if p.is_file()]
    assert 0 < len(halfway) < total and not (arrived / "tagmanifest-sha256.txt").exists()

    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    sent = re.search(r"(\d+) file\(s\) copied, (\d+) checked by SHA-256 there", done.stderr)
    assert sent and int(sent.group(2)) == total and int(sent.group(1)) < total, done.stderr
    bagit.Bag(str(arrived)).validate(processes=1)  # every file's SHA-256, on the server's disk
    assert "s3cret" not in done.stderr and "s3cret" not in (root / "pipeline.yaml").read_text()


def test_the_review_desk_shows_what_each_outlet_received_and_what_waits(root: Path) -> None:
    receipt_now = receipt(root)
    if not any(p.name.endswith(".sent.json") for p in bag(root).parent.iterdir()):
        pytest.skip("needs the transfer of the test before")
    ws = Workspace(load_config(root / "pipeline.yaml"))
    deliverables, srt_sha = ap.binding_hashes(ws, NAME, "zh")
    store = ap.load_store(ws.out)
    store.put(ap.key(NAME, "zh"), ap.make_record(ap.Decision.CHANGES_REQUESTED, "Wang Fang",
                                                 "title", ap.Binding(deliverables, srt_sha, [])))
    write_json_atomic(ap.store_path(ws.out), store.to_json())
    en_sha = next(f["sha256"] for f in receipt_now["files"] if f["path"].endswith("en.ebu.mp4"))
    with Desk(root / "pipeline.yaml") as desk:
        page = desk.get("/deliveries")
    assert page.status == 200
    rows = re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
    en = next(r for r in rows if f"{NAME}/en<" in r)
    assert en_sha[:12] in en and "approved by Li Na" in en and "inbox:in at" in en
    assert "may leave" in en
    zh = next(r for r in rows if f"{NAME}/zh<" in r)
    assert "waits: changes requested by Wang Fang" in zh
