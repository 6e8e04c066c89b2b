"""What every engine family's table shares: a row names a module, the module is the family's
protocol (module-level functions and constants), imported on first use and checked whole."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import ModuleType

from pipeline.errors import ConfigError


def members(protocol: type) -> tuple[str, ...]:
    """The names a backend module must define: the protocol's constants and functions."""
    return (*getattr(protocol, "__annotations__", {}),
            *(name for name in vars(protocol) if not name.startswith("_")))


def backend_module(table: Mapping[str, str], engine: str, *, key: str, family: str,
                   choices: tuple[str, ...], required: tuple[str, ...]) -> ModuleType:
    """The module of a table row; ConfigError for a name not in the table (naming the config
    key and the choices), or a module that lacks part of the protocol."""
    if engine not in table:
        raise ConfigError(f"{key}: unknown engine {engine!r}; use one of {', '.join(choices)}")
    module = importlib.import_module(table[engine])
    lacking = [name for name in required if not hasattr(module, name)]
    if lacking:
        raise ConfigError(f"{module.__file__}: the {family} backend {engine!r} lacks "
                          f"{', '.join(lacking)} (docs/extending.md)")
    return module
