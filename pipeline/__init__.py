"""Multilingual narration and subtitling pipeline: source videos in, every language version out."""

__version__ = "0.1.0"
