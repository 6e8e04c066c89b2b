"""Built-in delivery presets: one row per kind of outlet, each value with its source.

A profile in pipeline.yaml may start from one (`preset: broadcast-ebu`) and override any key;
the row's keys are ProfileConfig's (pipeline/config.py). Sources of the numbers:

- youtube: YouTube's recommended upload encoding settings (H.264 High, closed GOP of half
  the frame rate, AAC-LC 48 kHz, moov atom at the front, 1080p SDR about 8 Mbps); -14 LUFS
  is where YouTube normalizes playback.
- vertical-social: Meta Reels / TikTok 1080x1920; Meta's guide keeps text out of the top
  14%, the bottom 35% and 6% at each side; TikTok's buttons cover the top 150 px, the bottom
  440 px and the right 150 px. Both: bottom 35%, sides 14% (150 of 1080 px; subtitles are
  centred, so both sides); -14 LUFS as for streaming.
- broadcast-ebu: EBU R128 (-23 LUFS +-0.5 LU, true peak at most -1 dBTP; R128 s1 for
  short-form content such as promos: short-term loudness at most -18 LUFS), 25 fps, clean
  picture with caption files beside it (EBU-TT-D / IMSC, EBU-STL, SRT).
- broadcast-atsc: ATSC A/85 (-24 LKFS, -2 dBTP), 29.97 fps, clean picture, SCC and IMSC.
- outdoor-screen: DOOH screens play silent (UK DOOH spec: H.264 at most 8 Mbps, 25/30 fps);
  text must be read in under 6 s from a distance: large burned captions (at least 7 LED rows
  a character on a small screen; here capitals at least 5% of a 1080-row frame: 54 px).
- agency: news agencies take a clean picture with the full mix and caption files; loudness
  as EBU R128.
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    "youtube": {"width": 1920, "height": 1080, "fit": "pad", "loudness_lufs": -14.0,
                "true_peak_db": -1.0, "gop_s": 0.5, "max_kbps": 8000, "subtitles": "burned",
                "captions": ["srt", "vtt"]},
    "vertical-social": {"width": 1080, "height": 1920, "fit": "blur", "loudness_lufs": -14.0,
                        "true_peak_db": -1.0, "gop_s": 0.5, "max_kbps": 8000,
                        "subtitles": "burned", "safe_bottom": 0.35, "safe_sides": 0.14,
                        "captions": ["srt"]},
    "broadcast-ebu": {"width": 1920, "height": 1080, "fit": "pad", "loudness_lufs": -23.0,
                      "true_peak_db": -1.0, "max_short_term_lufs": -18.0, "fps": 25.0, "gop_s": 0.5, "subtitles": "clean",
                      "captions": ["imsc", "ebu-stl", "srt"]},
    "broadcast-atsc": {"width": 1920, "height": 1080, "fit": "pad", "loudness_lufs": -24.0,
                       "true_peak_db": -2.0, "fps": 29.97, "gop_s": 0.5, "subtitles": "clean",
                       "captions": ["scc", "imsc", "srt"]},
    "outdoor-screen": {"width": 1920, "height": 1080, "fit": "crop", "audio": False,
                       "fps": 25.0, "gop_s": 1.0, "max_kbps": 8000, "subtitles": "burned",
                       "min_text_px": 54, "captions": []},
    "agency": {"width": 1920, "height": 1080, "fit": "pad", "loudness_lufs": -23.0,
               "true_peak_db": -1.0, "gop_s": 0.5, "subtitles": "clean",
               "captions": ["srt", "imsc"]},
}
