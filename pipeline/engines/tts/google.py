"""gTTS (online only): calls Google's translate TTS endpoint over HTTP; rate-limited (429).

Not usable offline; tested only against a local HTTP server.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import EngineError


class GoogleTTS:
    def __init__(self, name: str) -> None:
        try:
            import gtts  # noqa: F401
        except ImportError as e:
            raise EngineError("gTTS is not installed; pip install 'springs-pipeline[online]'") from e
        self.lang = name

    def synthesize(self, text: str, out_wav: Path, rate: float = 1.0) -> None:
        from gtts import gTTS
        from gtts.tts import gTTSError

        mp3 = out_wav.with_suffix(".mp3")
        try:
            gTTS(text=text, lang=self.lang, slow=rate < 0.8).save(str(mp3))
        except gTTSError as e:
            raise EngineError(f"gTTS failed for {self.lang}: {e}") from e
        from pipeline.media import file_url, run_ffmpeg

        run_ffmpeg(["-v", "error", "-i", file_url(mp3), "-f", "wav", file_url(out_wav)], what=str(mp3))
