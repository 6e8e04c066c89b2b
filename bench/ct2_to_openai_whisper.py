"""Convert the packaged CTranslate2 (faster-whisper) Whisper models back into openai-whisper
`.pt` checkpoints, so the openai-whisper engine can be benchmarked offline (no official
checkpoint ships in a package, ../shared/MODELS.md).

The CTranslate2 `model.bin` is read directly, following the writer in
ctranslate2/specs/model_spec.py (`ModelSpec._serialize`, binary version 6):

    u32 binary_version, str spec_name, u32 spec_revision, u32 n_variables,
    n_variables x (str name, u8 rank, rank x u32 dim, u8 dtype_id, u32 n_bytes, raw bytes),
    u32 n_aliases, n_aliases x (str alias, str target)

where str = u16 length (with the NUL) + utf-8 bytes + NUL, and dtype ids are
float32, int8, int16, int32, float16, bfloat16 (0..5). Quantized weights come with a
`<name>_scale` variable: int8 is per output row (w = q / scale[row]), int16 one scalar
(w = q / scale). Everything is turned into float32.

Variable names follow ctranslate2/specs/whisper_spec.py + transformer_spec.py, as filled by
the Transformers Whisper loader (converters/transformers.py): self-attention q/k/v fused in
`linear_0` (k without bias in the original, filled with zeros by `fuse_linear`), cross
attention q in `linear_0` and k/v fused in `linear_1`, the output projection tied to the
token embedding (an alias).

Usage:
    .venv/bin/python bench/ct2_to_openai_whisper.py                # tiny.en and base
    .venv/bin/python bench/ct2_to_openai_whisper.py base --check   # + compare with faster-whisper
    .venv/bin/python bench/ct2_to_openai_whisper.py --out /some/dir

Checkpoints go to <pipeline cache>/openai-whisper-ct2/<model>.pt (never into the repo) and
load with `whisper.load_model(path)`.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.engines.models import cache_dir, packaged_whisper  # noqa: E402

SUPPORTED_BINARY_VERSION = 6
DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16, "bfloat16")
MODELS = ("tiny.en", "base")


# ----------------------------------------------------------------------------- reading

def read_ct2(path: Path) -> tuple[dict[str, np.ndarray], dict[str, str], str, int]:
    """(variables, aliases, spec name, spec revision) of a CTranslate2 model.bin."""
    data = memoryview(Path(path).read_bytes())
    pos = 0

    def take(fmt: str):
        nonlocal pos
        (value,) = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return value

    def string() -> str:
        nonlocal pos
        n = take("H")
        s = bytes(data[pos:pos + n])
        pos += n
        if not s.endswith(b"\0"):
            raise ValueError(f"{path}: malformed string at byte {pos}")
        return s[:-1].decode("utf-8")

    version = take("I")
    if version != SUPPORTED_BINARY_VERSION:
        raise ValueError(f"{path}: CTranslate2 binary version {version}, this reader knows "
                         f"{SUPPORTED_BINARY_VERSION} (ctranslate2 >= 3)")
    spec, revision, count = string(), take("I"), take("I")
    variables: dict[str, np.ndarray] = {}
    for _ in range(count):
        name = string()
        rank = take("B")
        shape = tuple(take("I") for _ in range(rank))
        dtype_id, nbytes = take("B"), take("I")
        raw = data[pos:pos + nbytes]
        pos += nbytes
        dtype = DTYPES[dtype_id]
        if dtype == "bfloat16":  # upper half of a float32
            value = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            value = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
        if value.size != int(np.prod(shape)):
            raise ValueError(f"{path}: {name}: {value.size} values for shape {shape}")
        variables[name] = value.reshape(shape)
    aliases = {}
    for _ in range(take("I")):
        alias = string()
        aliases[alias] = string()
    if pos != len(data):
        raise ValueError(f"{path}: {len(data) - pos} trailing bytes")
    return variables, aliases, spec, revision


def dequantize(variables: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """float32 copies of the weights; `<name>_scale` variables are applied and dropped."""
    out: dict[str, np.ndarray] = {}
    for name, value in variables.items():
        if name.endswith("_scale") and name[: -len("_scale")] in variables:
            continue
        scale = variables.get(name + "_scale")
        if scale is not None:
            scale = scale.astype(np.float32)
            q = value.astype(np.float32)
            if value.dtype == np.int8:  # per output row (conv weights flattened to 2D)
                value = q / scale.reshape((-1,) + (1,) * (q.ndim - 1))
            else:  # int16: one scale
                value = q / scale
        elif value.dtype in (np.float16, np.float32):
            value = value.astype(np.float32)
        out[name] = value
    return out


# ----------------------------------------------------------------------------- mapping

def convert(model_dir: Path) -> dict:
    """An openai-whisper checkpoint dict ({"dims", "model_state_dict", ...}) from a
    faster-whisper model folder."""
    import torch

    raw, aliases, spec, revision = read_ct2(model_dir / "model.bin")
    if spec != "WhisperSpec":
        raise ValueError(f"{model_dir}: spec {spec!r}, not a Whisper model")
    v = dequantize(raw)
    for alias, target in aliases.items():
        v[alias] = v[target]
    used: set[str] = set()

    def get(name: str) -> np.ndarray:
        used.add(name)
        return v[name]

    def scalar(name: str) -> int:
        used.add(name)
        return int(np.asarray(v[name]).reshape(()))

    # Architecture flags the openai-whisper model hard-codes: check instead of assuming.
    expect = {"decoder/pre_norm": 1, "decoder/scale_embeddings": 0, "decoder/alibi": 0,
              "decoder/start_from_zero_embedding": 0}
    for name, want in expect.items():
        if name in v and scalar(name) != want:
            raise ValueError(f"{model_dir}: {name}={scalar(name)}, openai-whisper needs {want}")
    if "decoder/activation" in v:
        scalar("decoder/activation")  # GELU (1) in every Whisper spec
    for name in ("decoder/alignment_heads", "decoder/alignment_layer"):
        if name in v:
            scalar(name)  # CTranslate2's own alignment settings; config.json has the heads

    sd: dict[str, np.ndarray] = {}

    def linear(dst: str, src: str, bias: bool = True) -> None:
        sd[f"{dst}.weight"] = get(f"{src}/weight")
        if bias:
            sd[f"{dst}.bias"] = get(f"{src}/bias")

    def norm(dst: str, src: str) -> None:
        sd[f"{dst}.weight"] = get(f"{src}/gamma")
        sd[f"{dst}.bias"] = get(f"{src}/beta")

    def split(dst_names: list[str], src: str, zero_bias: set[str]) -> None:
        """A fused linear into openai's query/key/value (key has no bias in openai-whisper)."""
        weights = np.split(get(f"{src}/weight"), len(dst_names), axis=0)
        biases = np.split(get(f"{src}/bias"), len(dst_names), axis=0)
        for dst, w, b in zip(dst_names, weights, biases):
            sd[f"{dst}.weight"] = w
            if dst.rsplit(".", 1)[1] in zero_bias:
                if np.abs(b).max() > 0:
                    raise ValueError(f"{src}: non-zero bias for {dst}, openai-whisper has none")
            else:
                sd[f"{dst}.bias"] = b

    def n_layers(prefix: str) -> int:
        n = 0
        while f"{prefix}/layer_{n}/ffn/linear_0/weight" in v:
            n += 1
        return n

    n_enc, n_dec = n_layers("encoder"), n_layers("decoder")

    def self_attention(d: str, s: str) -> None:
        split([f"{d}.attn.query", f"{d}.attn.key", f"{d}.attn.value"],
              f"{s}/self_attention/linear_0", {"key"})
        linear(f"{d}.attn.out", f"{s}/self_attention/linear_1")
        norm(f"{d}.attn_ln", f"{s}/self_attention/layer_norm")

    def mlp(d: str, s: str) -> None:
        linear(f"{d}.mlp.0", f"{s}/ffn/linear_0")
        linear(f"{d}.mlp.2", f"{s}/ffn/linear_1")
        norm(f"{d}.mlp_ln", f"{s}/ffn/layer_norm")

    for i in (1, 2):
        linear(f"encoder.conv{i}", f"encoder/conv{i}")
    sd["encoder.positional_embedding"] = get("encoder/position_encodings/encodings")
    for i in range(n_enc):
        s, d = f"encoder/layer_{i}", f"encoder.blocks.{i}"
        self_attention(d, s)
        mlp(d, s)
    norm("encoder.ln_post", "encoder/layer_norm")

    sd["decoder.token_embedding.weight"] = get("decoder/embeddings/weight")
    sd["decoder.positional_embedding"] = get("decoder/position_encodings/encodings")
    for i in range(n_dec):
        s, d = f"decoder/layer_{i}", f"decoder.blocks.{i}"
        self_attention(d, s)
        linear(f"{d}.cross_attn.query", f"{s}/attention/linear_0")
        split([f"{d}.cross_attn.key", f"{d}.cross_attn.value"], f"{s}/attention/linear_1", {"key"})
        linear(f"{d}.cross_attn.out", f"{s}/attention/linear_2")
        norm(f"{d}.cross_attn_ln", f"{s}/attention/layer_norm")
        mlp(d, s)
    norm("decoder.ln", "decoder/layer_norm")

    # openai-whisper ties the output projection to the token embedding.
    proj = get("decoder/projection/weight")
    if not np.array_equal(proj, sd["decoder.token_embedding.weight"]):
        raise ValueError(f"{model_dir}: output projection differs from the token embedding")
    if "decoder/projection/bias" in v and np.abs(get("decoder/projection/bias")).max() > 0:
        raise ValueError(f"{model_dir}: output projection has a bias, openai-whisper has none")

    left = sorted(set(v) - used - {"encoder/num_heads", "decoder/num_heads"})
    if left:
        raise ValueError(f"{model_dir}: unmapped CTranslate2 variables: {left[:8]}")

    emb = sd["decoder.token_embedding.weight"]
    dims = {
        "n_mels": int(sd["encoder.conv1.weight"].shape[1]),
        "n_audio_ctx": int(sd["encoder.positional_embedding"].shape[0]),
        "n_audio_state": int(sd["encoder.positional_embedding"].shape[1]),
        "n_audio_head": scalar("encoder/num_heads"),
        "n_audio_layer": n_enc,
        "n_vocab": int(emb.shape[0]),
        "n_text_ctx": int(sd["decoder.positional_embedding"].shape[0]),
        "n_text_state": int(emb.shape[1]),
        "n_text_head": scalar("decoder/num_heads"),
        "n_text_layer": n_dec,
    }
    checkpoint = {
        "dims": dims,
        "model_state_dict": {k: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
                             for k, a in sd.items()},
        "source": f"converted from CTranslate2 {spec} r{revision}: {model_dir}",
    }
    heads = _alignment_heads(model_dir, dims)
    if heads is not None:
        # openai-whisper's format (base85(gzip(bool[n_text_layer, n_text_head]))). load_model(path)
        # does not read it (it uses the last half of the layers); for model.set_alignment_heads().
        checkpoint["alignment_heads"] = heads
    return checkpoint


