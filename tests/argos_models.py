"""Tiny Argos Translate packages built offline, for tests.

A package is what the Argos index serves: a zip of one folder holding `metadata.json`, a
CTranslate2 model in `model/` and a `sentencepiece.model`. Here the tokenizer is a
character-level SentencePiece model trained on a few lines, and the model is a one-layer
CTranslate2 Transformer whose weights are set by hand so that it copies its input one
character at a time through a fixed character map: decoder step t attends (cross-attention,
positions one-hot) to source position t, reads that token and emits `mapping` of it.
Its output is therefore a known function of its input, e.g. `str.upper`, and the test can
tell which package (and in which order, for a pivot) translated a sentence.
"""

from __future__ import annotations

import io
import json
import string
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

# the characters the tokenizer knows: ASCII, and the accents of the languages tests use
ALPHABET = (string.ascii_letters + string.digits + string.punctuation
            + "áéíóúñüöäßÁÉÍÓÚÑÜÖÄ¿¡")
MAX_CHARS = 320  # the longest sentence (in tokens, spaces included) the model copies


def train_char_tokenizer() -> bytes:
    """A character-level SentencePiece model covering ALPHABET (deterministic)."""
    import sentencepiece as spm

    lines = [ALPHABET[i:i + 12] + " " + ALPHABET[i:i + 12][::-1] for i in range(0, len(ALPHABET), 6)]
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=out, model_type="char",
        vocab_size=len(ALPHABET) + 4, hard_vocab_limit=False, character_coverage=1.0,
        num_threads=1, minloglevel=2, add_dummy_prefix=True)
    return out.getvalue()


def _pieces(sp_model: bytes) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_proto=sp_model)
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def build_copy_model(out_dir: Path, vocab: list[str], mapping: Callable[[str], str]) -> None:
    """A CTranslate2 Transformer that outputs mapping(token) for each input token, in order."""
    import ctranslate2
    from ctranslate2.specs import common_spec, transformer_spec

    v, length = len(vocab), MAX_CHARS + 2
    tok, pos, cpy = 0, v, v + length  # regions of the residual stream
    d = 2 * v + length
    d += -d % 8
    index = {p: i for i, p in enumerate(vocab)}

    def zeros(*shape: int) -> np.ndarray:
        return np.zeros(shape, dtype=np.float32)

    def norm(spec: common_spec.LayerNormSpec) -> None:
        spec.gamma = np.ones(d, dtype=np.float32)
        spec.beta = zeros(d)

    def linear(spec: common_spec.LinearSpec, weight: np.ndarray) -> None:
        spec.weight = weight
        spec.bias = zeros(weight.shape[0])

    embeddings = zeros(v, d)
    embeddings[np.arange(v), tok + np.arange(v)] = 1.0
    positions = zeros(length, d)
    positions[np.arange(length), pos + np.arange(length)] = 1.0

    spec = transformer_spec.TransformerSpec.from_config(1, 1)
    for stack in (spec.encoder, spec.decoder):
        embed = stack.embeddings[0] if isinstance(stack.embeddings, list) else stack.embeddings
        embed.weight = embeddings
        stack.scale_embeddings = False
        stack.position_encodings.encodings = positions
        norm(stack.layer_norm)
        (layer,) = stack.layer
        norm(layer.self_attention.layer_norm)  # self-attention and FFN add nothing
        linear(layer.self_attention.linear[0], zeros(3 * d, d))
        linear(layer.self_attention.linear[1], zeros(d, d))
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, zeros(8, d))
        linear(layer.ffn.linear_1, zeros(d, 8))
    (layer,) = spec.decoder.layer
    cross = layer.attention
    norm(cross.layer_norm)
    sharp = 4.0  # the score of the matching position is ~ sharp * sqrt(d) / 2 above the rest
    query = zeros(d, d)
    query[pos + np.arange(length), pos + np.arange(length)] = sharp
    keys_values = zeros(2 * d, d)
    keys_values[pos + np.arange(length), pos + np.arange(length)] = 1.0  # keys: positions
    keys_values[d + tok + np.arange(v), tok + np.arange(v)] = 1.0  # values: tokens
    out = zeros(d, d)
    out[cpy + np.arange(v), np.arange(v)] = 1.0
    linear(cross.linear[0], query)
    linear(cross.linear[1], keys_values)
    linear(cross.linear[2], out)
    projection = zeros(v, d)
    for i, piece in enumerate(vocab):
        projection[index.get(mapping(piece), i), cpy + i] = 10.0
    linear(spec.decoder.projection, projection)

    spec.config.add_source_eos = True  # the source ends with </s>: copying it ends the output
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    out_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(out_dir))
    assert ctranslate2.contains_model(str(out_dir))


def build_package(path: Path, src: str, tgt: str, mapping: Callable[[str], str],
                  src_name: str = "", tgt_name: str = "", version: str = "0.1") -> Path:
    """Write `path` (.argosmodel) translating src->tgt by mapping each character."""
    sp_model = train_char_tokenizer()
    vocab = _pieces(sp_model)
    name = f"translate-{src}_{tgt}-{version.replace('.', '_')}"
    metadata = {"package_version": version, "argos_version": "1.0", "from_code": src,
                "from_name": src_name or src, "to_code": tgt, "to_name": tgt_name or tgt,
                "type": "translate", "links": []}
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "model"
        build_copy_model(model, vocab, mapping)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{name}/metadata.json", json.dumps(metadata, indent=2))
            zf.writestr(f"{name}/sentencepiece.model", sp_model)
            zf.writestr(f"{name}/README.md", f"Test package: {src}->{tgt}, a character map.\n")
            for f in sorted(model.iterdir()):
                zf.write(f, f"{name}/model/{f.name}")
    return path


LEET = str.maketrans({"A": "4", "E": "3", "O": "0", "a": "4", "e": "3", "o": "0"})


def upper(piece: str) -> str:
    return piece.upper() if len(piece) == 1 else piece


def leet(piece: str) -> str:
    return piece.translate(LEET) if len(piece) == 1 else piece
