"""Chinese word segmentation: jieba with its bundled dictionary (offline), loaded once per
process, lazily (only when Chinese text is segmented) and quietly (jieba logs its loading to
stderr at DEBUG level; that is silenced while it loads).

The pipeline's own `jieba.Tokenizer` instance is used, not jieba's module-level one, so
other users of jieba in the process (misaki, for the Kokoro voice) neither see nor change
its state. Loading took 4.8-6.8 s in a fresh process with this machine's two cores busy
(jieba keeps a marshalled prefix dictionary in the temp folder and builds it on first use).
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Any

_LOCK = threading.Lock()
_TOKENIZER: Any = None


def _tokenizer() -> Any:
    global _TOKENIZER
    with _LOCK:
        if _TOKENIZER is None:
            import jieba

            log = logging.getLogger("jieba")
            level = log.level
            log.setLevel(logging.WARNING)
            try:
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
            finally:
                log.setLevel(level)
            _TOKENIZER = tokenizer
        return _TOKENIZER


@lru_cache(maxsize=4096)
def _cut(text: str) -> tuple[str, ...]:
    return tuple(_tokenizer().cut(text, HMM=False))


def words(text: str) -> list[str]:
    """Chinese text cut into dictionary words (other characters come back as they are:
    a Latin run or a number whole, each punctuation mark alone). Deterministic: the
    dictionary only, no HMM guessing of unknown words."""
    return list(_cut(text)) if text else []


def word_frequency(word: str) -> int:
    """How often jieba's dictionary has seen this word (0: not a word it lists)."""
    return int(_tokenizer().FREQ.get(word) or 0)
