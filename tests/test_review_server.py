"""The review desk over HTTP, started as a user starts it (`pipeline review`): the board, the
media with range requests, line edits and their refusals, and every security refusal."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from filelock import FileLock

from pipeline import subtitles as subs

from tests.conftest import Project, run_pipeline
from tests.reviewdesk import Desk, sha256_of

PT = "/api/v/jinan_tour/pt"
DELIVERABLE = "jinan_tour/pt/jinan_tour.pt.landscape.mp4"


@pytest.fixture(scope="module")
def work(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    return project.copy(tmp_path_factory.mktemp("review-server") / "copy")


@pytest.fixture(scope="module")
def desk(work: Project) -> Iterator[Desk]:
    with Desk(work.config) as running:
        yield running


def srt(work: Project, lang: str = "pt") -> Path:
    return work.out / "jinan_tour" / lang / "subtitles.srt"


def status_json(work: Project) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "pipeline", "status", "--json", "-c",
                          str(work.config)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_board_shows_every_version_with_its_state_and_filters(desk: Desk) -> None:
    page = desk.get("/")
    assert page.status == 200
    for video in ("jinan_tour", "broll_springs", "truncated_clip", "silent_clip"):
        assert video in page.text
    assert 'class="badge st-failed"' in page.text  # the truncated and the silent clip
    assert "Status." not in page.text
    failed = desk.get("/?show=failed").text
    assert "truncated_clip" in failed and "silent_clip" in failed
    assert "jinan_tour" not in failed
    found = desk.get("/?q=broll").text
    assert "broll_springs" in found and "jinan_tour" not in found


def test_version_page_lists_lines_with_source_terms_and_timing(desk: Desk, work: Project) -> None:
    page = desk.get("/v/jinan_tour/pt")
    assert page.status == 200
    assert f'src="/media/{DELIVERABLE}?v=' in page.text
    assert page.text.count('class="line') >= 3
    assert '<mark class="term"' in page.text  # the glossary's names are marked
    assert "×</span>" in page.text  # narration speed factor per line
    # each stage in the pipeline's words, styled by its state
    assert re.search(r'<li class="st-done" title="done">extract <b>done</b></li>', page.text)
    assert "Status." not in page.text
    assert desk.get("/v/jinan_tour/xx").status == 404
    assert desk.get("/v/nobody/pt").status == 404


def test_deliverable_plays_with_range_requests(desk: Desk, work: Project) -> None:
    whole = (work.out / DELIVERABLE).read_bytes()
    part = desk.get(f"/media/{DELIVERABLE}", headers={"Range": "bytes=100-1123"})
    assert part.status == 206
    assert part.headers["content-range"] == f"bytes 100-1123/{len(whole)}"
    assert part.body == whole[100:1124]
    assert part.headers["content-type"] == "video/mp4"
    assert desk.get(f"/media/{DELIVERABLE}").body == whole


@pytest.mark.parametrize("path", [
    "/media/../pipeline.yaml",  # plain ..
    "/media/jinan_tour/../../pipeline.yaml",
    "//etc/passwd", "/media//etc/passwd", "/media/%2Fetc%2Fpasswd",  # absolute
    "/media/%2e%2e/pipeline.yaml", "/media/..%2fpipeline.yaml",  # URL-encoded
    "/media/%252e%252e/pipeline.yaml", "/media/%252e%252e%252fpipeline.yaml",  # double-encoded
    "/media/jinan_tour/.state/render.pt.json", "/media/.pipeline.lock",  # hidden files
])
def test_paths_outside_the_outputs_folder_are_not_found(desk: Desk, path: str) -> None:
    answer = desk.get(path)
    assert answer.status == 404, (path, answer.status, answer.text[:200])
    assert b"springs" not in answer.body and b"root:" not in answer.body


def test_symlinks_leading_outside_are_not_found(desk: Desk, work: Project) -> None:
    (work.out / "jinan_tour" / "pt" / "leak.txt").symlink_to(work.config)
    (work.out / "jinan_tour" / "outside").symlink_to(work.root, target_is_directory=True)
    (work.out / "jinan_tour" / "pt" / "inside.mp4").symlink_to(work.out / DELIVERABLE)
    assert desk.get("/media/jinan_tour/pt/leak.txt").status == 404
    assert desk.get("/media/jinan_tour/outside/pipeline.yaml").status == 404
    assert desk.get("/media/jinan_tour/pt/inside.mp4").status == 200  # inside: served


def test_post_without_csrf_token_is_refused_and_writes_nothing(desk: Desk, work: Project) -> None:
    before = srt(work).read_bytes()
    body = {"which": "target", "number": 1, "text": "hacked", "sha": sha256_of(srt(work))}
    for csrf in (None, "wrong"):
        answer = desk.post(f"{PT}/line", body, csrf)
        assert answer.status == 403 and "CSRF" in answer.json()["error"]
    assert desk.post(f"{PT}/rerun", {}, None).status == 403
    assert desk.post(f"{PT}/approval", {"decision": "approved", "reviewer": "x"}, None).status == 403
    assert srt(work).read_bytes() == before
    assert not (work.out / "approvals.json").exists()


def test_requests_naming_another_host_are_refused(desk: Desk) -> None:
    assert desk.get("/", headers={"Host": "evil.example:8765"}).status == 403
    assert desk.get("/", headers={"Host": f"localhost:{desk.port}"}).status == 200


@pytest.mark.parametrize("change, reason", [
    ({"start": "00:00:0x,000"}, "bad time"),
    ({"end": "00:00:00,100"}, "before it starts"),
    ({"end": "00:09:00,000"}, "after line 2 starts"),
    ({"text": "  "}, "empty"),
])
def test_broken_edits_are_refused_and_write_nothing(desk: Desk, work: Project, change: dict,
                                                    reason: str) -> None:
    before = srt(work).read_bytes()
    body = {"which": "target", "number": 1, "sha": sha256_of(srt(work)), **change}
    answer = desk.post(f"{PT}/line", body, desk.csrf())
    assert answer.status == 422 and reason in answer.json()["error"], answer.text
    assert srt(work).read_bytes() == before


def test_stale_page_is_refused_and_writes_nothing(desk: Desk, work: Project) -> None:
    loaded = sha256_of(srt(work))
    other = srt(work).read_bytes() + b"\n"  # a text editor saved it meanwhile
    srt(work).write_bytes(other)
    answer = desk.post(f"{PT}/line", {"which": "target", "number": 1, "text": "mine",
                                      "sha": loaded}, desk.csrf())
    assert answer.status == 409 and "changed on disk" in answer.json()["error"]
    assert srt(work).read_bytes() == other


def test_an_edit_changes_that_line_only_and_the_pipeline_sees_it(desk: Desk, work: Project) -> None:
    before = srt(work).read_bytes()
    lines = before.decode().split("\n")
    first_text = lines[2]  # block 1: number, time, text...
    answer = desk.post(f"{PT}/line", {"which": "target", "number": 1, "text": "Olá, Jinan!",
                                      "sha": sha256_of(srt(work))}, desk.csrf())
    assert answer.status == 200, answer.text
    after = srt(work).read_bytes()
    assert answer.json()["sha256"] == sha256_of(srt(work))
    # only the text of block 1 differs: every other byte is where it was
    start = before.index(first_text.encode())
    end = before.index(b"\n\n")
    assert after == before[:start] + "Olá, Jinan!".encode() + before[end:]
    row = next(r for r in status_json(work) if (r["video"], r["lang"]) == ("jinan_tour", "pt"))
    assert row["translate"] == "edited" and row["render"] == "stale"


def test_a_script_line_is_shown_as_text(desk: Desk, work: Project) -> None:
    answer = desk.post(f"{PT}/line", {"which": "target", "number": 2,
                                      "text": "<script>alert(1)</script>",
                                      "sha": sha256_of(srt(work))}, desk.csrf())
    assert answer.status == 200, answer.text
    page = desk.get("/v/jinan_tour/pt").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    # the page says what the render will burn where the pipeline reads the line otherwise
    # (pysubs2 drops <...>: "alert(1)"; a strict reader that keeps the text: no note)
    burned = subs.load_srt(srt(work))[1].text
    if burned == "<script>alert(1)</script>":
        assert "burned as" not in page and answer.json()["burned"] is None
    else:
        assert f"burned as: <q>{html.escape(burned)}</q>" in page
        assert answer.json()["burned"] == burned
    assert "script-src 'self'" in desk.get("/v/jinan_tour/pt").headers["content-security-policy"]


def test_busy_folder_refuses_saves_and_reruns(desk: Desk, work: Project) -> None:
    before = srt(work, "zh").read_bytes()
    with FileLock(str(work.out / ".pipeline.lock")):  # what `pipeline run` holds
        assert desk.get("/api/status").json()["busy"] is True
        banner = re.search(r'<span id="busy"[^>]*>', desk.get("/v/jinan_tour/zh").text)
        assert banner and "hidden" not in banner.group(0)
        rerun = desk.post("/api/v/jinan_tour/zh/rerun", {}, desk.csrf())
        assert rerun.status == 409 and "busy" in rerun.json()["error"]
        save = desk.post("/api/v/jinan_tour/zh/line", {"which": "target", "number": 1,
                                                       "text": "泉", "sha": sha256_of(srt(work, "zh"))},
                         desk.csrf())
        assert save.status == 409 and "busy" in save.json()["error"]
    assert srt(work, "zh").read_bytes() == before
    assert desk.get("/api/status").json()["busy"] is False


def test_other_hosts_need_the_token(work: Project) -> None:
    with Desk(work.config, host="127.0.0.2") as remote:
        assert remote.token and len(remote.token) >= 24
        assert remote.get("/").status == 401
        assert remote.get(f"/media/{DELIVERABLE}").status == 401
        assert remote.get("/?token=wrong").status == 401
        assert remote.get("/", headers={"X-Review-Token": remote.token}).status == 200
        assert remote.get("/", headers={"Authorization": f"Bearer {remote.token}"}).status == 200
        first = remote.get(f"/?token={remote.token}&show=failed")
        assert first.status == 303 and first.headers["location"] == "/?show=failed"
        cookie = first.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
        cookie_header = {"Cookie": cookie.split(";")[0]}
        assert remote.get("/", headers=cookie_header).status == 200
        # with the token but without the CSRF secret, a POST is still refused
        assert remote.post(f"{PT}/rerun", {}, None).status == 403


def test_the_server_binds_loopback_by_default(desk: Desk) -> None:
    assert desk.url.startswith("http://127.0.0.1:") and desk.token is None
    if os.path.exists("/proc/net/tcp"):
        port_hex = f"{desk.port:04X}"
        listening = [ln.split()[1] for ln in Path("/proc/net/tcp").read_text().splitlines()[1:]
                     if ln.split()[1].endswith(f":{port_hex}") and ln.split()[3] == "0A"]
        assert listening == [f"0100007F:{port_hex}"]


def test_the_sample_clip_plays_when_only_samples_exist(desk: Desk, work: Project) -> None:
    sample = run_pipeline(work.config, "--sample", "2", "--video", "broll_springs", "--lang", "zh")
    assert sample.code == 0, sample.stderr
    (work.out / "broll_springs" / "zh" / "broll_springs.zh.landscape.mp4").unlink()
    page = desk.get("/v/broll_springs/zh").text
    assert 'src="/media/_samples/broll_springs.zh.landscape.mp4?v=' in page
    assert "Sample clip" in page
    part = desk.get("/media/_samples/broll_springs.zh.landscape.mp4", headers={"Range": "bytes=0-99"})
    assert part.status == 206 and len(part.body) == 100
