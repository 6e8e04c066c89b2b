"""The `pipeline` command: verbs only (parse, call, print). `main(argv) -> int` for tests."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click

from pipeline.errors import ConfigError, PipelineError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

config_option = click.option("-c", "--config", "config_path", default="pipeline.yaml",
                             show_default=True, type=click.Path(path_type=Path),
                             help="the project's pipeline.yaml")


def _workspace(config_path: Path) -> Any:
    from pipeline.config import load_config
    from pipeline.workspace import Workspace

    return Workspace(load_config(config_path))


def _select(ws: Any, videos: tuple[str, ...], langs: tuple[str, ...]) -> tuple[list[str], list[str]]:
    for v in videos:
        ws.video(v)
    for lang in langs:
        if lang not in ws.config.languages:
            raise ConfigError(f"--lang {lang!r} is not in languages {ws.config.languages}; add it to "
                              "pipeline.yaml first")
    names = list(videos) or [v.name for v in ws.videos]
    if not names:
        raise ConfigError("inputs: no video files found; " + "; ".join(ws.warnings))
    return names, list(langs) or list(ws.config.languages)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Turn source videos into subtitled, narrated versions in every language.

    Example: pipeline run -c pipeline.yaml
    """


@cli.command()
@config_option
@click.option("--video", multiple=True, help="only this video (its output folder name); repeatable")
@click.option("--lang", multiple=True, help="only this language code; repeatable")
@click.option("--only", multiple=True, type=click.Choice(
    ["extract", "transcribe", "translate", "narrate", "render", "master"]),
    help="run just this stage; repeatable")
@click.option("--force", is_flag=True, help="rerun even if fresh (hand edits are kept as copies)")
@click.option("--strict", is_flag=True, help="fail every item whose outputs break a QA rule")
@click.option("--sample", type=float, default=None, help="render a SECONDS excerpt into outputs/_samples/")
@click.option("--jobs", type=int, default=None, help="local parallelism")
@click.option("--scheduler", default=None, help="a Dask scheduler address, tcp://HOST:8786")
@click.option("--json", "as_json", is_flag=True, help="print the outcome of every task as JSON")
def run(config_path: Path, video: tuple[str, ...], lang: tuple[str, ...], only: tuple[str, ...],
        force: bool, strict: bool, sample: float | None, jobs: int | None, scheduler: str | None,
        as_json: bool) -> int:
    """Run every stage that is missing or stale.

    Example: pipeline run --video jinan_intro --lang pt --only render --force
    """
    from filelock import FileLock, Timeout

    from pipeline import manifest
    from pipeline.executor import execute, outcomes_json
    from pipeline.graph import plan
    from pipeline.progress import Reporter
    from pipeline.qa import findings

    if jobs is not None and jobs < 1:
        raise ConfigError(f"--jobs {jobs}: give at least 1")
    if sample is not None and not 0 < sample <= 600:
        raise ConfigError(f"--sample {sample}: give the excerpt length in seconds, 0 to 600")
    ws = _workspace(config_path)
    if sample is not None:
        ws.sample_seconds = sample
    videos, langs = _select(ws, video, lang)
    reporter = Reporter()
    for w in ws.warnings:
        reporter.warn(w)
    ws.out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(ws.out / ".pipeline.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise ConfigError(f"another `pipeline run` is using {ws.out} (lock {lock.lock_file}); "
                          "wait for it to finish") from None
    from pipeline.cache import sweep_partials

    swept = sweep_partials(ws.out)
    if swept:
        reporter.warn(f"removed {swept} half-written file(s) left by an interrupted run")
    started = time.perf_counter()
    try:
        tasks = plan(ws, videos, langs, list(only) or None, sample is not None)
        scheduler = scheduler or ws.config.executor.scheduler
        workers = jobs or ws.config.executor.jobs or _auto_jobs(ws, tasks, force)
        if scheduler or workers > 1:
            from pipeline.distributed import execute_dask

            outcomes = execute_dask(ws, config_path, tasks, reporter, force, list(only) or None,
                                    workers, scheduler)
        else:
            outcomes = execute(ws, tasks, reporter, force, list(only) or None)
    finally:
        reporter.close()
    failures = [{"stage": o.task.stage, "video": o.task.video, "lang": o.task.lang, "cause": o.cause,
                 "retry": _retry(config_path, o.task.video, o.task.lang)}
                for o in outcomes if o.status == "failed"]
    if strict:
        failed_items = {(f["video"], f["lang"]) for f in failures}
        for v in videos:
            for code in langs:
                qa = findings(ws, v, code)
                if qa and (v, code) not in failed_items and (v, None) not in failed_items:
                    failures.append({"stage": "qa", "video": v, "lang": code,
                                     "cause": f"{len(qa)} QA finding(s), first: {qa[0]['detail']}",
                                     "retry": _retry(config_path, v, code)})
    if sample is None:
        try:
            manifest.write(ws, failures)
        except OSError as e:
            failures.append({"stage": "manifest", "video": "-", "lang": None,
                             "cause": f"cannot write {ws.out / 'manifest.json'}: {e}",
                             "retry": f"pipeline run -c {config_path}"})
    lock.release()
    elapsed = time.perf_counter() - started
    if as_json:
        click.echo(outcomes_json(outcomes))
    _summary(outcomes, failures, elapsed)
    return EXIT_FAILED if failures else EXIT_OK


