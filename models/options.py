"""How a `Translator` runs: the one set of its options and their defaults.

Kept apart from `models.translator` so that reading the settings never imports ctranslate2.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_BEAM_SIZE = 2
# Source tokens in one engine batch, padding and beam hypotheses counted.
DEFAULT_MAX_BATCH_TOKENS = 512


@dataclass(frozen=True)
class TranslatorOptions:
    """Device, threads and decoding options of a loaded model."""

    device: str = "auto"  # "cpu", "cuda" or "auto" (CUDA when a GPU is visible)
    intra_threads: int = 1  # threads per engine replica
    inter_threads: int = 0  # engine replicas (0: one per `intra_threads` cores)
    beam_size: int = DEFAULT_BEAM_SIZE
    max_batch_tokens: int = DEFAULT_MAX_BATCH_TOKENS
    # Benchmarks only: every translation gets exactly this many tokens (0: off), so
    # systems compared on random weights do the same amount of decoding.
    fixed_output_tokens: int = 0
