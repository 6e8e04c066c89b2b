"""`pipeline deliver`: a BagIt package per outlet, of the versions whose approval still
matches what they are now.

A version goes into an outlet's package when its approval (pipeline/delivery/approvals.py)
is a sign-off and the subtitles and every deliverable the outlet takes have the bytes that
were approved; an unapproved or changed version is refused and named (with
--include-unapproved it goes in and the package is marked a draft). The package is a BagIt
bag (SHA-256 manifests) holding per version: the outlet's deliverables, its caption files,
a poster frame and its metadata in the version's language; and a receipt.

Each file of a package has a key (what it is made from). A rerun whose plan (every file's
key, what was refused, draft or not) equals the receipt's does nothing; otherwise the new
bag is built in a temporary folder beside the old one, unchanged files linked from the old
bag, and swapped in by renames: a reader finds the old bag or the new one, never half.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline.av import media
from pipeline.cache import TaskState, canonical_hash, sha256_file, read_json, utc_stamp
from pipeline.config import OutletConfig
from pipeline.delivery import approvals as ap
from pipeline.errors import ConfigError, PipelineError
from pipeline.subtitles.formats import CAPTION_FORMATS, CaptionFormatError, load_srt
from pipeline.workspace import Task, Workspace

PACKAGE_VERSION = 1
RECEIPT = "receipt.json"
POSTER_AT = 1 / 3  # the poster frame: a third into the version


@dataclass(frozen=True)
class Planned:
    """One payload file: where it goes in data/, what it is made from, and how to make it."""

    rel: str
    key: str
    make: Callable[[Path], None]


@dataclass
class Version:
    video: str
    lang: str
    approval: dict[str, Any]
    files: list[Planned] = field(default_factory=list)


@dataclass
class OutletReport:
    outlet: str
    path: Path
    changed: bool = False
    draft: bool = False
    delivered: list[str] = field(default_factory=list)  # video/lang
    refused: list[str] = field(default_factory=list)  # one line each: the version and why
    notes: list[str] = field(default_factory=list)  # what a version goes without, and why
    reused: int = 0  # files linked from the previous package
    made: int = 0  # files made now
    failed: str = ""  # why no package could be made (the previous one is left as it was)


def outlet_profiles(ws: Workspace, outlet: OutletConfig) -> list[str]:
    if outlet.profiles:
        return list(outlet.profiles)
    return [name for name, p in ws.config.render.profiles.items() if p.preset == outlet.preset]


def outlet_captions(ws: Workspace, outlet: OutletConfig, profiles: list[str]) -> list[str]:
    if outlet.captions is not None:
        return list(outlet.captions)
    found: dict[str, None] = {}
    for name in profiles:
        found.update((c, None) for c in ws.config.render.profiles[name].captions)
    return list(found)


def package_dir(ws: Workspace, outlet: str) -> Path:
    return ws.out / ws.config.delivery.dir / outlet


def why_refused(ws: Workspace, video: str, lang: str, profiles: list[str],
                store: ap.Store) -> str | None:
    """Why a version may not leave (None: approved, and what was approved is what it is)."""
    missing = [p for p in profiles if not ws.paths.deliverable(video, lang, p).is_file()]
    if missing:
        return f"not rendered ({', '.join(missing)}); run `pipeline run` first"
    record = store.records.get(ap.key(video, lang))
    if record is None:
        return "not approved yet (review desk: approve it)"
    if record.decision is not ap.Decision.APPROVED:
        return f"changes requested by {record.reviewer} at {record.at}"
    changed = [p for p in profiles
               if record.deliverables.get(p) != ws.hashes.sha256(ws.paths.deliverable(video, lang, p))]
    srt = ws.paths.subtitles_srt(video, lang)
    if record.subtitles_sha256 != (ws.hashes.sha256(srt) if srt.is_file() else None):
        changed.append("subtitles")
    captions = ap.binding_hashes(ws, video, lang)[0].get(ap.CAPTIONS_KEY)
    if record.deliverables.get(ap.CAPTIONS_KEY) != captions:
        changed.append("captions")
    if changed:
        return (f"changed since {record.reviewer} approved it at {record.at} "
                f"({', '.join(changed)}); approve it again")
    return None


def plan_outlet(ws: Workspace, name: str, include_unapproved: bool,
                translate: Callable[[str, str, str, list[str]], tuple[list[str], dict[str, Any]]]
                ) -> tuple[list[Version], OutletReport]:
    """Every version the outlet's package holds, with its files (nothing made yet)."""
    outlet = ws.config.delivery.outlets[name]
    profiles = outlet_profiles(ws, outlet)
    captions = outlet_captions(ws, outlet, profiles)
    langs = outlet.languages or list(ws.config.languages)
    store = ap.load_store(ws.out)
    report = OutletReport(name, package_dir(ws, name))
    versions: list[Version] = []
    for video in ws.videos:
        for lang in langs:
            label = f"{video.name}/{lang}"
            why = why_refused(ws, video.name, lang, profiles, store)
            if why and (not include_unapproved or why.startswith("not rendered")):
                report.refused.append(f"{label}: {why}")
                continue
            version = Version(video.name, lang, {"approved": why is None, "why_not": why})
            record = store.records.get(ap.key(video.name, lang))
            if why is None and record is not None:
                version.approval.update(by=record.reviewer, at=record.at)
            try:
                _plan_files(ws, version, profiles, captions, report)
                if outlet.metadata:
                    _plan_metadata(ws, version, report, translate)
            except PipelineError as e:  # a subtitle file or a meta file that cannot be read
                report.refused.append(f"{label}: {e}")
                continue
            report.draft = report.draft or why is not None
            versions.append(version)
            report.delivered.append(label)
    return versions, report