def _auto_jobs(ws: Any, tasks: list[Any], force: bool) -> int:
    """Without --jobs: a worker per what the machine can hold for a real batch; in this
    process for a handful of tasks (an editor's rerun), where starting workers costs more."""
    from pipeline.distributed import default_jobs
    from pipeline.graph import evaluate

    pending = len(tasks) if force else sum(
        1 for t in tasks if evaluate(ws, t).status not in ("done", "edited"))
    return default_jobs() if pending >= AUTO_POOL_TASKS else 1


AUTO_POOL_TASKS = 12


def _retry(config_path: Path, video: str, lang: str | None) -> str:
    cmd = f"pipeline run -c {config_path} --video {video}"
    return cmd + (f" --lang {lang}" if lang else "")


def _summary(outcomes: list[Any], failures: list[dict[str, Any]], elapsed: float) -> None:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    click.echo(f"summary: {parts or 'nothing to do'} in {elapsed:.1f}s", err=True)
    for f in failures:
        where = f["video"] + (f"/{f['lang']}" if f["lang"] else "")
        click.echo(f"FAILED {f['stage']} {where}: {f['cause']}", err=True)
        click.echo(f"  retry: {f['retry']}", err=True)


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="print the table as JSON")
def status(config_path: Path, as_json: bool) -> int:
    """Table of video x lang x stage: done, stale, missing, edited, failed.

    Example: pipeline status --json
    """
    from pipeline.graph import ORDER, evaluate
    from pipeline.qa import findings
    from pipeline.workspace import Task

    ws = _workspace(config_path)
    rows = []
    for video in ws.videos:
        for lang in ws.config.languages:
            row: dict[str, Any] = {"video": video.name, "lang": lang}
            for stage in ORDER:
                from pipeline.graph import STAGES

                task = Task(stage, video.name, lang if STAGES[stage].per_lang else None)
                row[stage] = evaluate(ws, task).status
            if ws.config.render.master:
                row["master"] = evaluate(ws, Task("master", video.name)).status
            row["qa"] = len(findings(ws, video.name, lang))
            rows.append(row)
    ws.hashes.save()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return EXIT_OK
    from rich.console import Console
    from rich.table import Column, Table

    columns = ORDER + (["master"] if ws.config.render.master else [])
    table = Table("lang", *columns, "qa")
    longest = max((len(r["video"]) for r in rows), default=5)
    table.columns.insert(0, Column("video", no_wrap=True, min_width=longest))
    colours = {"done": "green", "edited": "cyan", "stale": "yellow", "missing": "dim", "failed": "red"}
    for r in rows:
        table.add_row(r["video"], r["lang"], *[f"[{colours[r[s]]}]{r[s]}[/]" for s in columns],
                      str(r["qa"]))
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    return EXIT_OK


@cli.command()
@config_option
def doctor(config_path: Path) -> int:
    """Check ffmpeg, fonts, models and voices for every configured language; print each fix.

    Example: pipeline doctor -c pipeline.yaml
    """
    from pipeline.doctor import checks

    ws = _workspace(config_path)
    bad = 0
    for ok, what, fix in checks(ws):
        click.echo(f"{'ok  ' if ok else 'FAIL'} {what}" + ("" if ok else f"\n     fix: {fix}"))
        bad += not ok
    return EXIT_FAILED if bad else EXIT_OK


@cli.group()
def models() -> None:
    """What engines, models and voices are present."""


@models.command("list")
def models_list() -> int:
    """List packaged ASR models, translation pairs and voices.

    Example: pipeline models list
    """
    from pipeline.doctor import inventory

    for line in inventory():
        click.echo(line)
    return EXIT_OK


@models.command("install")
@click.argument("engine", type=click.Choice(["argos", "piper", "kokoro"]))
@click.argument("what", nargs=-1)
def models_install(engine: str, what: tuple[str, ...]) -> int:
    """Install an Argos package file or pair (online), a Piper voice (online), or Kokoro.

    Examples: pipeline models install argos translate-en_es.argosmodel;
    pipeline models install argos en es; pipeline models install piper en_GB-alan-medium;
    pipeline models install kokoro
    """
    from pipeline import installer

    if engine == "kokoro":
        message = installer.install_kokoro()
    elif not what:
        raise ConfigError(f"models install {engine} needs what to install (see --help)")
    elif engine == "piper":
        message = installer.install_piper_voice(what[0])
    elif len(what) == 1:
        message = installer.install_argos_file(Path(what[0]))
    elif len(what) == 2:
        message = installer.install_argos_pair(*what)
    else:
        raise ConfigError("models install argos takes FILE or SRC TGT")
    click.echo(message)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of exiting (tests call this)."""
    try:
        rv = cli.main(args=argv, prog_name="pipeline", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_FAILED
    except click.ClickException as e:
        e.show()
        return EXIT_USAGE
    except ConfigError as e:
        click.echo(f"error: {e}", err=True)
        return EXIT_USAGE
    except PipelineError as e:
        click.echo(f"error: {e}", err=True)
        return EXIT_FAILED
    return rv if isinstance(rv, int) else EXIT_OK


def entry() -> None:
    sys.exit(main())
