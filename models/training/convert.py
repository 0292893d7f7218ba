"""Saving the trained model for Transformers, and converting it to CTranslate2 int8."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import ctranslate2
import torch
from transformers import MarianMTModel, MarianTokenizer

QUANTIZATION = "int8"
SPM_NAMES = ("source.spm", "target.spm")
# CTranslate2 raises an error when decoding reaches the end of the position table, and
# a translation may be longer than its source. The sinusoidal table is a fixed function
# of the position, so it can be extended after training without changing the model.
CONVERTED_POSITIONS_TOKENS = 512


def extend_positions(model: MarianMTModel, positions: int) -> MarianMTModel:
    """A copy of `model` whose sinusoidal position tables have `positions` rows."""
    config = model.config.__class__.from_dict(
        {**model.config.to_dict(), "max_position_embeddings": positions}
    )
    extended = MarianMTModel(config)
    state = {k: v for k, v in model.state_dict().items() if "embed_positions" not in k}
    extended.load_state_dict(state, strict=False)
    for stack in (extended.model.encoder, extended.model.decoder):
        old = getattr(model.model, "encoder" if stack is extended.model.encoder else "decoder")
        rows = old.embed_positions.weight.shape[0]
        if not torch.allclose(stack.embed_positions.weight[:rows], old.embed_positions.weight):
            raise ValueError("extended position table does not start with the trained one")
    return extended.eval()


def save_transformers(
    model: MarianMTModel, spm_model: Path, vocab_json: Path, hf_dir: Path
) -> Path:
    """Write a Transformers Marian directory (weights, config and tokenizer files).

    One shared SentencePiece model serves both sides, so it is saved under both names.
    """
    hf_dir.mkdir(parents=True, exist_ok=True)
    model = extend_positions(model, CONVERTED_POSITIONS_TOKENS)
    model.save_pretrained(hf_dir)
    for name in SPM_NAMES:
        shutil.copyfile(spm_model, hf_dir / name)
    shutil.copyfile(vocab_json, hf_dir / "vocab.json")
    tokenizer = MarianTokenizer(
        source_spm=str(hf_dir / "source.spm"),
        target_spm=str(hf_dir / "target.spm"),
        vocab=str(hf_dir / "vocab.json"),
        model_max_length=model.config.max_position_embeddings,
    )
    tokenizer.save_pretrained(hf_dir)
    return hf_dir


def to_ctranslate2(hf_dir: Path, out_dir: Path) -> Path:
    """Convert to an int8 CTranslate2 directory and put the SentencePiece models beside it.

    The converter empties the folder it writes, so it writes a new one beside `out_dir`
    whose files then replace their namesakes: the other files of a model converted again
    (its README, the card whose decoding options `publish.write_card` keeps) stay.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=f".{out_dir.name}-") as tmp:
        converted = Path(tmp) / "model"
        converter = ctranslate2.converters.TransformersConverter(str(hf_dir))
        converter.convert(str(converted), quantization=QUANTIZATION, force=True)
        for name in SPM_NAMES:
            shutil.copyfile(hf_dir / name, converted / name)
        out_dir.mkdir(exist_ok=True)
        for path in converted.iterdir():
            path.replace(out_dir / path.name)
    return out_dir


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Convert a saved Marian model to CTranslate2")
    parser.add_argument("hf_dir", type=Path)
    parser.add_argument("out_dir", type=Path)
    cli = parser.parse_args()
    print(to_ctranslate2(cli.hf_dir, cli.out_dir))
