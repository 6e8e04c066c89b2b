"""Issue 14, point 4: the transcript changes under a hand-edited translation. The version
page lists the changed source lines beside the lines; "keep my edit" (the desk) and
`--keep-edits` (the CLI) both render the version with the edit and the next run exits 0;
"take" for one line gives it the new machine translation and keeps the other edits.

Each test works on its own copy of the session's project and runs the real pipeline
(Whisper's transcript, the MT engine, espeak-ng, ffmpeg) over it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from pipeline.delivery import edits
from pipeline import subtitles as subs
from pipeline.config import load_config
from pipeline.engines.pool import EnginePool
from pipeline.orchestration.graph import Status, evaluate
from pipeline.orchestration.registry import default_registry
from pipeline.review.srtedit import SrtDocument, edit
from pipeline.workspace import Task, Workspace
from tests import mediatools as mt
from tests.conftest import Project, run_pipeline
from tests.reviewdesk import Desk, sha256_of

PT = "/api/v/jinan_tour/pt"
MINE = "MINHA EDICAO"  # plain capitals: OCR reads them back exactly
NEW_SOURCE = "In the evening, people stroll by Daming Lake."


def pt_srt(work: Project) -> Path:
    return work.out / "jinan_tour" / "pt" / "subtitles.srt"


def transcript(work: Project) -> Path:
    return work.out / "jinan_tour" / "source" / "transcript.srt"


def edit_file(path: Path, number: int, text: str) -> str:
    """Change one line's text as a text editor would; returns the text it had."""
    data = path.read_bytes()
    old = SrtDocument.parse(data).block(number).text
    path.write_bytes(edit(data, number, text=text))
    return old


def last(path: Path) -> int:
    return len(SrtDocument.parse(path.read_bytes()).blocks)


def status_row(work: Project) -> dict:
    out = subprocess.run([sys.executable, "-m", "pipeline", "status", "--json", "-c",
                          str(work.config)], capture_output=True, text=True, check=True)
    return next(r for r in json.loads(out.stdout) if (r["video"], r["lang"]) == ("jinan_tour", "pt"))


def burned_line(work: Project, number: int, tmp_path: Path) -> str:
    cue = subs.load_srt(pt_srt(work))[number - 1]
    video = work.out / "jinan_tour" / "pt" / "jinan_tour.pt.landscape.mp4"
    return mt.read_subtitle(video, (cue.start + cue.end) / 2000, tmp_path)


def outcome(result: object, stage: str, lang: str | None = "pt") -> str:
    runs = json.loads(result.stdout)  # type: ignore[attr-defined]
    return next(o["status"] for o in runs
                if (o["stage"], o["video"], o["lang"]) == (stage, "jinan_tour", lang))


def test_keep_my_edit_on_the_page_renders_it_and_the_next_run_exits_0(
        project: Project, tmp_path: Path) -> None:
    work = project.copy(tmp_path / "copy")
    with Desk(work.config) as desk:
        csrf = desk.csrf()
        hand = desk.post(f"{PT}/line", {"which": "target", "number": 1, "text": MINE,
                                        "sha": sha256_of(pt_srt(work))}, csrf)
        assert hand.status == 200, hand.text
        n = last(transcript(work))
        old = SrtDocument.parse(transcript(work).read_bytes()).block(n).text
        src = desk.post(f"{PT}/line", {"which": "source", "number": n, "text": NEW_SOURCE,
                                       "sha": sha256_of(transcript(work))}, csrf)
        assert src.status == 200, src.text

        page = desk.get("/v/jinan_tour/pt").text
        section = page[page.index('<section class="box conflict"'):]
        section = section[:section.index("</section>")]
        assert re.search(r'<tr class="conflict-row edited" id="choice-1"', section)
        assert MINE in section
        # the changed source line, before and after, beside the lines it is under
        assert f"<ins>{NEW_SOURCE}</ins>" in section
        assert " ".join(old.split()) in " ".join(section.split())
        token = re.search(r'data-token="([^"]+)"', section)
        assert token

        refused = desk.post(f"{PT}/resolve", {"choices": {"1": "keep"}, "token": "old"}, csrf)
        assert refused.status == 409 and "reload" in refused.json()["error"]
        started = desk.post(f"{PT}/resolve", {"choices": {"1": "keep"}, "token": token.group(1)},
                            csrf)
        assert started.status == 202, started.text
        job = desk.wait_job(started.json()["id"])
        assert job["state"] == "done", job
        assert 'id="conflict"' not in desk.get("/v/jinan_tour/pt").text

    assert subs.load_srt(pt_srt(work))[0].text == MINE
    row = status_row(work)
    assert (row["translate"], row["narrate"], row["render"]) == ("done", "done", "done")
    assert MINE in burned_line(work, 1, tmp_path)
    again = run_pipeline(work.config, "--video", "jinan_tour")
    assert again.code == 0, again.stderr
    assert outcome(again, "translate") == "cached"


