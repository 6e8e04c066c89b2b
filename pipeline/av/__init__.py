"""Sound and picture: ffmpeg and ffprobe, filter graphs, mixing, fonts, WAV files."""
