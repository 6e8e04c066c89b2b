"""The review desk in a real browser (Debian's chromium driven by Playwright): the board, a
version that plays and seeks, a line edited, saved and rerun (the new frame shows it, and
only that version ran), a sign-off that survives a reload and turns into "changed since
approval" with the changed line after another edit and rerun; `pipeline status --json` and
manifest.json say the same.

Screenshots go to the test's folder; with REVIEW_SCREENSHOTS=DIR they are also copied there
(`REVIEW_SCREENSHOTS=docs make test` refreshes the pictures of docs/review-desk.md).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import subtitles as subs
from pipeline.review.srtedit import SrtDocument, edit
from tests import mediatools as mt
from tests.conftest import Project
from tests.reviewdesk import Desk, sha256_of

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
DELIVERABLE = "jinan_tour/pt/jinan_tour.pt.landscape.mp4"
RERUN_TIMEOUT_MS = 300_000
NEW_SOURCE = "In the evening, people stroll by Daming Lake."


@pytest.fixture(scope="module")
def work(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    return project.copy(tmp_path_factory.mktemp("review-browser") / "copy")


@pytest.fixture(scope="module")
def desk(work: Project) -> Iterator[Desk]:
    with Desk(work.config) as running:
        yield running


@pytest.fixture(scope="module")
def page(desk: Desk) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make system-deps installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 800})
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.errors = errors
        yield tab
        browser.close()


def screenshot(page: Any, tmp_path: Path, name: str, height: int = 800) -> Path:
    path = tmp_path / name
    page.set_viewport_size({"width": 1280, "height": height})
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1280, "height": 800})
    target = os.environ.get("REVIEW_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(target) / name)
    return path


def state_stamps(work: Project) -> dict[str, int]:
    return {str(p.relative_to(work.out)): p.stat().st_mtime_ns
            for p in work.out.glob("*/.state/*.json")}


def status_row(work: Project, video: str, lang: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "pipeline", "status", "--json", "-c",
                          str(work.config)], capture_output=True, text=True, check=True)
    return next(r for r in json.loads(out.stdout) if (r["video"], r["lang"]) == (video, lang))


def edit_line(page: Any, number: int, text: str) -> None:
    row = page.locator(f"#line-{number}")
    row.locator("button.edit").click()
    row.locator("form.edit-form textarea").fill(text)
    row.locator("form.edit-form button.save").click()
    page.wait_for_function(
        "([n, t]) => document.querySelector(`#line-${n} td.target .t`).textContent === t",
        arg=[number, text])


def rerun(page: Any) -> None:
    """Click Rerun and wait for the page to reload with the result."""
    with page.expect_navigation(timeout=RERUN_TIMEOUT_MS):
        page.locator("#rerun").click()
    page.wait_for_load_state()


def test_board_opens_a_version_that_plays_and_seeks(page: Any, desk: Desk, tmp_path: Path) -> None:
    page.goto(desk.base + "/")
    assert page.locator("table.board tbody tr").count() == 4
    assert page.locator("td.cell .badge.st-failed").count() >= 3  # the truncated clip's versions
    page.locator("a[href='/v/jinan_tour/pt']").click()
    page.wait_for_url("**/v/jinan_tour/pt")

    page.evaluate("() => { const v = document.getElementById('player'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.getElementById('player').readyState >= 2")
    start = page.evaluate("() => document.getElementById('player').currentTime")
    page.wait_for_function(f"() => document.getElementById('player').currentTime > {start} + 0.5")
    page.evaluate("() => document.getElementById('player').pause()")

    line = page.locator("#line-3")
    line.locator("button.seek").click()
    at = page.evaluate("() => document.getElementById('player').currentTime")
    assert abs(at - int(line.get_attribute("data-start")) / 1000) < 0.05
    assert "current" in (line.get_attribute("class") or "")
    assert page.errors == []


def test_edit_rerun_approve_then_changed_since_approval(page: Any, desk: Desk, work: Project,
                                                        tmp_path: Path) -> None:
    srt = work.out / "jinan_tour" / "pt" / "subtitles.srt"
    cues = subs.load_srt(srt)
    longest = max(range(len(cues)), key=lambda i: cues[i].duration) + 1
    page.goto(desk.base + "/v/jinan_tour/pt")

    edit_line(page, longest, "FONTE SAGRADA")
    assert subs.load_srt(srt)[longest - 1].text == "FONTE SAGRADA"
    others = {p: sha256_of(p) for p in work.out.glob("*/*/*.mp4") if p.parent.name != "pt"
              or p.parent.parent.name != "jinan_tour"}
    before = state_stamps(work)
    rerun(page)
    after = state_stamps(work)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {"jinan_tour/.state/narrate.pt.json", "jinan_tour/.state/render.pt.json"}
    assert all(sha256_of(p) == sha for p, sha in others.items())
    shown = page.locator("#player").get_attribute("src") or ""
    assert sha256_of(work.out / DELIVERABLE)[:16] in shown  # the player has the new file
    cue = subs.load_srt(srt)[longest - 1]
    frame_text = mt.read_subtitle(work.out / DELIVERABLE, (cue.start + cue.end) / 2000, tmp_path)
    assert "FONTE SAGRADA" in frame_text

    page.locator("#reviewer").fill("Ana Reviewer")
    page.locator("#note").fill("ok for broadcast")
    with page.expect_navigation():
        page.locator("button.approve").click()
    page.reload()
    assert "Approved by Ana Reviewer" in page.locator("#approval-state").inner_text()
    assert status_row(work, "jinan_tour", "pt")["approval"]["status"] == "approved"

    other = 1 if longest != 1 else 2
    edit_line(page, other, "Bem-vindos a Jinan!")
    rerun(page)
    state = page.locator("#approval-state").inner_text()
    assert "Changed since approval" in state and "Ana Reviewer" in state
    listed = page.locator("#changed-lines li")
    assert listed.count() == 1 and listed.first.get_attribute("data-number") == str(other)
    assert "Bem-vindos a Jinan!" in listed.first.inner_text()
    page.locator(f"#line-{longest} button.seek").click()  # the picture shows the edited line
    page.wait_for_function("() => { const v = document.getElementById('player');"
                           " return !v.seeking && v.readyState >= 2; }")
    screenshot(page, tmp_path, "review-version.png", height=1000)

    approval = status_row(work, "jinan_tour", "pt")["approval"]
    assert approval["status"] == "changed_since_approval"
    assert approval["by"] == "Ana Reviewer" and approval["changed_lines"] == [other]
    manifest = json.loads((work.out / "manifest.json").read_text(encoding="utf-8"))
    item = next(d for d in manifest["deliverables"] if d["path"] == DELIVERABLE)
    assert item["approval"]["status"] == "changed_since_approval"
    assert item["sha256"] == sha256_of(work.out / DELIVERABLE)

    # a second version approved, for the board's picture
    page.goto(desk.base + "/v/broll_springs/en")
    page.locator("#reviewer").fill("Li Wei")
    with page.expect_navigation():
        page.locator("button.approve").click()
    page.goto(desk.base + "/")
    assert "✓ Li Wei" in page.locator("table.board").inner_text()
    assert "changed since approval" in page.locator("table.board").inner_text()
    screenshot(page, tmp_path, "review-board.png")
    assert page.errors == []


def test_a_transcript_change_under_edits_is_settled_on_the_page(page: Any, desk: Desk,
                                                                 work: Project,
                                                                 tmp_path: Path) -> None:
    """The page's own script: the choices it sends, the comparison it was made against, and the
    rerun it follows (the outcomes themselves are tested over HTTP, test_review_conflict.py)."""
    srt = work.out / "jinan_tour" / "pt" / "subtitles.srt"
    transcript = work.out / "jinan_tour" / "source" / "transcript.srt"
    n = len(SrtDocument.parse(transcript.read_bytes()).blocks)
    transcript.write_bytes(edit(transcript.read_bytes(), n, text=NEW_SOURCE))  # a text editor
    before = [c.text for c in subs.load_srt(srt)]
    last = len(before)

    page.goto(desk.base + "/v/jinan_tour/pt")
    assert NEW_SOURCE in page.locator(f"#choice-{last} td.changes").inner_text()
    assert page.locator("#conflict tr.conflict-row.edited").count() >= 1
    proposed = page.locator(f"#choice-{last} td.proposed").inner_text()
    page.locator(f"#choice-{last} input[value=take]").check()
    page.locator("#conflict").scroll_into_view_if_needed()
    screenshot(page, tmp_path, "review-conflict.png", height=900)
    with page.expect_navigation(timeout=RERUN_TIMEOUT_MS):
        page.locator("#apply-choice").click()
    page.wait_for_load_state()

    assert page.locator("#conflict").count() == 0
    after = [c.text for c in subs.load_srt(srt)]
    assert " ".join(after[-1].split()) == " ".join(proposed.split())
    assert after[:-1] == before[:-1]  # the other edited lines kept
    row = status_row(work, "jinan_tour", "pt")
    assert (row["translate"], row["render"]) == ("done", "done")
    assert page.errors == []
