"""The package is layered: no module imports, directly or through others, one that imports it
back. Every import counts (module level, inside functions, and those only for type checking),
and importing a.b.c imports the packages a and a.b first (except a module's own enclosing
packages, which Python has always started loading before the module runs)."""

from __future__ import annotations

import ast
from pathlib import Path

import pipeline

ROOT = Path(pipeline.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _edges(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                           for a in node.names]
            ancestors = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
            for target in targets:
                parts = target.split(".")
                if target in modules and target != name:
                    graph[name].add(target)
                for i in range(1, len(parts)):  # a.b.c imports a and a.b first
                    prefix = ".".join(parts[:i])
                    if prefix in modules and prefix not in ancestors and prefix != name:
                        graph[name].add(prefix)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_walker_finds_a_circle_when_there_is_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_the_walker_sees_imports_inside_functions_and_packages() -> None:
    graph = _edges(_modules())
    assert "pipeline.orchestration.registry" in graph["pipeline.orchestration.graph"]
    assert {"pipeline.engines", "pipeline.engines.mt"} <= graph["pipeline.stages.translate"]
    assert "pipeline.stages.render" in graph["pipeline.orchestration.registry"]  # imported inside a function


def test_no_import_circle_in_the_package() -> None:
    cycles = _cycles(_edges(_modules()))
    assert cycles == [], "import circles: " + "; ".join(" <-> ".join(c) for c in cycles)


# The layers, lowest first: a module may import its own layer and those below, never above.
# A name stands for a module or a package (every module below it).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("pipeline", "pipeline.errors", "pipeline.cache", "pipeline.records"),
    ("pipeline.language",),
    ("pipeline.subtitles",),
    ("pipeline.av",),
    ("pipeline.engines",),
    ("pipeline.onscreen", "pipeline.transcription", "pipeline.translation", "pipeline.narration"),
    ("pipeline.stage_table", "pipeline.config"),
    ("pipeline.workspace",),
    ("pipeline.stages",),
    ("pipeline.orchestration",),
    ("pipeline.delivery",),
    ("pipeline.runner",),
    ("pipeline.review",),
    ("pipeline.doctor", "pipeline.cli", "pipeline.__main__"),
)


def _layer(module: str) -> int:
    """The layer of a module: that of the longest name in LAYERS it falls under (the root
    package only by its own name)."""
    best, found = -1, -1
    for i, names in enumerate(LAYERS):
        for name in names:
            under = module == name or (name != "pipeline" and module.startswith(name + "."))
            if under and len(name) > best:
                best, found = len(name), i
    return found


def _upward(graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets
                  if _layer(b) > _layer(a))


def test_every_module_has_a_layer() -> None:
    assert [m for m in _modules() if _layer(m) < 0] == []
    assert _layer("pipeline.newthing") == -1


def test_the_layer_check_finds_an_upward_import() -> None:
    assert _upward({"pipeline.av.media": {"pipeline.config"}}) == ["pipeline.av.media -> pipeline.config"]
    assert _upward({"pipeline.config": {"pipeline.av.media"}}) == []


def test_nothing_below_imports_what_is_above() -> None:
    upward = _upward(_edges(_modules()))
    assert upward == [], "imports against the layering: " + "; ".join(upward)


def test_no_two_classes_share_a_name() -> None:
    """A name says which thing it is: two classes called `Job` (a stage's task and a desk's
    rerun) read alike in a traceback and in an import."""
    where: dict[str, list[str]] = {}
    for name, path in _modules().items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                where.setdefault(node.name, []).append(name)
    assert {k: v for k, v in where.items() if len(v) > 1} == {}
