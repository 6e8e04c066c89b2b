"""Text in the picture: where it changes (cheap differencing of small grey frames), what it
says (OCR only there), and what it is (a burned-in subtitle or a caption)."""
