"""The `pipeline` command: verbs only (parse, call, print). `main(argv) -> int` for tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from pipeline.errors import ConfigError, PipelineError
from pipeline.stage_table import selectable

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

config_option = click.option("-c", "--config", "config_path", default="pipeline.yaml",
                             show_default=True, type=click.Path(path_type=Path),
                             help="the project's pipeline.yaml")


def _workspace(config_path: Path) -> Any:
    from pipeline.config import load_config
    from pipeline.workspace import Workspace

    return Workspace(load_config(config_path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Turn source videos into subtitled, narrated versions in every language.

    Example: pipeline run -c pipeline.yaml
    """


@cli.command()
@config_option
@click.option("--video", multiple=True, help="only this video (its output folder name); repeatable")
@click.option("--lang", multiple=True, help="only this language code; repeatable")
@click.option("--only", multiple=True, type=click.Choice(selectable()),
              help="run just this stage; repeatable")
@click.option("--force", is_flag=True, help="rerun even if fresh (hand edits are kept as copies)")
@click.option("--keep-edits", is_flag=True,
              help="a hand-edited file whose inputs changed is kept as it is and used downstream")
@click.option("--strict", is_flag=True, help="fail every item whose outputs break a QA rule")
@click.option("--sample", type=float, default=None, help="render a SECONDS excerpt into outputs/_samples/")
@click.option("--jobs", type=int, default=None, help="local parallelism")
@click.option("--scheduler", default=None, help="a Dask scheduler address, tcp://HOST:8786")
@click.option("--json", "as_json", is_flag=True, help="print the outcome of every task as JSON")
def run(config_path: Path, video: tuple[str, ...], lang: tuple[str, ...], only: tuple[str, ...],
        force: bool, keep_edits: bool, strict: bool, sample: float | None, jobs: int | None, scheduler: str | None,
        as_json: bool) -> int:
    """Run every stage that is missing or stale.

    Example: pipeline run --video jinan_intro --lang pt --only render --force
    """
    from pipeline import runner
    from pipeline.orchestration.executor import outcomes_json
    from pipeline.orchestration.progress import Reporter

    if force and keep_edits:
        raise ConfigError("--force replaces hand edits and --keep-edits keeps them: give one")
    request = runner.RunRequest(video, lang, only, force, keep_edits, strict, sample, jobs,
                                scheduler)
    report = runner.run(config_path, request, Reporter())
    if as_json:
        click.echo(outcomes_json(report.outcomes))
    _summary(report)
    return EXIT_FAILED if report.failures else EXIT_OK


def _summary(report: Any) -> None:
    counts: dict[str, int] = {}
    for o in report.outcomes:
        counts[o.status.value] = counts.get(o.status.value, 0) + 1
    parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    click.echo(f"summary: {parts or 'nothing to do'} in {report.elapsed:.1f}s", err=True)
    for f in report.failures:
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
    from pipeline.orchestration.registry import default_registry
    from pipeline.delivery.status import columns, rows as status_rows

    ws = _workspace(config_path)
    registry = default_registry()
    rows = status_rows(ws, registry)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return EXIT_OK
    from rich.console import Console
    from rich.table import Column, Table

    stages = columns(ws, registry)
    table = Table("lang", *stages, "qa", "approval")
    longest = max((len(r["video"]) for r in rows), default=5)
    table.columns.insert(0, Column("video", no_wrap=True, min_width=longest))
    colours = {"done": "green", "edited": "cyan", "stale": "yellow", "missing": "dim", "failed": "red"}
    for r in rows:
        table.add_row(r["video"], r["lang"], *[f"[{colours[r[s]]}]{r[s]}[/]" for s in stages],
                      str(r["qa"]), _approval_cell(r["approval"]))
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    return EXIT_OK