def _plan_files(ws: Workspace, v: Version, profiles: list[str], captions: list[str],
                report: OutletReport) -> None:
    here = f"{v.video}/{v.lang}"
    for profile in profiles:
        source = ws.paths.deliverable(v.video, v.lang, profile)
        v.files.append(Planned(f"{here}/{source.name}", ws.hashes.sha256(source),
                               _linker(source)))
    first = ws.paths.deliverable(v.video, v.lang, profiles[0])
    v.files.append(Planned(f"{here}/poster.jpg",
                           canonical_hash(["poster", POSTER_AT, ws.hashes.sha256(first)]),
                           functools.partial(_poster, first)))
    srt = ws.paths.subtitles_srt(v.video, v.lang)
    for fmt in captions:
        row = CAPTION_FORMATS[fmt]
        cues = load_srt(srt)
        try:
            data = row.write(cues, v.lang)
        except CaptionFormatError as e:
            report.notes.append(f"{here}: no {fmt} file: {e}")
            continue
        v.files.append(Planned(f"{here}/{v.video}.{v.lang}{row.suffix}",
                               hashlib.sha256(data).hexdigest(), functools.partial(_write, data)))


def _write(data: bytes, target: Path) -> None:
    target.write_bytes(data)


def _linker(source: Path) -> Callable[[Path], None]:
    def link(target: Path) -> None:
        try:
            os.link(source, target)  # a rerun replaces outputs by rename: the link keeps these bytes
        except OSError:
            shutil.copy2(source, target)
    return link


def _poster(video: Path, target: Path) -> None:
    at = media.probe(video).duration * POSTER_AT
    media.run_ffmpeg(["-v", "error", "-ss", f"{at:.3f}", "-i", media.file_url(video),
                      "-frames:v", "1", "-q:v", "3", "-map_metadata", "-1", "-f", "image2",
                      "-c:v", "mjpeg", media.file_url(target)], what=f"poster of {video.name}")


META_KEYS = ("title", "description", "keywords")


def meta_path(ws: Workspace, video: str) -> Path:
    source = ws.video(video).source
    return source.with_name(f"{source.stem}.meta.yaml")


