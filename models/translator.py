"""Translate sentences with a CTranslate2 model and its sentencepiece tokenizers.

The path reads in order: clean the text, tokenize, split what exceeds the model's input
limit at clause boundaries, `translate_batch` on token-sized batches, detokenize, re-join
the pieces of split sentences. Nothing is truncated: every piece of every sentence is
translated.
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import ctranslate2
import sentencepiece as spm

from models.card import ModelCard, load_card
from models.options import TranslatorOptions

VMAP_FILE = "vmap.txt"  # where CTranslate2's converters put a vocabulary map
# Decoding may produce this many target tokens per source token, plus a margin.
DECODING_LENGTH_RATIO = 2.0
DECODING_LENGTH_MARGIN_TOKENS = 10

# Where a long sentence may be cut: after Arabic/Latin commas and semicolons, or before
# a coordinating conjunction ("و", "ثم", "لكن", "بل", "أو") that starts a word.
_CLAUSE_BREAK_RE = re.compile(r"(?<=[،,؛;:])\s+|\s+(?=(?:و|ثم|لكن|بل|أو|او)\S)")
# Invisible characters that only confuse a tokenizer: zero-width, bidi controls, BOM.
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u00ad\u061c]")
_TATWEEL = "\u0640"
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Translation:
    """One translated sentence: text, confidence in [0, 1], and the translation of each
    piece when the sentence had to be split to fit the model's input limit."""

    text: str
    confidence: float
    parts: tuple[str, ...] = ()


class PieceOutput(NamedTuple):
    """The translation of one tokenized piece and its mean log-probability per token;
    with attention asked for, also its target tokens and, for each, its attention to
    each source token of the piece."""

    text: str
    logprob: float
    tokens: tuple[str, ...] = ()
    attention: list[list[float]] | None = None