def test_cli_keep_edits_renders_the_edit_and_the_next_run_exits_0(
        project: Project, tmp_path: Path) -> None:
    work = project.copy(tmp_path / "copy")
    edit_file(pt_srt(work), 1, MINE)
    edited = pt_srt(work).read_bytes()
    edit_file(transcript(work), last(transcript(work)), NEW_SOURCE)

    refused = run_pipeline(work.config, "--video", "jinan_tour")
    assert refused.code == 1 and "--keep-edits" in refused.stderr
    kept = run_pipeline(work.config, "--video", "jinan_tour", "--keep-edits")
    assert kept.code == 0, kept.stderr
    assert outcome(kept, "translate") == "kept"
    assert outcome(kept, "render") == "ran"
    assert pt_srt(work).read_bytes() == edited  # byte for byte
    assert MINE in burned_line(work, 1, tmp_path)
    # the kept file is the new baseline, made from the transcript as it is now
    state = json.loads((work.out / "jinan_tour" / ".state" / "translate.pt.json").read_text())
    detail = json.loads((work.out / "jinan_tour" / ".state" / "translate.pt.detail.json").read_text())
    assert detail["fingerprint"] == state["fingerprint"]
    assert any(NEW_SOURCE in line[2].replace("\n", " ") for line in detail["source_lines"])
    assert [line[2] for line in detail["lines"]][0] == MINE
    again = run_pipeline(work.config, "--video", "jinan_tour")
    assert again.code == 0, again.stderr
    assert {o["status"] for o in again.outcomes} == {"cached"}


def test_take_for_one_line_gives_it_the_new_translation_and_keeps_the_other_edits(
        project: Project, tmp_path: Path) -> None:
    work = project.copy(tmp_path / "copy")
    n = last(pt_srt(work))
    edit_file(pt_srt(work), 1, MINE)
    machine = edit_file(pt_srt(work), n, "OUTRA EDICAO")
    edit_file(transcript(work), last(transcript(work)), NEW_SOURCE)

    ws = Workspace(load_config(work.config))
    registry = default_registry()
    task = Task("translate", "jinan_tour", "pt")
    assert edits.conflicted(ws, registry, task) == [pt_srt(work)]
    prop = edits.proposal(ws, registry, task, EnginePool())
    rows = {r.key: r for r in prop.rows}
    assert rows["1"].edited and rows["1"].default == "keep" and not rows["1"].sources
    end = rows[str(n)]
    assert end.edited and end.current == "OUTRA EDICAO"
    assert any(c.after and c.after[2].replace("\n", " ") == NEW_SOURCE for c in end.sources)
    assert end.proposed and "Daming" in end.proposed and end.proposed != machine

    merged = edits.merge(prop, {str(n): "take"})
    edits.accept(ws, registry, task, merged, fingerprint=prop.fingerprint,
                 sha256_file=prop.sha256_file)
    after = subs.load_srt(pt_srt(work))
    assert after[0].text == MINE
    assert subs.join_words(after[-1].text.split("\n")) == subs.join_words(end.proposed.split("\n"))
    assert evaluate(Workspace(load_config(work.config)), registry, task).status == Status.DONE
    rerun = run_pipeline(work.config, "--video", "jinan_tour", "--lang", "pt")
    assert rerun.code == 0, rerun.stderr
    assert outcome(rerun, "translate") == "cached" and outcome(rerun, "render") == "ran"
    assert subs.load_srt(pt_srt(work))[0].text == MINE