def read_meta(path: Path) -> dict[str, Any]:
    """NAME.meta.yaml: title, description, keywords in `language` (default the video's
    source language), and optional human translations under language codes."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"{path}: not readable YAML ({e}); fix the file") from e
    if not isinstance(raw, dict) or not isinstance(raw.get("title"), str):
        raise ConfigError(f"{path}: needs at least `title: ...` (and description, keywords)")
    return raw


def _fields(block: dict[str, Any]) -> dict[str, Any]:
    keywords = block.get("keywords") or []
    return {"title": str(block.get("title", "")), "description": str(block.get("description", "")),
            "keywords": [str(k) for k in (keywords if isinstance(keywords, list) else [keywords])]}


def _plan_metadata(ws: Workspace, v: Version, report: OutletReport,
                   translate: Callable[[str, str, str, list[str]], tuple[list[str], dict[str, Any]]]
                   ) -> None:
    """The version's title, description and keywords in its language: a human translation
    from the meta file, or the source's, or a machine translation by the version's route
    (the language its subtitles were translated from, where the meta file has it) with the
    glossary's names kept."""
    path = meta_path(ws, v.video)
    if not path.is_file():
        report.notes.append(f"{v.video}/{v.lang}: no metadata ({path.name} not found beside "
                            "the video)")
        return
    raw = read_meta(path)
    meta_lang = str(raw.get("language") or ws.source_language(v.video) or "en")
    state = TaskState.load(ws.paths.state(Task("translate", v.video, v.lang)))
    route = ((state.extra.get("route") or {}) if state else {})
    origin = route.get("from") if route.get("method") == "pivot" else None
    glossary = ws.config.translate.glossary
    glossary_sha = (ws.hashes.sha256(ws.project.path(glossary))
                    if glossary and ws.project.path(glossary).is_file() else None)
    key = canonical_hash(["meta", PACKAGE_VERSION, raw, v.lang, meta_lang, origin,
                          ws.config.translate.engine, glossary_sha])
    rel = f"{v.video}/{v.lang}/metadata.json"

    def make(target: Path) -> None:
        own = raw.get(v.lang)
        if isinstance(own, dict):
            found, how = _fields(own), {"method": "provided"}
        elif v.lang == meta_lang:
            found, how = _fields(raw), {"method": "source"}
        else:
            src = origin if origin and isinstance(raw.get(origin), dict) else meta_lang
            block = _fields(raw[src] if src != meta_lang else raw)
            texts = [block["title"], block["description"], *block["keywords"]]
            out, how = translate(src, v.lang, v.video, texts)
            found = {"title": out[0], "description": out[1], "keywords": out[2:]}
        target.write_text(json.dumps({"video": v.video, "lang": v.lang, **found, "made": how},
                                     ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    v.files.append(Planned(rel, key, make))


def plan_digest(versions: list[Version], report: OutletReport) -> str:
    return canonical_hash([PACKAGE_VERSION, sorted((f.rel, f.key) for v in versions for f in v.files),
                           report.refused, report.notes, report.draft])


def write_package(versions: list[Version], report: OutletReport) -> None:
    """The bag, unless its plan is what the receipt says is there; built beside the old one
    and swapped in."""
    import bagit

    target = report.path
    digest = plan_digest(versions, report)
    old = read_json(target / "data" / RECEIPT) if target.is_dir() else None
    if isinstance(old, dict) and old.get("plan") == digest:
        return
    previous = {f["path"]: f["key"] for f in (old or {}).get("files", [])} if isinstance(old, dict) else {}
    target.parent.mkdir(parents=True, exist_ok=True)
    for left in [*target.parent.glob(f".{target.name}.partial-*"),
                 *target.parent.glob(f".{target.name}.old-*")]:
        shutil.rmtree(left, ignore_errors=True)  # what a killed deliver left (under the run lock)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        files = []
        for v in versions:
            for f in v.files:
                dest = tmp / f.rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                kept = target / "data" / f.rel
                if previous.get(f.rel) == f.key and kept.is_file():
                    os.link(kept, dest)
                    report.reused += 1
                else:
                    f.make(dest)
                    report.made += 1
                files.append({"path": f.rel, "key": f.key, "sha256": sha256_file(dest)})
        receipt = {"outlet": report.outlet, "package_version": PACKAGE_VERSION,
                   "draft": report.draft, "made_at": utc_stamp(), "plan": digest,
                   "versions": [{"video": v.video, "lang": v.lang, "approval": v.approval,
                                 "files": [f.rel for f in v.files]} for v in versions],
                   "refused": report.refused, "notes": report.notes, "files": files}
        (tmp / RECEIPT).write_text(json.dumps(receipt, ensure_ascii=False, indent=2) + "\n",
                                   encoding="utf-8")
        info = {"Source-Organization": "springs-pipeline", "External-Identifier": report.outlet,
                "Bag-Group-Identifier": "draft" if report.draft else "approved"}
        bagit.make_bag(str(tmp), info, processes=1, checksums=["sha256"])
        _swap(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    report.changed = True


def _swap(new: Path, target: Path) -> None:
    """Put the finished bag at target: the old one renamed aside, the new one renamed in,
    the old one deleted (a reader between the renames finds no package, never half of one)."""
    aside = None
    if target.exists():
        aside = target.with_name(f".{target.name}.old-{utc_stamp()}-{os.getpid()}")
        os.rename(target, aside)
    os.rename(new, target)
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def validate(path: Path) -> None:
    """bagit's full validation (every file's SHA-256 against the manifests)."""
    import bagit

    try:
        bagit.Bag(str(path)).validate(processes=1)
    except (bagit.BagError, bagit.BagValidationError) as e:
        raise PipelineError(f"{path}: not a valid bag ({e}); run `pipeline deliver` again") from e


Translate = Callable[[str, str, str, list[str]], tuple[list[str], dict[str, Any]]]


def machine_translator(ws: Workspace) -> Translate:
    """Metadata through the project's MT engine, the glossary's names put in first (as the
    translate stage does); engines load on first use."""
    from pipeline.engines import mt
    from pipeline.engines.pool import EnginePool
    from pipeline.language.glossary import load_glossary, protect_terms

    pool = EnginePool()
    glossary = ws.config.translate.glossary
    terms = load_glossary(ws.project.path(glossary) if glossary else None)
    engine = "auto" if ws.config.translate.engine == "provided" else ws.config.translate.engine

    def translate(src: str, tgt: str, video: str, texts: list[str]) -> tuple[list[str], dict[str, Any]]:
        model = mt.identity(engine, src, tgt)
        todo = [protect_terms(t, terms, src, tgt) for t in texts]
        wanted = [t for t in todo if t.strip()]
        done = iter(pool.translator(engine, src, tgt).translate(wanted) if wanted else [])
        out = [next(done) if t.strip() else t for t in todo]
        return out, {"method": "machine", "from": src, "engine": model}

    return translate


def deliver(ws: Workspace, names: list[str], include_unapproved: bool,
            translate: Translate | None = None) -> list[OutletReport]:
    """Each named outlet's package (every outlet when none is named)."""
    outlets = ws.config.delivery.outlets
    if not outlets:
        raise ConfigError("pipeline.yaml has no delivery.outlets; add one, e.g. "
                          "delivery: {outlets: {broadcaster: {preset: broadcast-ebu}}}")
    unknown = [n for n in names if n not in outlets]
    if unknown:
        raise ConfigError(f"{', '.join(unknown)}: not in delivery.outlets; use "
                          f"{', '.join(outlets)}")
    translate = translate or machine_translator(ws)
    reports = []
    for name in names or list(outlets):
        versions, report = plan_outlet(ws, name, include_unapproved, translate)
        try:
            write_package(versions, report)
        except PipelineError as e:  # an MT engine or ffmpeg failed: the next outlet goes on
            report.failed = str(e)
        reports.append(report)
    ws.hashes.save()
    return reports
