"""Marian / OPUS-MT releases: `*.npz` weights, vocabulary `*.yml`, `source.spm`, `target.spm`.
Converted without torch."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from models.errors import IncompleteModelError
from models.importers.base import ModelSource, licence_file, required_files


class MarianSource(ModelSource):
    """An OPUS-MT / Marian release: `*.npz`, vocabulary `*.yml`, `source.spm`, `target.spm`."""

    kind = "marian"
    description = "Marian/OPUS-MT model"

    @classmethod
    def detect(cls, path: Path) -> bool:
        return any(path.glob("*.npz")) and (
            (path / "decoder.yml").is_file() or any(path.glob("*.yml"))
        )

    def check(self) -> None:
        self.npz_and_vocabularies()
        self.tokenizer_files()

    def npz_and_vocabularies(self) -> tuple[Path, list[Path]]:
        """The weights file and the vocabularies (source first), from decoder.yml if present."""
        decoder = self.path / "decoder.yml"
        if decoder.is_file():
            config = yaml.safe_load(decoder.read_text(encoding="utf-8")) or {}
            npz = [self.path / m for m in config.get("models", [])][:1]
            vocabs = [self.path / v for v in config.get("vocabs", [])]
        else:
            npz = sorted(self.path.glob("*.npz"))
            vocabs = _order_vocabularies(sorted(self.path.glob("*vocab*.yml")))
            if len(npz) > 1:
                raise IncompleteModelError(
                    f"{self.path} has several .npz files ({', '.join(p.name for p in npz)}) and "
                    "no decoder.yml saying which one is the model"
                )
        missing = [p.name for p in npz + vocabs if not p.is_file()]
        if not npz or not vocabs or missing:
            raise IncompleteModelError(
                f"{self.path}: incomplete Marian model, missing "
                f"{', '.join(missing) if missing else 'the .npz weights or the vocabulary .yml'}"
            )
        return npz[0], vocabs

    def tokenizer_files(self) -> dict[str, Path]:
        return required_files(
            self.path, {"source": "source.spm", "target": "target.spm"}, self.description
        )

    def write_weights(self, out_dir: Path, quantization: str) -> str:
        from ctranslate2.converters import MarianConverter

        npz, vocabs = self.npz_and_vocabularies()
        MarianConverter(str(npz), [str(v) for v in vocabs]).convert(
            str(out_dir), quantization=quantization, force=True
        )
        return quantization

    def card_fields(self) -> dict[str, Any]:
        npz, _ = self.npz_and_vocabularies()
        fields_: dict[str, Any] = {"source_suffix": ["</s>"], "licence": licence_file(self.path)}
        try:
            with np.load(npz) as weights:
                config = yaml.safe_load(weights["special:model.yml"][:-1].tobytes())
            fields_["architecture"] = (
                f"marian {config.get('type')} layers={config.get('enc-depth')}+"
                f"{config.get('dec-depth')} heads={config.get('transformer-heads')} "
                f"d_model={config.get('dim-emb')} ffn={config.get('transformer-dim-ffn')}"
            )
        except (KeyError, ValueError, yaml.YAMLError):
            fields_["architecture"] = "marian transformer"
        return fields_


def _order_vocabularies(vocabs: list[Path]) -> list[Path]:
    """Source vocabulary first: Marian names them *src*/*source* and *trg*/*tgt*/*target*."""
    if len(vocabs) <= 1:
        return vocabs

    def rank(path: Path) -> int:
        stem = path.name.lower()
        return (
            0 if re.search(r"src|source", stem) else 1 if re.search(r"trg|tgt|target", stem) else 2
        )

    ordered = sorted(vocabs, key=rank)
    if rank(ordered[0]) != 0 or rank(ordered[1]) != 1:
        raise IncompleteModelError(
            f"{vocabs[0].parent}: cannot tell the source vocabulary from the target one among "
            f"{', '.join(v.name for v in vocabs)}; add the release's decoder.yml"
        )
    return ordered[:2]