def _approval_cell(approval: dict[str, Any]) -> str:
    from rich.markup import escape

    status = approval["status"]
    if status == "approved":
        return f"[green]approved[/] by {escape(approval['by'])}"
    if status == "changed_since_approval":
        lines = ", ".join(str(n) for n in approval["changed_lines"]) or "deliverable"
        return f"[yellow]changed since approval[/] ({escape(lines)})"
    if status == "changes_requested":
        return f"[magenta]changes requested[/] by {escape(approval['by'])}"
    return "[dim]needs review[/]"


@cli.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on; any but the loopback needs the token")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True)
@click.option("--token", default=None, envvar="PIPELINE_REVIEW_TOKEN",
              help="the token other hosts must give (generated and printed when not given)")
@click.option("--open", "open_browser", is_flag=True, help="open the desk in a browser")
def review(config_path: Path, host: str, port: int, token: str | None, open_browser: bool) -> int:
    """The review desk: watch, fix, rerun and sign off every version in a browser.

    Example: pipeline review -c pipeline.yaml --open
    """
    from pipeline.review.server import serve
    from pipeline.review.settings import Settings

    serve(Settings(config_path, host, port, token), open_browser)
    return EXIT_OK


@cli.command()
@config_option
@click.argument("outlets", nargs=-1)
@click.option("--include-unapproved", is_flag=True,
              help="put unapproved and changed versions in too; the package is marked a draft")
@click.option("--to", "remote", default=None,
              help="then copy each package to an rclone remote path, e.g. agency_sftp:inbox "
                   "(credentials from rclone's own config or environment)")
@click.option("--json", "as_json", is_flag=True, help="print what each outlet got as JSON")
def deliver(config_path: Path, outlets: tuple[str, ...], include_unapproved: bool,
            remote: str | None, as_json: bool) -> int:
    """Package the approved versions for each outlet in delivery.outlets (BagIt bags).

    Example: pipeline deliver broadcaster --to agency_sftp:inbox
    """
    from pipeline import runner
    from pipeline.delivery import package

    ws = _workspace(config_path)
    with runner.lock(ws):
        reports = package.deliver(ws, list(outlets), include_unapproved)
    transfers = []
    if remote:
        from pipeline.delivery import transfer
        from pipeline.delivery.ledger import record_transfer

        for r in reports:
            if r.failed:
                continue
            try:
                transfers.append(transfer.send(r.path, remote,
                                               progress=lambda s: click.echo(s, err=True)))
            except transfer.TransferError as e:  # this outlet's transfer failed; the next goes on
                r.failed = f"transfer to {transfer.redact(remote)}: {e}"
                continue
            record_transfer(r.path, remote)
    refused = 0
    for r in reports:
        if r.failed:
            click.echo(f"FAILED {r.outlet}: {r.failed}", err=True)
            refused += 1
            continue
        done = "made" if r.changed else "unchanged"
        click.echo(f"{r.outlet}: {len(r.delivered)} version(s) {done}"
                   f"{' (DRAFT: unapproved versions in it)' if r.draft else ''} in {r.path}"
                   + (f" ({r.made} file(s) made, {r.reused} kept)" if r.changed else ""), err=True)
        for line in r.refused:
            click.echo(f"REFUSED {r.outlet} {line}", err=True)
        for line in r.notes:
            click.echo(f"note: {r.outlet} {line}", err=True)
        refused += len(r.refused)
    for t in transfers:
        click.echo(f"sent {t.source.name} to {t.remote}: {t.copied} file(s) copied, "
                   f"{t.files} checked by SHA-256 there", err=True)
    if as_json:
        click.echo(json.dumps([{"outlet": r.outlet, "path": str(r.path), "changed": r.changed,
                                "draft": r.draft, "delivered": r.delivered, "refused": r.refused,
                                "notes": r.notes, "failed": r.failed} for r in reports],
                              indent=2, ensure_ascii=False))
    return EXIT_FAILED if refused else EXIT_OK


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
    from pipeline.engines import installer

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
