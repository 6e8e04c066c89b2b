"""The README is the door: short, its commands parse, its command table is the CLI, its
configuration table is the config, its links and the docs' code references lead somewhere.

Everything here reads text and parses in-process (no pipeline run), so it takes a second."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import click
import pytest

from pipeline.cli import cli
from scripts import config_table

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOCS]
MAX_LINES = 350


def _text(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def _rel(page: Path) -> str:
    return str(page.relative_to(ROOT))


# -- the CLI as data ---------------------------------------------------------------------

def _leaves(group: click.Group = cli, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], click.Command]:
    """Every command a user can type: ("run",), ("models", "install")..."""
    found: dict[tuple[str, ...], click.Command] = {}
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.update(_leaves(command, path + (name,)))
        else:
            found[path + (name,)] = command
    return found


LEAVES = _leaves()
IMPLIED = {"--config", "-c", "--help", "-h"}  # stated once above the table for every verb


def _verb(words: list[str]) -> tuple[tuple[str, ...], list[str]]:
    """(the command path, the rest) of `pipeline ...` words; KeyError for an unknown verb."""
    command: click.Command = cli
    path: list[str] = []
    rest = list(words)
    while isinstance(command, click.Group):
        if not rest:
            raise KeyError(" ".join(path) or "(no verb)")
        name = rest.pop(0)
        sub = command.commands.get(name)
        if sub is None:
            raise KeyError(" ".join(path + [name]))
        command, path = sub, path + [name]
    return tuple(path), rest


def _placeholder(command: click.Command, option: str | None, word: str) -> str:
    """A value that parses where the docs write a placeholder (NAME, SECONDS, STAGE)."""
    if not re.fullmatch(r"[A-Z][A-Z_]*", word):
        return word
    param = next((p for p in command.params if option in getattr(p, "opts", ())), None)
    kind = param.type if param is not None else None
    if isinstance(kind, click.Choice):
        return str(kind.choices[0])
    if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        return "2"
    return word.lower()


def dry_parse(words: list[str]) -> None:
    """Parse `pipeline WORDS` as the CLI would, types and choices checked, running nothing."""
    path, rest = _verb(words)
    command = LEAVES[path]
    args: list[str] = []
    option = None
    for word in rest:
        args.append(_placeholder(command, option, word))
        option = word if word.startswith("-") else None
    command.make_context(" ".join(("pipeline", *path)), args)


def _commands(text: str, blocks_only: bool) -> list[str]:
    """`pipeline ...` lines of fenced code blocks (comments dropped) and, unless blocks_only,
    inline code spans starting with `pipeline `."""
    found = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.S | re.M):
        for line in block.splitlines():
            if line.startswith("pipeline "):
                found.append(line.split(" #")[0].strip())
    if not blocks_only:
        found += re.findall(r"`(pipeline [^`]+)`", text)
    return found


def _words(command: str) -> list[str]:
    return [w for w in shlex.split(command.replace("[", " ").replace("]", " "))]


# -- the README's size and links ---------------------------------------------------------

def test_the_readme_is_a_door_of_at_most_350_lines() -> None:
    lines = _text(README).count("\n")
    assert lines <= MAX_LINES, f"README.md has {lines} lines; move detail into docs/"


def test_every_code_block_command_in_the_readme_and_docs_parses() -> None:
    commands = [(_rel(p), c) for p in PAGES for c in _commands(_text(p), blocks_only=False)]
    assert len([c for page, c in commands if page == "README.md"]) >= 20
    bad = []
    for page, command in commands:
        try:
            dry_parse(_words(command)[1:])
        except (KeyError, click.ClickException) as e:
            bad.append(f"{page}: {command!r}: {e}")
    assert not bad, "\n".join(bad)


def test_a_wrong_command_does_not_parse() -> None:
    """The dry parse can fail: an unknown verb, option or choice is caught."""
    for words in (["serve"], ["run", "--fast"], ["run", "--only", "paint"],
                  ["review", "--port", "0"], ["models", "install", "espeak"]):
        with pytest.raises((KeyError, click.ClickException)):
            dry_parse(words)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def _anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", _text(page), flags=re.S | re.M)
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.M)}


def test_every_link_to_docs_leads_to_a_page_and_a_heading() -> None:
    bad = []
    for page in PAGES:
        for target in re.findall(r"\]\(([^)\s]+)\)", _text(page)):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            path = (page.parent / file).resolve() if file else page
            if not path.exists():
                bad.append(f"{_rel(page)}: {target}: no such file")
            elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
                bad.append(f"{_rel(page)}: {target}: no heading #{anchor}")
    assert not bad, "\n".join(bad)


def test_every_page_of_docs_is_linked_from_the_readme() -> None:
    linked = set(re.findall(r"\]\((docs/[^)#\s]+)", _text(README)))
    assert {_rel(p) for p in DOCS} <= linked


def test_the_docs_do_not_speak_of_the_issue() -> None:
    bad = [f"{_rel(p)}: {m}" for p in PAGES
           for m in re.findall(r"[^.\n]*\b(?:the issues?|this branch)\b[^.\n]*", _text(p), re.I)]
    assert not bad, "\n".join(bad)


# -- the command table -------------------------------------------------------------------

def _table(section: str) -> list[list[str]]:
    text = _text(README)
    body = text.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    lines = body.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(first, len(lines)) if not lines[i].startswith("|")), len(lines))
    rows = lines[first:end]
    stray = [line for line in lines[end:] if line.startswith("|")]
    assert not stray, f"the {section} table is cut in two before {stray[0]!r}"
    return [[c.strip() for c in re.split(r"(?<!\\)\|", r)[1:-1]] for r in rows[2:]]


def _table_commands() -> list[tuple[tuple[str, ...], list[str]]]:
    """Each command written in the table's first column: its verb path and its words (a
    span such as `argos SRC TGT` after `pipeline models install argos FILE` continues it)."""
    found = []
    for row in _table("Command line"):
        spans = re.findall(r"`([^`]+)`", row[0])
        assert spans and spans[0].startswith("pipeline "), row
        path, _ = _verb(_words(spans[0])[1:])
        for span in spans:
            words = _words(span)[1:] if span.startswith("pipeline ") else [*path, *_words(span)]
            found.append((_verb(words)[0], words))
    return found


def test_the_command_table_is_the_cli() -> None:
    rows = _table_commands()
    in_table = {path for path, _ in rows}
    assert in_table == set(LEAVES), (
        f"missing from the table: {sorted(set(LEAVES) - in_table)}; "
        f"not in the CLI: {sorted(in_table - set(LEAVES))}")
    for path, command in LEAVES.items():
        written = {w for p, words in rows if p == path for w in words}
        for param in command.params:
            if isinstance(param, click.Option):
                opts = set(param.opts) | set(param.secondary_opts)
                assert opts & IMPLIED or opts & written, (
                    f"pipeline {' '.join(path)}: {'/'.join(param.opts)} is not in the table")
            elif isinstance(param.type, click.Choice):
                missing = [c for c in param.type.choices if c not in written]
                assert not missing, f"pipeline {' '.join(path)}: {missing} not in the table"
    bad = []
    for _, words in rows:
        try:
            dry_parse(words)
        except (KeyError, click.ClickException) as e:
            bad.append(f"{' '.join(words)}: {e}")
    assert not bad, "\n".join(bad)


# -- the configuration table -------------------------------------------------------------

def test_every_config_field_has_a_description() -> None:
    assert config_table.missing_descriptions() == []


def test_the_configuration_table_is_up_to_date() -> None:
    text = _text(README)
    assert config_table.render(text) == text, (
        "README.md's configuration table is out of date: run python -m scripts.config_table")
    assert len(config_table.rows()) >= 50
    for key, _ in config_table.rows():
        assert f"| `{key}` |" in text


# -- code references in the docs (the recipes) -------------------------------------------

def _defined(module: Path, dotted: str) -> bool:
    """Whether `Name` (or `Class.member`) is defined at the top of the module."""
    body = ast.parse(module.read_text(encoding="utf-8")).body
    for part in dotted.split("."):
        names: dict[str, list[ast.stmt]] = {}
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names[node.name] = getattr(node, "body", [])
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for t in targets:
                    if isinstance(t, ast.Name):
                        names[t.id] = []
        if part not in names:
            return False
        body = names[part]
    return True


def test_every_file_and_name_the_docs_point_to_exists() -> None:
    bad = []
    refs = 0
    for page in PAGES:
        text = _text(page)
        for path in re.findall(r"\b((?:pipeline|tests|bench|scripts)/[\w/]+\.py)\b", text):
            if not (ROOT / path).exists():
                bad.append(f"{_rel(page)}: {path}: no such file")
        for path, name in re.findall(r"`(pipeline/[\w/]+\.py):([\w.]+)`", text):
            refs += 1
            if (ROOT / path).exists() and not _defined(ROOT / path, name):
                bad.append(f"{_rel(page)}: {path}:{name}: not defined there")
    assert refs >= 20
    assert not bad, "\n".join(bad)


# -- the stage recipe, walked over the stages there are ----------------------------------

def test_every_stage_of_the_table_is_where_the_stage_recipe_says() -> None:
    """docs/extending.md "Add a stage": a table row, a registry object, the review desk's
    stages of a version; and every stage name the delivery and review code reads is a row."""
    from pipeline.orchestration.registry import default_registry
    from pipeline.review.shared import VERSION_STAGES
    from pipeline.stage_table import TABLE

    names = [s.name for s in TABLE]
    registry = default_registry()  # refuses a row without a stage object
    assert set(registry.stages) == set(names)  # and an object without a row is never run
    per_lang = {s.name for s in TABLE if s.per_lang}
    of_a_version = [s.name for s in TABLE if s.runs_in != "sample"
                    and (s.per_lang or not set(s.needs) & per_lang)]
    assert list(VERSION_STAGES) == of_a_version
    read = set()
    modules = [ROOT / "pipeline/delivery/qa.py", ROOT / "pipeline/delivery/manifest.py",
               *sorted((ROOT / "pipeline/review").glob("*.py"))]
    for module in modules:
        read |= set(re.findall(r'Task\("(\w+)"', _text(module)))
    assert read and read <= set(names), read - set(names)
