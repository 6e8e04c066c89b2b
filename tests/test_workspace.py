"""pipeline/workspace.py: the videos a config names, their output folder names and scripts."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Config, Project
from pipeline.workspace import Workspace, discover, sanitize

UNSAFE = set("'\":[],; \t\n/\\{}()&|<>*?$`!=%#@^~")


def _project(root: Path, inputs: list[str]) -> Project:
    return Project(config=Config(inputs=inputs, languages=["en"]), root=root)


def _touch(path: Path, data: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- sanitize ----------------------------------------------------------------------------

def test_sanitize_makes_a_safe_name_and_keeps_cjk() -> None:
    name = sanitize("Jinan: 'Spring' [City], 泉城")
    assert not set(name) & UNSAFE
    assert name == "Jinan_Spring_City_泉城"


def test_sanitize_keeps_the_letters_of_every_script() -> None:
    assert sanitize("趵突泉") == "趵突泉"
    assert sanitize("café do Porto") == "café_do_Porto"
    assert sanitize("نافورة") == "نافورة"
    assert sanitize("ﾃｽﾄ Ａ１") == "テスト_A1"  # compatibility forms folded (NFKC)


def test_sanitize_never_gives_a_hidden_or_empty_name() -> None:
    assert sanitize("..hidden") == "hidden"  # not a dot file (those are temp files)
    assert sanitize("") == "video"
    assert sanitize("''") == "video"


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(min_size=0, max_size=40))
def test_sanitize_always_gives_a_safe_folder_name(stem: str) -> None:
    name = sanitize(stem)
    assert name and name not in (".", "..")
    assert not name.startswith(".")
    assert not set(name) & UNSAFE
    assert not any(ord(c) < 32 or c == "\x7f" for c in name)
    assert re.fullmatch(r"[\w.-]+", name)
    assert sanitize(name) == name  # stable: a second pass changes nothing


# --- discover ----------------------------------------------------------------------------

def test_two_files_with_the_same_stem_get_unique_names(tmp_path: Path) -> None:
    a = _touch(tmp_path / "media" / "day1" / "baotu.mp4")
    b = _touch(tmp_path / "media" / "day2" / "baotu.mp4")
    c = _touch(tmp_path / "media" / "day2" / "baotu spring.mp4")
    d = _touch(tmp_path / "media" / "day3" / "baotu_spring.mov")
    videos, warnings = discover(_project(tmp_path, ["media/**/*.mp4", "media/**/*.mov"]))
    assert warnings == []
    names = [v.name for v in videos]
    assert len(set(names)) == len(names) == 4
    by_source = {v.source: v.name for v in videos}
    assert {by_source[a], by_source[b]} == {"baotu", "baotu-2"}
    assert {by_source[c], by_source[d]} == {"baotu_spring", "baotu_spring-2"}


def test_names_are_stable_from_run_to_run(tmp_path: Path) -> None:
    for day in ("day1", "day2", "day3"):
        _touch(tmp_path / "media" / day / "clip.mp4")
    project = _project(tmp_path, ["media/**/*.mp4"])
    first = [(v.name, v.source) for v in discover(project)[0]]
    second = [(v.name, v.source) for v in discover(project)[0]]
    assert first == second
    assert [n for n, _ in first] == ["clip", "clip-2", "clip-3"]


def test_a_file_named_by_two_globs_is_one_video(tmp_path: Path) -> None:
    _touch(tmp_path / "media" / "clip.mp4")
    videos, _ = discover(_project(tmp_path, ["media/*.mp4", "media/clip.*"]))
    assert [v.name for v in videos] == ["clip"]


def test_script_files_are_found_beside_the_source(tmp_path: Path) -> None:
    _touch(tmp_path / "media" / "broll.mp4")
    srt_script = _touch(tmp_path / "media" / "broll.script.srt", b"1\n00:00:00,000 --> 00:00:01,000\nHi\n")
    _touch(tmp_path / "media" / "aerial.mp4")
    txt_script = _touch(tmp_path / "media" / "aerial.script.txt", b"The springs feed the lake.\n")
    _touch(tmp_path / "media" / "interview.mp4")
    _touch(tmp_path / "other" / "interview.script.txt", b"not beside the video\n")
    videos, _ = discover(_project(tmp_path, ["media/*"]))
    scripts = {v.name: v.script for v in videos}
    assert scripts == {"aerial": txt_script.absolute(), "broll": srt_script.absolute(), "interview": None}


def test_only_video_files_are_inputs(tmp_path: Path) -> None:
    for name in ("a.mp4", "b.MOV", "c.mkv", "notes.txt", "a.script.txt", "thumb.jpg",
                 ".a.partial.mp4", "subtitles.srt"):
        _touch(tmp_path / "media" / name)
    videos, _ = discover(_project(tmp_path, ["media/*"]))
    assert sorted(v.name for v in videos) == ["a", "b", "c"]


def test_a_glob_that_matches_nothing_is_a_warning_naming_it(tmp_path: Path) -> None:
    _touch(tmp_path / "media" / "clip.mp4")
    _touch(tmp_path / "docs" / "readme.txt")
    videos, warnings = discover(_project(tmp_path, ["media/*.mp4", "missing/*.mp4", "docs/*"]))
    assert [v.name for v in videos] == ["clip"]
    assert len(warnings) == 2
    assert "'missing/*.mp4'" in warnings[0] and "'docs/*'" in warnings[1]


def test_workspace_paths_follow_the_output_layout(tmp_path: Path) -> None:
    _touch(tmp_path / "media" / "Jinan: tour.mp4")
    project = Project(config=Config(inputs=["media/*.mp4"], output_dir="out"), root=tmp_path)
    ws = Workspace(project)
    assert ws.warnings == []
    (video,) = ws.videos
    assert video.name == "Jinan_tour"
    assert ws.video("Jinan_tour") is video
    out = (tmp_path / "out").resolve()
    assert ws.paths.transcript_srt(video.name) == out / "Jinan_tour" / "source" / "transcript.srt"
    assert ws.paths.deliverable(video.name, "pt", "vertical") == \
        out / "Jinan_tour" / "pt" / "Jinan_tour.pt.vertical.mp4"
    assert ws.paths.rel(ws.paths.subtitles_srt(video.name, "pt")) == "Jinan_tour/pt/subtitles.srt"
