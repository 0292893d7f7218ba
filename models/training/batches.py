"""Turning token ids into padded tensors for a Marian model."""

from __future__ import annotations

import random

import torch

IGNORE_INDEX = -100


def collate(
    sources: list[list[int]],
    targets: list[list[int]],
    pad_id: int,
    unk_id: int,
    word_dropout: float = 0.0,
    rng: random.Random | None = None,
) -> dict[str, torch.Tensor]:
    """Pad one batch; targets end in `</s>`, and the decoder input starts with `<pad>`.

    `word_dropout` replaces that share of source tokens (never the final `</s>`) with
    `<unk>`, a cheap regulariser for small data.
    """
    if word_dropout and rng is not None:
        sources = [
            [
                unk_id if i < len(s) - 1 and rng.random() < word_dropout else t
                for i, t in enumerate(s)
            ]
            for s in sources
        ]
    src_len = max(len(s) for s in sources)
    tgt_len = max(len(t) for t in targets)
    input_ids = torch.full((len(sources), src_len), pad_id, dtype=torch.long)
    attention_mask = torch.zeros((len(sources), src_len), dtype=torch.long)
    decoder_input_ids = torch.full((len(targets), tgt_len), pad_id, dtype=torch.long)
    labels = torch.full((len(targets), tgt_len), IGNORE_INDEX, dtype=torch.long)
    for row, (source, target) in enumerate(zip(sources, targets, strict=True)):
        input_ids[row, : len(source)] = torch.tensor(source)
        attention_mask[row, : len(source)] = 1
        labels[row, : len(target)] = torch.tensor(target)
        # Shift right: Marian's decoder starts from <pad> (a zero embedding).
        decoder_input_ids[row, 1 : len(target)] = torch.tensor(target[:-1])
    return {
        "input_ids": input_ids,
        "attention_mask": attention_mask,
        "decoder_input_ids": decoder_input_ids,
        "labels": labels,
    }
