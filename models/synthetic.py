"""Build real CTranslate2 models with random weights, for tests and benchmarks.

The model is a genuine Transformer that CTranslate2 loads and runs at full cost; only its
weights are random, so its output is fluent nonsense. `build_tokenizer` trains a small
sentencepiece model so that the vocabulary is real too.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sentencepiece as spm
from ctranslate2.specs import transformer_spec

from models.card import ModelCard, sha256_file

SPECIAL_TOKENS = ("<unk>", "<s>", "</s>")


@dataclass(frozen=True)
class Shape:
    """Transformer dimensions."""

    d_model: int = 64
    encoder_layers: int = 2
    decoder_layers: int = 2
    heads: int = 4
    ffn: int = 128


TINY = Shape()
# The shape of OPUS-MT ar-en (Marian transformer-base).
OPUS_MT_BASE = Shape(d_model=512, encoder_layers=6, decoder_layers=6, heads=8, ffn=2048)


def build_tokenizer(texts: Iterable[str], out_file: Path, vocab_size: int = 500) -> list[str]:
    """Train a unigram sentencepiece model on `texts`; return its vocabulary."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(texts)),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        minloglevel=2,
    )
    Path(out_file).write_bytes(model.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=model.getvalue())
    return [sp.id_to_piece(i) for i in range(sp.get_piece_size())]


def build_random_model(
    out_dir: Path,
    texts: Iterable[str],
    *,
    name: str = "random-tiny",
    shape: Shape = TINY,
    vocab_size: int = 500,
    model_vocab_size: int = 0,
    max_input_tokens: int = 64,
    quantization: str = "int8",
    seed: int = 1234,
) -> Path:
    """Write a random-weight CTranslate2 model with a shared tokenizer and a model card.

    `model_vocab_size` pads the model's vocabulary beyond the tokenizer's (to give the
    output layer a real model's width, e.g. OPUS-MT's ~62k) with pieces never produced.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    vocab = build_tokenizer(texts, out_dir / "source.spm", vocab_size)
    vocab += [f"<extra_{i}>" for i in range(max(0, model_vocab_size - len(vocab)))]
    (out_dir / "target.spm").write_bytes((out_dir / "source.spm").read_bytes())

    spec = transformer_spec.TransformerSpec.from_config(
        (shape.encoder_layers, shape.decoder_layers), shape.heads
    )
    _fill_random(spec, shape, len(vocab), np.random.default_rng(seed))
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=quantization)
    spec.save(str(out_dir))

    ModelCard(
        name=name,
        quantization=quantization,
        architecture=(
            f"transformer d_model={shape.d_model} layers={shape.encoder_layers}+"
            f"{shape.decoder_layers} heads={shape.heads} ffn={shape.ffn} (random weights)"
        ),
        max_input_tokens=max_input_tokens,
        licence="none: random weights for tests",
        origin="models.synthetic.build_random_model",
        sha256={"model.bin": sha256_file(out_dir / "model.bin")},
    ).save(out_dir)
    return out_dir


def _fill_random(spec, shape: Shape, vocab_size: int, rng: np.random.Generator) -> None:
    d, ffn = shape.d_model, shape.ffn

    def dense(rows: int, cols: int) -> np.ndarray:
        return (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(np.float32)

    def norm(layer) -> None:
        layer.gamma = np.ones(d, dtype=np.float32)
        layer.beta = np.zeros(d, dtype=np.float32)

    def linear(layer, rows: int, cols: int) -> None:
        layer.weight = dense(rows, cols)
        layer.bias = np.zeros(rows, dtype=np.float32)

    def ffn_block(block) -> None:
        norm(block.layer_norm)
        linear(block.linear_0, ffn, d)
        linear(block.linear_1, d, ffn)

    encoder, decoder = spec.encoder, spec.decoder
    encoder.embeddings[0].weight = dense(vocab_size, d)
    decoder.embeddings.weight = dense(vocab_size, d)
    norm(encoder.layer_norm)
    norm(decoder.layer_norm)
    linear(decoder.projection, vocab_size, d)
    for layer in encoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        ffn_block(layer.ffn)
    for layer in decoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d, d)
        linear(layer.attention.linear[1], 2 * d, d)
        linear(layer.attention.linear[2], d, d)
        ffn_block(layer.ffn)


def build_hf_marian(
    out_dir: Path,
    texts: Iterable[str],
    *,
    shape: Shape = TINY,
    vocab_size: int = 500,
    model_vocab_size: int = 0,
    seed: int = 0,
) -> Path:
    """A random-weight Hugging Face MarianMTModel folder with its tokenizer files, the
    layout of the hub's Helsinki-NLP repos. Needs torch and transformers (benchmarks and
    conversion tests only)."""
    import torch  # optional and heavy: only the conversion tests and benchmarks need them
    import transformers

    torch.manual_seed(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pieces = build_tokenizer(texts, out_dir / "source.spm", vocab_size)
    shutil.copyfile(out_dir / "source.spm", out_dir / "target.spm")
    # Marian's order: </s> 0, <unk> 1, the pieces, padding pieces, then <pad> last.
    vocab = ["</s>", "<unk>", *(p for p in pieces if p not in SPECIAL_TOKENS)]
    vocab += [f"<extra_{i}>" for i in range(max(0, model_vocab_size - len(vocab) - 1))]
    vocab.append("<pad>")
    (out_dir / "vocab.json").write_text(
        json.dumps({t: i for i, t in enumerate(vocab)}, ensure_ascii=False), encoding="utf-8"
    )
    config = transformers.MarianConfig(
        vocab_size=len(vocab),
        pad_token_id=len(vocab) - 1,
        eos_token_id=0,
        decoder_start_token_id=len(vocab) - 1,
        d_model=shape.d_model,
        encoder_layers=shape.encoder_layers,
        decoder_layers=shape.decoder_layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn,
        decoder_ffn_dim=shape.ffn,
        max_position_embeddings=512,
        activation_function="swish",
        scale_embedding=True,
    )
    transformers.MarianMTModel(config).save_pretrained(out_dir)
    return out_dir
