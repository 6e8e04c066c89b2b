"""gTTS (online only): calls Google's translate TTS endpoint over HTTP; rate-limited (429).

Not usable offline; tested only against a local HTTP server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pipeline.engines.tts.lexicon import apply_lexicon, spoken_text
from pipeline.errors import EngineError


def identity(name: str, search_dirs: list[Path], digest: Callable[[Path], str]) -> dict[str, Any]:
    """gTTS is a remote service: the voice (language) is all that is known of it."""
    return {"engine": "gtts", "voice": name}


class GoogleTTS:
    def __init__(self, name: str, search: list[Path], shared: dict[str, Any]) -> None:
        try:
            import gtts  # noqa: F401
        except ImportError as e:
            raise EngineError("gTTS is not installed; pip install 'springs-pipeline[online]'") from e
        self.lang = name

    def synthesize(self, text: str, out_wav: Path, rate: float = 1.0,
                   lexicon: Mapping[str, str] | None = None) -> None:
        text = spoken_text(apply_lexicon(text, lexicon or {}))
        from gtts import gTTS
        from gtts.tts import gTTSError

        mp3 = out_wav.with_suffix(".mp3")
        try:
            gTTS(text=text, lang=self.lang, slow=rate < 0.8).save(str(mp3))
        except gTTSError as e:
            raise EngineError(f"gTTS failed for {self.lang}: {e}") from e
        from pipeline.av.media import file_url, run_ffmpeg

        run_ffmpeg(["-v", "error", "-i", file_url(mp3), "-f", "wav", file_url(out_wav)], what=str(mp3))
