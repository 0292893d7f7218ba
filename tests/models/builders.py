"""Small real models in the formats that `models import` reads, built from random weights.

`build_marian_release` writes what an OPUS-MT release zip holds: a Marian `.npz` with
Marian's parameter names and its `special:model.yml` entry, a vocabulary `.yml`,
`source.spm` / `target.spm` and `decoder.yml`.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import yaml

from models.synthetic import TINY, Shape, build_tokenizer
from workers.segment import split_paragraphs

REPO_DIR = Path(__file__).resolve().parents[2]
SAMPLES_DIR = REPO_DIR / "samples" / "articles"
ENGLISH_LINES = [
    "The minister said on Monday that the meeting would be held next week.",
    "Prices rose sharply in the city after the decision.",
    "This is an English sentence about the news.",
    "The government announced new measures to support farmers.",
] * 10
MARIAN_SPECIALS = ("</s>", "<unk>")  # Marian puts these first: </s> is 0, <unk> is 1
NPZ_NAME = "opus.spm-tiny.transformer.model1.npz.best-perplexity.npz"
VOCAB_NAME = "opus.spm-tiny.vocab.yml"
ARABIC_SENTENCES = [
    "قال الوزير إن الاجتماع سيعقد يوم الاثنين.",
    "ارتفعت الأسعار في المدينة بعد القرار.",
    "أعلنت الحكومة عن إجراءات جديدة لدعم المزارعين.",
]


def sample_lines(limit: int = 400) -> list[str]:
    """A few hundred Arabic paragraphs from the sample articles, and some English lines."""
    lines = [p for f in sorted(SAMPLES_DIR.glob("*.txt")) for p in split_paragraphs(f.read_text())]
    return lines[:limit] + ENGLISH_LINES


def build_marian_release(
    out_dir: Path,
    *,
    shape: Shape = TINY,
    vocab_size: int = 400,
    seed: int = 7,
    decoder_yml: bool = True,
) -> Path:
    """Write a tiny OPUS-MT style Marian release into `out_dir` and return it."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pieces = build_tokenizer(sample_lines(), out_dir / "source.spm", vocab_size)
    shutil.copyfile(out_dir / "source.spm", out_dir / "target.spm")
    vocab = list(MARIAN_SPECIALS) + [p for p in pieces if p not in ("<unk>", "<s>", "</s>")]
    write_marian_vocab(vocab, out_dir / VOCAB_NAME)
    np.savez(out_dir / NPZ_NAME, **marian_weights(shape, len(vocab), np.random.default_rng(seed)))
    if decoder_yml:
        (out_dir / "decoder.yml").write_text(
            yaml.safe_dump(
                {
                    "models": [NPZ_NAME],
                    "vocabs": [VOCAB_NAME, VOCAB_NAME],
                    "beam-size": 4,
                    "normalize": 1,
                }
            )
        )
    (out_dir / "LICENSE").write_text("CC-BY 4.0 (test model)\n")
    return out_dir