def _alignment_heads(model_dir: Path, dims: dict) -> bytes | None:
    try:
        pairs = json.loads((model_dir / "config.json").read_text()).get("alignment_heads")
    except (OSError, ValueError):
        return None
    if not pairs:
        return None
    mask = np.zeros((dims["n_text_layer"], dims["n_text_head"]), dtype=bool)
    for layer, head in pairs:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


def checkpoint_path(name: str, out: Path | None = None) -> Path:
    return (out or cache_dir() / "openai-whisper-ct2") / f"{name}.pt"


def ensure_checkpoint(name: str, out: Path | None = None, force: bool = False) -> Path:
    """The converted checkpoint for packaged model `name`, converting it once."""
    import torch

    target = checkpoint_path(name, out)
    source = packaged_whisper(name)
    if source is None:
        raise SystemExit(f"packaged faster-whisper model {name!r} is not installed "
                         "(../shared/MODELS.md)")
    if target.is_file() and not force and target.stat().st_mtime >= (source / "model.bin").stat().st_mtime:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    checkpoint = convert(source)
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".tmp", delete=False) as f:
        torch.save(checkpoint, f)
    Path(f.name).replace(target)
    return target


# ----------------------------------------------------------------------------- checking

def check(name: str, path: Path, audio: Path, reference: str) -> None:
    """Compare the converted checkpoint with the CTranslate2 model it came from:
    1. encoder output on the same 30 s log-mel window (CTranslate2 float32 vs torch);
    2. greedy tokens of that window (no timestamps), token for token;
    3. full transcription, both libraries beam 5, no VAD: WER between them and to the reference.
    """
    import ctranslate2
    import torch
    import whisper
    from faster_whisper import WhisperModel

    sys.path.insert(0, str(ROOT / "bench"))
    from asr_bench import wer

    source = packaged_whisper(name)
    model = whisper.load_model(str(path), device="cpu")
    model.eval()
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(whisper.load_audio(str(audio))),
                                      model.dims.n_mels)
    ct2 = ctranslate2.models.Whisper(str(source), device="cpu", compute_type="float32")
    features = ctranslate2.StorageView.from_array(mel.numpy()[None])
    ct2_enc = np.array(ct2.encode(features, to_cpu=True))
    with torch.no_grad():
        pt_enc = model.encoder(mel[None]).numpy()
    diff = np.abs(ct2_enc - pt_enc).max()
    cos = float((ct2_enc * pt_enc).sum() / np.linalg.norm(ct2_enc) / np.linalg.norm(pt_enc))
    print(f"  encoder output: max |ct2 - torch| = {diff:.2e} (max |x| {np.abs(pt_enc).max():.1f}),"
          f" cosine {cos:.7f}")

    tok = whisper.tokenizer.get_tokenizer(model.is_multilingual, language="en", task="transcribe")
    prompt = list(tok.sot_sequence) + [tok.no_timestamps]
    # max_length 448 as faster-whisper passes it: with 224 CTranslate2 cut base at 112 tokens.
    ct2_tokens = ct2.generate(features, [prompt], beam_size=1, max_length=448,
                              suppress_blank=True)[0].sequences_ids[0]
    pt = whisper.decode(model, mel, whisper.DecodingOptions(
        language="en", without_timestamps=True, fp16=False, beam_size=None))
    same = list(ct2_tokens) == list(pt.tokens)
    print(f"  greedy tokens, first 30 s: {'identical' if same else 'DIFFERENT'} "
          f"({len(pt.tokens)} torch / {len(ct2_tokens)} ct2)")
    if not same:
        print(f"    ct2:   {tok.decode(ct2_tokens)!r}\n    torch: {pt.text!r}")

    texts = {}
    for label, compute in (("faster-whisper float32", "float32"), ("faster-whisper int8", "int8")):
        fw = WhisperModel(str(source), device="cpu", compute_type=compute)
        segments, _ = fw.transcribe(str(audio), language="en", beam_size=5,
                                    condition_on_previous_text=False)
        texts[label] = " ".join(s.text.strip() for s in segments)
    result = model.transcribe(str(audio), language="en", beam_size=5, fp16=False,
                              condition_on_previous_text=False)
    texts["openai-whisper (converted)"] = " ".join(s["text"].strip() for s in result["segments"])
    ow = texts["openai-whisper (converted)"]
    for label, text in texts.items():
        vs = "" if label.startswith("openai") else f", WER vs converted openai-whisper {wer(text, ow):.3f}"
        print(f"  {label}: WER vs reference {wer(reference, text):.3f}{vs}")
    for label, text in texts.items():
        print(f"    {label}: {text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("models", nargs="*", metavar="MODEL",
                        help=f"packaged models to convert: {', '.join(MODELS)} (default: all)")
    parser.add_argument("--out", type=Path, help="folder for the .pt files "
                        "(default <pipeline cache>/openai-whisper-ct2)")
    parser.add_argument("--force", action="store_true", help="convert again even if present")
    parser.add_argument("--check", action="store_true",
                        help="compare each converted model with faster-whisper on Piper speech")
    args = parser.parse_args()
    args.models = args.models or list(MODELS)
    for name in args.models:
        if name not in MODELS:
            parser.error(f"unknown model {name!r}; packaged ones: {', '.join(MODELS)}")
    if args.out and ROOT in args.out.resolve().parents:
        raise SystemExit("write converted checkpoints outside the repository")

    paths = {}
    for name in args.models:
        paths[name] = ensure_checkpoint(name, args.out, args.force)
        print(f"{name}: {paths[name]} ({paths[name].stat().st_size / 1e6:.0f} MB)")
    if not args.check:
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from asr_bench import PARAGRAPHS, synthesize

    reference = " ".join(PARAGRAPHS)
    with tempfile.TemporaryDirectory() as tmp:
        audio = Path(tmp) / "speech.wav"
        seconds = synthesize(reference, audio)
        print(f"check clip: Piper speech, {seconds:.1f} s, {len(reference.split())} words")
        for name, path in paths.items():
            print(f"{name}:")
            check(name, path, audio, reference)


if __name__ == "__main__":
    main()
