"""QA findings of a subtitle file are remembered by the file's stat stamp (`pipeline status`
parses no unchanged file), and still follow every edit, a new process and a rule change."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.delivery import qa
from pipeline import subtitles as subs
from pipeline.config import load_config
from pipeline.workspace import Workspace

FAST = "1\n00:00:01,000 --> 00:00:02,000\nToo many words for one second.\n"
CALM = "1\n00:00:01,000 --> 00:00:05,000\nToo many words for one second.\n"


def workspace(root: Path, max_cps: float = 17) -> Workspace:
    (root / "media").mkdir(exist_ok=True)
    (root / "media" / "one.mp4").write_bytes(b"x")
    config = root / "pipeline.yaml"
    config.write_text(yaml.safe_dump({"inputs": ["media/*.mp4"], "output_dir": "out",
                                      "languages": ["pt"], "subtitles": {"max_cps": max_cps}}))
    return Workspace(load_config(config))


def rules_found(ws: Workspace) -> list[str]:
    return [str(f["rule"]) for f in qa.findings(ws, "one", "pt") if f["kind"] == "subtitle"]


def test_findings_follow_edits_processes_and_rules(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ws = workspace(tmp_path)
    srt = ws.paths.subtitles_srt("one", "pt")
    srt.parent.mkdir(parents=True)
    srt.write_text(FAST, encoding="utf-8")
    assert "max_cps" in rules_found(ws)
    ws.hashes.save()

    parsed: list[Path] = []
    real = subs.load_srt
    def counting(path: Path) -> list[subs.Cue]:
        parsed.append(path)
        return real(path)

    monkeypatch.setattr(subs, "load_srt", counting)
    again = workspace(tmp_path)  # another process: the cache is on disk
    assert "max_cps" in rules_found(again) and parsed == []  # not parsed again

    srt.write_text(CALM, encoding="utf-8")  # an editor fixes it
    assert rules_found(again) == [] and parsed == [srt]
    srt.write_text(FAST, encoding="utf-8")
    assert "max_cps" in rules_found(again)
    assert rules_found(workspace(tmp_path, max_cps=60)) == []  # a rule change: checked again


def test_a_missing_or_unreadable_file(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    assert rules_found(ws) == []
    srt = ws.paths.subtitles_srt("one", "pt")
    srt.parent.mkdir(parents=True)
    srt.write_bytes(b"\xff\xfe not an srt \x00")
    found = qa.findings(ws, "one", "pt")
    assert [f["rule"] for f in found] == ["parse"] and str(srt) in found[0]["detail"]
    assert "UTF-16; save it as UTF-8" in found[0]["detail"]