def write_marian_vocab(tokens: list[str], path: Path) -> None:
    """Marian's vocabulary format: one `"token": index` line per token."""
    lines = [f"{json.dumps(token, ensure_ascii=False)}: {i}" for i, token in enumerate(tokens)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def marian_config(shape: Shape) -> dict:
    """The `special:model.yml` options the converter reads (a post-norm transformer)."""
    return {
        "type": "transformer",
        "dim-emb": shape.d_model,
        "enc-depth": shape.encoder_layers,
        "dec-depth": shape.decoder_layers,
        "transformer-heads": shape.heads,
        "transformer-dim-ffn": shape.ffn,
        "transformer-ffn-activation": "swish",
        "transformer-preprocess": "",
        "transformer-postprocess": "dan",
        "transformer-postprocess-emb": "d",
        "transformer-decoder-autoreg": "self-attention",
        "transformer-no-projection": False,
        "transformer-guided-alignment-layer": "last",
        "tied-embeddings-all": True,
    }


def marian_weights(
    shape: Shape, vocab_size: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Random parameters under Marian's names; embeddings tied with the output layer."""
    d, ffn = shape.d_model, shape.ffn
    weights: dict[str, np.ndarray] = {}

    def add(prefix: str, key: str, rows: int, cols: int) -> None:  # Marian's W is [in, out]
        weight = rng.standard_normal((rows, cols)) / np.sqrt(rows)
        weights[f"{prefix}_W{key}"] = weight.astype(np.float32)
        weights[f"{prefix}_b{key}"] = np.zeros((1, cols), dtype=np.float32)

    def norm(prefix: str) -> None:
        weights[f"{prefix}_ln_scale"] = np.ones((1, d), dtype=np.float32)
        weights[f"{prefix}_ln_bias"] = np.zeros((1, d), dtype=np.float32)

    def attention(prefix: str) -> None:
        for key in ("q", "k", "v", "o"):
            add(prefix, key, d, d)
        norm(f"{prefix}_Wo")

    def feed_forward(prefix: str) -> None:
        add(prefix, "1", d, ffn)
        add(prefix, "2", ffn, d)
        norm(f"{prefix}_ffn")

    weights["Wemb"] = (rng.standard_normal((vocab_size, d)) / np.sqrt(d)).astype(np.float32)
    for i in range(1, shape.encoder_layers + 1):
        attention(f"encoder_l{i}_self")
        feed_forward(f"encoder_l{i}_ffn")
    for i in range(1, shape.decoder_layers + 1):
        attention(f"decoder_l{i}_self")
        attention(f"decoder_l{i}_context")
        feed_forward(f"decoder_l{i}_ffn")
    bias = np.zeros((1, vocab_size), dtype=np.float32)
    bias[0, 0] = -20.0  # never emit </s> first: random weights must still give some text
    weights["decoder_ff_logit_out_b"] = bias
    config = yaml.safe_dump(marian_config(shape)).encode() + b"\0"
    weights["special:model.yml"] = np.frombuffer(config, dtype=np.int8)
    return weights


def build_hf_marian(out_dir: Path, *, vocab_size: int = 300) -> Path:
    """A tiny Hugging Face Marian folder (what the hub's Helsinki-NLP repos hold).

    Needs transformers and torch (the `convert` extra).
    """
    import torch
    import transformers

    torch.manual_seed(0)
    out_dir.mkdir(parents=True)
    pieces = build_tokenizer(sample_lines(), out_dir / "source.spm", vocab_size)
    shutil.copyfile(out_dir / "source.spm", out_dir / "target.spm")
    vocab = [*MARIAN_SPECIALS, *(p for p in pieces if p not in ("<unk>", "<s>", "</s>")), "<pad>"]
    (out_dir / "vocab.json").write_text(
        json.dumps({t: i for i, t in enumerate(vocab)}, ensure_ascii=False), encoding="utf-8"
    )
    pad = len(vocab) - 1
    config = transformers.MarianConfig(
        vocab_size=len(vocab),
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        **_HF_TINY,
    )
    transformers.MarianMTModel(config).save_pretrained(out_dir)
    return out_dir


def build_hf_nllb(out_dir: Path, *, vocab_size: int = 300) -> Path:
    """A tiny Hugging Face NLLB (M2M-100) folder: BPE sentencepiece model, language codes.

    Needs transformers and torch (the `convert` extra).
    """
    import sentencepiece as spm
    import torch
    import transformers

    torch.manual_seed(0)
    out_dir.mkdir(parents=True)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(sample_lines()),
        model_prefix=str(out_dir / "spm"),
        vocab_size=vocab_size,
        model_type="bpe",
        character_coverage=1.0,
        hard_vocab_limit=False,
        bos_id=0,
        pad_id=1,
        eos_id=2,
        unk_id=3,
        minloglevel=2,
    )
    (out_dir / "spm.model").rename(out_dir / "sentencepiece.bpe.model")
    (out_dir / "spm.vocab").unlink()
    sp = spm.SentencePieceProcessor(model_file=str(out_dir / "sentencepiece.bpe.model"))
    vocab = {sp.id_to_piece(i): i for i in range(sp.get_piece_size())}
    # BPE merges in the order sentencepiece learnt them (the id of the merged piece).
    merges = sorted(
        ((a, b) for a in vocab for b in vocab if a + b in vocab and min(vocab[a], vocab[b]) > 3),
        key=lambda pair: vocab[pair[0] + pair[1]],
    )
    tokenizer = transformers.NllbTokenizer(
        vocab=vocab, merges=merges, src_lang="arb_Arab", tgt_lang="eng_Latn"
    )
    tokenizer.save_pretrained(out_dir)
    config = transformers.M2M100Config(
        vocab_size=len(tokenizer),
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        **_HF_TINY,
    )
    transformers.M2M100ForConditionalGeneration(config).save_pretrained(out_dir)
    return out_dir


_HF_TINY = {
    "d_model": 32,
    "encoder_layers": 1,
    "decoder_layers": 1,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
    "max_position_embeddings": 256,
}
