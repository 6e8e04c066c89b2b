"""Argos Translate: many pairs, installed as .argosmodel packages (`pipeline models install argos`).

Packages live where argostranslate puts them: `$ARGOS_PACKAGES_DIR`, else
`$XDG_DATA_HOME/argos-translate/packages` (`~/.local/share/...`); argostranslate reads those
(and `$XDG_CONFIG_HOME/argos-translate/settings.json`) once, when it is first imported.
A pair without a package of its own is offered through Argos' own pivot when two packages
chain (xx->en and en->yy give xx->yy).

Sentence splitting, offline. Before translating, argostranslate splits its input into
sentences, and every splitter it has fetches something from the internet at first use:
MiniSBD (its default) downloads `<lang>.onnx` from GitHub into
`$XDG_DATA_HOME/argos-translate/minisbd/` unless the package ships a `minisbd/` model; a
package's own `stanza/` tokenizer still re-downloads Stanza's `resources.json` on every
load; `ARGOS_CHUNK_TYPE=SPACY` downloads spaCy's `xx_sent_ud_sm` when argostranslate is
imported; `NONE` is not implemented (no translation is offered). The
pipeline already hands the engine one sentence at a time (subtitle events are joined into
sentences, `sentences.py`), so this backend gives each Argos package a splitter that keeps
the text whole: nothing is downloaded, and the model, tokenizer and decoding are Argos' own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

from pipeline.engines.mt.backends import Check, installed_version
from pipeline.errors import EngineError, PipelineError

NAME = "argos"  # its row in pipeline/engines/mt/backends.py
TEST_SENTENCE = "Hello, world."


class _WholeText:
    """argostranslate's sentence splitter interface: the pipeline's sentence, kept whole."""

    def split_sentences(self, text: str) -> list[str]:
        return [text]

    def __str__(self) -> str:
        return "one sentence per call (springs-pipeline)"


def available() -> bool:
    from importlib.util import find_spec

    return find_spec("argostranslate") is not None


def _settings() -> Any:
    try:
        from argostranslate import settings
    except ImportError as e:
        raise EngineError("argostranslate is not installed; pip install argostranslate") from e
    return settings


def import_argos() -> Any:
    """argostranslate.translate, imported so that importing it downloads nothing."""
    settings = _settings()
    if settings.chunk_type == settings.ChunkType.SPACY:
        # set before argostranslate.sbd is imported, which would otherwise download spaCy's
        # model; the splitter is replaced anyway (_WholeText)
        settings.chunk_type = settings.ChunkType.MINISBD
    from argostranslate import translate

    return translate


def packages_dir() -> Path:
    return Path(_settings().package_data_dir)


def _languages() -> dict[str, Any]:
    translate = import_argos()
    try:
        return {lang.code: lang for lang in translate.get_installed_languages()}
    except Exception as e:  # a broken folder among the packages breaks them all
        raise EngineError(f"cannot read the Argos packages in {packages_dir()}: {e}; remove the "
                          "broken folder and reinstall it with `pipeline models install argos "
                          "FILE`") from e


def _translation(src: str, tgt: str) -> Any | None:
    langs = _languages()
    if src not in langs or tgt not in langs or src == tgt:
        return None
    return langs[src].get_translation(langs[tgt])


def _steps(translation: Any) -> list[Any]:
    """The argostranslate PackageTranslations a translation runs, in order."""
    if hasattr(translation, "t1"):  # CompositeTranslation: Argos' pivot
        return _steps(translation.t1) + _steps(translation.t2)
    if hasattr(translation, "underlying"):  # CachedTranslation
        return _steps(translation.underlying)
    if hasattr(translation, "pkg"):  # PackageTranslation
        return [translation]
    return []  # IdentityTranslation


def missing_files(has: Callable[[str], bool]) -> list[str]:
    """What a package folder lacks for Argos to use it; `has` answers for a path inside it
    (an installed folder, or an archive's entries before it is unpacked)."""
    missing = [name for name in ("metadata.json", "model/model.bin", "model/config.json")
               if not has(name)]
    if not (has("sentencepiece.model") or has("bpe.model")):
        missing.append("sentencepiece.model or bpe.model")
    return missing


def _problem(folder: Path) -> str | None:
    """What an installed package folder lacks for Argos to use it, or None."""
    missing = missing_files(lambda name: (folder / name).is_file())
    return "missing " + ", ".join(missing) if missing else None


def _describe(pkg: Any) -> dict[str, Any]:
    folder = Path(pkg.package_path)
    model = folder / "model" / "model.bin"
    found = {"pair": f"{pkg.from_code}-{pkg.to_code}", "package": folder.name,
             "version": pkg.package_version,
             "model_bytes": model.stat().st_size if model.is_file() else None}
    problem = _problem(folder)
    if problem:
        found["problem"] = problem
    return found


def _chains() -> dict[tuple[str, str], list[Any]]:
    """Every src->tgt pair the installed packages translate, with the packages Argos chains
    for it, worked out from their metadata the way argostranslate's get_installed_languages
    does (each language's direct packages in install order, itself, then pivots through the
    languages it reaches until none is added; the first way to a language wins). Importing
    argostranslate.translate costs 2.2 s here (it imports stanza and torch), and every run's
    fingerprints ask for routes; the packages' metadata costs 0.06 s. tests/test_argos.py
    holds this to Argos's own answer."""
    from argostranslate import package

    ways: dict[str, list[tuple[str, list[Any]]]] = {}
    for pkg in package.get_installed_packages():
        if pkg.type != "translate":
            continue
        for code in (pkg.from_code, pkg.to_code):
            ways.setdefault(code, [])
        ways[pkg.from_code].append((pkg.to_code, [pkg]))
    for code, found in ways.items():
        found.append((code, []))
    for found in ways.values():
        adding = True
        while adding:
            adding = False
            for reached, steps in found:  # the list grows while it is walked, as in Argos
                for onward, more in ways[reached]:
                    if all(to != onward for to, _ in found):
                        adding = True
                        found.append((onward, steps + more))
    chains: dict[tuple[str, str], list[Any]] = {}
    for code, found in ways.items():
        for to, steps in found:
            chains.setdefault((code, to), steps)
    return chains


def route(src: str, tgt: str) -> list[dict[str, Any]] | None:
    """The packages Argos chains to translate src->tgt (one: direct; more: a pivot), or None;
    EngineError if one of them is broken."""
    if not available() or src == tgt:
        return None
    steps = [_describe(pkg) for pkg in _chains().get((src, tgt), [])]
    for step in steps:
        if "problem" in step:
            raise EngineError(f"Argos would translate {src}->{tgt} with the package {step['package']}"
                              f" in {packages_dir()}, which is broken ({step['problem']}); remove it "
                              "and reinstall it with `pipeline models install argos FILE`")
    return steps or None


def has_pair(src: str, tgt: str) -> bool:
    return route(src, tgt) is not None


def routes() -> list[tuple[str, str, list[dict[str, Any]]]]:
    """Every pair the installed packages give (direct first, then pivots), with its route."""
    if not available():
        return []
    found = []
    for src, lang in _languages().items():
        for translation in lang.translations_from:
            tgt = translation.to_lang.code
            steps = _steps(translation)
            if tgt != src and steps:
                found.append((src, tgt, [_describe(s.pkg) for s in steps]))
    return sorted(found, key=lambda p: (len(p[2]), p[0], p[1]))


def problems() -> list[tuple[str, str]]:
    """(package folder, what is wrong) for each installed package Argos cannot use."""
    if not available():
        return []
    root = packages_dir()
    folders = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    return [(f.name, problem) for f in folders if (problem := _problem(f))]


def describe_route(steps: list[dict[str, Any]]) -> str:
    names = ", ".join(f"{s['package']} {s['version']}".strip() for s in steps)
    broken = [f"{s['package']} is broken: {s['problem']}" for s in steps if "problem" in s]
    if len(steps) > 1:
        via = "->".join([steps[0]["pair"].split("-")[0]] + [s["pair"].split("-")[1] for s in steps])
        names = f"pivot {via}: {names}"
    return names + "".join(f"; {b}" for b in broken)


class Argos:
    def __init__(self, src: str, tgt: str) -> None:
        translation = _translation(src, tgt)
        if translation is None:
            raise EngineError(f"no Argos package translates {src}->{tgt} (directly or through "
                              f"another language) in {packages_dir()}")
        steps = _steps(translation)
        for step in steps:
            step.sentencizer = _WholeText()
        self._translation = translation
        self.pair = f"{src}-{tgt}"

    def translate(self, texts: list[str]) -> list[str]:
        out = []
        for text in texts:
            if not text.strip():
                out.append(text)
                continue
            try:
                out.append(self._translation.translate(" ".join(text.split())).strip())
            except Exception as e:
                raise EngineError(f"Argos {self.pair} failed on {text[:60]!r}: {e}") from e
        return out


def check(src: str, tgt: str) -> str:
    """Load the src->tgt route and translate a test sentence; EngineError with the cause."""
    translator = Argos(src, tgt)
    out = translator.translate([TEST_SENTENCE])[0]
    if not out.strip():
        raise EngineError(f"Argos {src}->{tgt} returned nothing for {TEST_SENTENCE!r}")
    return out


# the MT backend protocol (pipeline/engines/mt/backends.py) beyond available() and has_pair()

def missing(src: str, tgt: str) -> str | None:
    return ("" if available() else "pip install argostranslate, then ") + (
        f"`pipeline models install argos {src} {tgt}` (needs the internet) or "
        "`pipeline models install argos FILE.argosmodel`")


def identity(src: str, tgt: str) -> dict[str, Any]:
    return {"engine": NAME, "version": installed_version("argostranslate"),
            "pair": f"{src}-{tgt}", "mode": "sentence", "route": route(src, tgt)}


def load(src: str, tgt: str, shared: dict[str, Any]) -> Argos:
    return Argos(src, tgt)


def pairs() -> list[tuple[str, str, str]]:
    return [(a, b, describe_route(steps)) for a, b, steps in routes()]


def notes() -> list[str]:
    if not available():
        return ["(Argos Translate not installed: pip install argostranslate)"]
    return [f"argos package {folder} is broken: {problem}" for folder, problem in problems()] + [
        f"(Argos packages in {packages_dir()}; add one with `pipeline models install argos FILE`)"]


def doctor() -> Iterator[Check]:
    """The installed packages: where, which pairs they give, and any broken one."""
    where = packages_dir()
    fix = (f"remove that folder from {where} and reinstall the package with "
           "`pipeline models install argos FILE`")
    for folder, problem in problems():
        yield False, f"Argos package {folder}: {problem}", fix
    try:
        found = routes()
    except PipelineError as e:
        yield False, f"Argos packages in {where}: unreadable", str(e)
        return
    listed = ", ".join(f"{a}->{b}" + (" (pivot)" if len(r) > 1 else "")
                       + (" (broken)" if any("problem" in s for s in r) else "") for a, b, r in found)
    yield True, f"Argos packages in {where}: {listed or 'none'}", ""


def doctor_pair(src: str, tgt: str) -> Check:
    """Load the route for src->tgt and translate a test sentence with it."""
    described = describe_route(route(src, tgt) or [])
    try:
        check(src, tgt)
    except PipelineError as e:
        return (False, f" ({described}) fails: {e}",
                "reinstall the package(s) with `pipeline models install argos FILE`, or "
                "provide human translations at the path in translate.provided")
    return True, f" ({described}): loads and translates", ""