def clean_source(text: str) -> str:
    """Normalise text before tokenizing: presentation forms, invisibles, control chars."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text).replace(_TATWEEL, "")
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf") or ch.isspace() else ch for ch in text
    )
    return " ".join(text.split())


def usable_cores() -> int:
    """Cores this process may run on (a container's share, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def compute_type_for(device: str) -> str:
    """int8 on CPU; int8 weights with float16 compute on CUDA."""
    return "int8_float16" if device == "cuda" else "int8"


def default_device() -> str:
    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


class Translator:
    """A loaded model: thread-safe `translate` over many sentences at once."""

    def __init__(
        self,
        model_dir: Path,
        options: TranslatorOptions | None = None,
    ) -> None:
        options = options or TranslatorOptions()
        self.options = options
        self.model_dir = Path(model_dir)
        self.card: ModelCard = load_card(self.model_dir)
        self.device = default_device() if options.device == "auto" else options.device
        self.compute_type = compute_type_for(self.device)
        self.beam_size = options.beam_size
        # Source tokens per engine batch, padding and beam hypotheses counted: what a
        # batch costs in memory grows with both.
        self.max_batch_tokens = options.max_batch_tokens
        self.fixed_output_tokens = options.fixed_output_tokens
        intra_threads = options.intra_threads or 1
        # Replicas share the weights; each runs its own batch on its own threads.
        self.replicas = options.inter_threads or (
            1 if self.device == "cuda" else max(1, usable_cores() // intra_threads)
        )
        self._engine = ctranslate2.Translator(
            str(self.model_dir),
            device=self.device,
            compute_type=self.compute_type,
            intra_threads=intra_threads,
            inter_threads=self.replicas,
        )
        # A vocabulary map (source n-grams -> likely target tokens), where the model ships
        # one, limits each step's output layer to the candidates of the batch's words.
        self.use_vmap = (self.model_dir / VMAP_FILE).is_file()
        self._source_sp = spm.SentencePieceProcessor(
            model_file=str(self.model_dir / self.card.tokenizer["source"])
        )
        self._target_sp = spm.SentencePieceProcessor(
            model_file=str(self.model_dir / self.card.tokenizer["target"])
        )

    @property
    def name(self) -> str:
        return self.card.name

    @property
    def quantization(self) -> str:
        return self.compute_type

    @property
    def max_source_pieces(self) -> int:
        """Subword pieces a sentence may have, leaving room for the card's extra tokens."""
        return max(1, self.card.max_input_tokens - self.extra_source_tokens)

    def unload(self) -> None:
        """Free the model's memory; later calls to `translate` raise RuntimeError."""
        self._engine.unload_model()

    @property
    def extra_source_tokens(self) -> int:
        """Tokens the card adds around every piece (language tags, end of sentence)."""
        return len(self.card.source_prefix) + len(self.card.source_suffix)

    def translate(self, sentences: Sequence[str]) -> list[Translation]:
        """Translate every sentence; one `translate_batch` call for all their pieces."""
        pieces = [self.prepare(sentence) for sentence in sentences]
        outputs = self.translate_pieces([p for sentence in pieces for p in sentence])
        return join_sentences([len(sentence) for sentence in pieces], outputs)

    def prepare(self, sentence: str, keep: Sequence[tuple[int, int]] = ()) -> list[list[str]]:
        """The tokenized pieces `sentence` is translated as (none if it is blank). A long
        sentence is never cut inside a `keep` range (offsets in `clean_source(sentence)`:
        glossary terms)."""
        return self.split_to_fit(clean_source(sentence), keep)

    def split_to_fit(self, text: str, keep: Sequence[tuple[int, int]] = ()) -> list[list[str]]:
        """Tokenize `text`; if it is too long, cut it at clause boundaries, then at words
        (outside the `keep` ranges)."""
        if not text:
            return []
        tokens = self._source_sp.encode(text, out_type=str)
        if len(tokens) <= self.max_source_pieces:
            return [tokens]
        clauses = _cut(text, _CLAUSE_BREAK_RE, keep)
        if len(clauses) == 1:
            clauses = _cut(text, _SPACE_RE, keep)
            if len(clauses) == 1:  # a single enormous "word": cut its pieces directly
                step = self.max_source_pieces
                return [tokens[i : i + step] for i in range(0, len(tokens), step)]
        return self._pack(clauses, keep)

    def _pack(
        self, clauses: list[tuple[int, str]], keep: Sequence[tuple[int, int]]
    ) -> list[list[str]]:
        """Greedily join consecutive clauses (offset, text) into pieces that fit the input
        limit. Clauses are separated by one space (`clean_source` leaves no other), so
        each piece is its slice of the text, and `keep` ranges follow it."""
        packed: list[list[str]] = []
        current, start = "", 0
        for at, clause in clauses:
            joined = f"{current} {clause}" if current else clause
            if current and len(self._source_sp.encode(joined)) > self.max_source_pieces:
                packed.extend(self.split_to_fit(current, _shifted(keep, start)))
                current, start = clause, at
            else:
                current, start = joined, (start if current else at)
        if current:
            packed.extend(self.split_to_fit(current, _shifted(keep, start)))
        return packed

    def _decoding_lengths(self, longest_source: int) -> dict[str, int]:
        if self.fixed_output_tokens:
            fixed = self.fixed_output_tokens
            return {"min_decoding_length": fixed, "max_decoding_length": fixed}
        limit = int(longest_source * DECODING_LENGTH_RATIO) + DECODING_LENGTH_MARGIN_TOKENS
        # Past its position table the engine raises instead of translating.
        return {"max_decoding_length": min(limit, self.card.max_output_tokens)}

    def translate_pieces(
        self, chunks: Sequence[list[str]], *, attention: bool = False
    ) -> list[PieceOutput]:
        """Translate tokenized pieces in one `translate_batch` call; safe from many threads
        at once (each call runs on a free replica). `attention` also returns each
        output's tokens and attention (for glossary terms)."""
        if not chunks:
            return []
        longest = max(len(c) for c in chunks)
        source = [self.card.source_prefix + c + self.card.source_suffix for c in chunks]
        target_prefix = (
            [list(self.card.target_prefix)] * len(chunks) if self.card.target_prefix else None
        )
        results = self._engine.translate_batch(
            source,
            target_prefix=target_prefix,
            beam_size=self.beam_size,
            max_batch_size=max(1, self.max_batch_tokens // self.beam_size),
            batch_type="tokens",
            max_input_length=0,  # we split long input ourselves; never let the engine cut it
            use_vmap=self.use_vmap,
            **self._decoding_lengths(longest),
            **self.card.decoding,
            return_scores=True,
            return_attention=attention,
        )
        skip = len(self.card.target_prefix)
        if not attention:
            return [
                PieceOutput(self._target_sp.decode(r.hypotheses[0][skip:]), r.scores[0])
                for r in results
            ]
        first = len(self.card.source_prefix)
        outputs = []
        for chunk, r in zip(chunks, results, strict=True):
            tokens = r.hypotheses[0][skip:]
            rows = [row[first : first + len(chunk)] for row in r.attention[0][skip:]]
            outputs.append(
                PieceOutput(self._target_sp.decode(tokens), r.scores[0], tuple(tokens), rows)
            )
        return outputs


def _shifted(keep: Sequence[tuple[int, int]], start: int) -> list[tuple[int, int]]:
    return [(a - start, b - start) for a, b in keep if b > start]


def _cut(text: str, boundary: re.Pattern, keep: Sequence[tuple[int, int]]) -> list[tuple[int, str]]:
    """`text` cut at each match of `boundary` that is not inside a `keep` range, as
    (offset, part) pairs; blank parts dropped."""
    parts, at = [], 0
    for m in boundary.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in keep):
            continue
        parts.append((at, text[at : m.start()]))
        at = m.end()
    parts.append((at, text[at:]))
    return [(i, p) for i, p in parts if p.strip()]


def join_pieces(outputs: Sequence[PieceOutput]) -> Translation:
    """One sentence's translation from those of its pieces, in order."""
    return Translation(
        text=" ".join(o.text for o in outputs if o.text),
        confidence=math.exp(sum(o.logprob for o in outputs) / len(outputs)) if outputs else 0.0,
        parts=tuple(o.text for o in outputs),
    )


def join_sentences(
    pieces_per_sentence: Sequence[int], outputs: Sequence[PieceOutput]
) -> list[Translation]:
    """Each sentence's translation from the outputs of all sentences' pieces, in order."""
    remaining = iter(outputs)
    return [join_pieces([next(remaining) for _ in range(n)]) for n in pieces_per_sentence]
