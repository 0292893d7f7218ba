"""The shared SentencePiece vocabulary, with light Arabic normalisation built in.

The normalisation lives inside the SentencePiece model (a custom rule table), so the
service gets exactly the same preprocessing by calling `encode` and nothing else.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import sentencepiece as spm

VOCAB_SIZE_PIECES = 8000
CHARACTER_COVERAGE = 1.0
# Marian's convention: </s> is id 0 and <unk> id 1; <pad> is appended after the pieces
# because CTranslate2's Marian loader drops a trailing <pad> and starts the decoder
# from a zero embedding instead.
EOS_ID = 0
UNK_ID = 1
EOS_PIECE = "</s>"
UNK_PIECE = "<unk>"
PAD_PIECE = "<pad>"
MAX_CODEPOINT = 0x110000

# Harakat, shadda, sukun, dagger alef and tatweel carry little meaning for translation
# and are written inconsistently, so they are removed.
ARABIC_REMOVED = [*range(0x064B, 0x0653), 0x0670, 0x0640]
# Hamza-carrying and wasla alef forms are spelt inconsistently: fold them to bare alef.
ARABIC_FOLDED = {0x0622: 0x0627, 0x0623: 0x0627, 0x0625: 0x0627, 0x0671: 0x0627}


def arabic_nfkc_rules() -> list[tuple[list[int], list[int]]]:
    """NFKC mapping for single code points, followed by the Arabic folding above."""
    rules = []
    for codepoint in range(MAX_CODEPOINT):
        if 0xD800 <= codepoint <= 0xDFFF:
            continue
        char = chr(codepoint)
        folded = [_fold(ord(c)) for c in unicodedata.normalize("NFKC", char)]
        mapped = [c for c in folded if c is not None]
        if mapped != [codepoint]:
            rules.append(([codepoint], mapped))
    return rules


def _fold(codepoint: int) -> int | None:
    if codepoint in ARABIC_REMOVED:
        return None
    return ARABIC_FOLDED.get(codepoint, codepoint)


def write_rule_table(path: Path) -> Path:
    """Write the rule table in SentencePiece's TSV format (hex code points)."""
    lines = []
    for source, target in arabic_nfkc_rules():
        src = " ".join(f"{c:04X}" for c in source)
        tgt = " ".join(f"{c:04X}" for c in target)
        lines.append(f"{src}\t{tgt}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def train_vocabulary(texts: list[str], work_dir: Path, vocab_size: int = VOCAB_SIZE_PIECES) -> Path:
    """Train a shared unigram model on both languages; return the `.model` path."""
    work_dir.mkdir(parents=True, exist_ok=True)
    corpus = work_dir / "spm-corpus.txt"
    corpus.write_text("\n".join(texts) + "\n", encoding="utf-8")
    prefix = work_dir / "shared"
    spm.SentencePieceTrainer.train(
        input=str(corpus),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=CHARACTER_COVERAGE,
        normalization_rule_tsv=str(write_rule_table(work_dir / "normalization.tsv")),
        eos_id=EOS_ID,
        unk_id=UNK_ID,
        bos_id=-1,
        pad_id=-1,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        num_threads=2,
        minloglevel=2,
    )
    return prefix.with_suffix(".model")


def write_marian_vocab(spm_model: Path, path: Path) -> int:
    """Write Marian's `vocab.json` (piece -> id, pad last); return the model vocab size."""
    processor = spm.SentencePieceProcessor(model_file=str(spm_model))
    vocab = {processor.id_to_piece(i): i for i in range(processor.get_piece_size())}
    vocab[PAD_PIECE] = len(vocab)
    path.write_text(json.dumps(vocab, ensure_ascii=False, indent=0), encoding="utf-8")
    return len(vocab)
