"""Measure translation quality with sacrebleu (BLEU and chrF) on a parallel pair of files.

`evaluate` scores any function that translates a list of source lines, so the same
measurement serves the bare engine (`Translator.translate`, sentence by sentence) and the
article pipeline (which re-splits each line into sentences first; it lives in the command
line, `cli/model_commands.py`, because it uses the workers' segmenter).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from models.errors import EvaluationError, MissingExtraError
from models.translator import Translation

EVAL_EXTRA = "eval"
TranslateLines = Callable[[Sequence[str]], list[Translation]]


@dataclass(frozen=True)
class ParallelSet:
    """Aligned source lines and reference translations."""

    name: str
    sources: list[str]
    references: list[str]


@dataclass(frozen=True)
class Score:
    """Corpus-level scores of one way of translating a parallel set."""

    method: str
    bleu: float
    chrf: float
    segments: int
    seconds: float
    mean_confidence: float
    signature: str = ""

    @property
    def segments_per_second(self) -> float:
        return self.segments / self.seconds if self.seconds > 0 else 0.0


def read_parallel(src: Path, ref: Path, limit: int | None = None) -> ParallelSet:
    """Read a line-aligned pair of files, skipping pairs whose source line is empty."""
    lines = []
    for path in (src, ref):
        if not Path(path).is_file():
            raise EvaluationError(f"{path} does not exist or is not a file")
        try:
            lines.append(Path(path).read_text(encoding="utf-8").splitlines())
        except UnicodeDecodeError as exc:
            raise EvaluationError(f"{path} is not UTF-8 text: {exc}") from exc
    sources, references = lines
    if len(sources) != len(references):
        raise EvaluationError(
            f"{src} has {len(sources)} lines but {ref} has {len(references)}: not aligned"
        )
    pairs = [(s.strip(), r.strip()) for s, r in zip(sources, references, strict=True) if s.strip()]
    if limit is not None:
        pairs = pairs[: max(0, limit)]
    if not pairs:
        raise EvaluationError(f"{src} has no lines to translate")
    return ParallelSet(
        name=Path(src).stem, sources=[s for s, _ in pairs], references=[r for _, r in pairs]
    )


def corpus_scores(hypotheses: list[str], references: list[str]) -> tuple[float, float, str]:
    """Corpus BLEU, chrF and sacrebleu's signature of both."""
    try:
        import sacrebleu
    except ImportError:
        raise MissingExtraError("evaluation", EVAL_EXTRA, ["sacrebleu"]) from None
    bleu = sacrebleu.metrics.BLEU()
    chrf = sacrebleu.metrics.CHRF()
    bleu_score = bleu.corpus_score(hypotheses, [references])
    chrf_score = chrf.corpus_score(hypotheses, [references])
    return bleu_score.score, chrf_score.score, f"{bleu.get_signature()} | {chrf.get_signature()}"


def evaluate(translate: TranslateLines, data: ParallelSet, method: str) -> Score:
    """Translate every source line with `translate` and score against the references."""
    started = time.perf_counter()
    translations = translate(data.sources)
    seconds = time.perf_counter() - started
    if len(translations) != len(data.sources):
        raise EvaluationError(
            f"{method}: {len(translations)} translations for {len(data.sources)} lines"
        )
    bleu, chrf, signature = corpus_scores([t.text for t in translations], data.references)
    confidence = sum(t.confidence for t in translations) / len(translations)
    return Score(method, bleu, chrf, len(translations), seconds, confidence, signature)
