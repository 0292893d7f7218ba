"""Already converted CTranslate2 folders: copied as they are, their quantisation read from
`model.bin` and recorded, not changed."""

from __future__ import annotations

import shutil
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from models.card import ModelCard, ModelCardError, load_card
from models.errors import ConversionError, IncompleteModelError
from models.importers.base import ModelSource, licence_file

_CT2_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_CT2_MODEL_FILES = (
    "model.bin",
    "config.json",
    "shared_vocabulary.json",
    "shared_vocabulary.txt",
    "source_vocabulary.json",
    "source_vocabulary.txt",
    "target_vocabulary.json",
    "target_vocabulary.txt",
    "vmap.txt",
)
# Tokenizer file names found in the wild, as (source, target) pairs; one name = shared.
_TOKENIZER_CANDIDATES = (
    ("source.spm", "target.spm"),
    ("sentencepiece.bpe.model", "sentencepiece.bpe.model"),
    ("spm.model", "spm.model"),
    ("sentencepiece.model", "sentencepiece.model"),
    ("source.model", "target.model"),
)


class CTranslate2Source(ModelSource):
    """An already converted CTranslate2 folder: copied, with its quantisation recorded."""

    kind = "ctranslate2"
    description = "CTranslate2 model"

    @classmethod
    def detect(cls, path: Path) -> bool:
        return (path / "model.bin").is_file()

    @property
    def own_card(self) -> ModelCard | None:
        """The card already in the folder, if it is a valid one."""
        try:
            return load_card(self.path)
        except ModelCardError:
            return None

    def check(self) -> None:
        self.tokenizer_files()

    def tokenizer_files(self) -> dict[str, Path]:
        card = self.own_card
        if card is not None:
            return {role: self.path / card.tokenizer[role] for role in ("source", "target")}
        for source, target in _TOKENIZER_CANDIDATES:
            if (self.path / source).is_file() and (self.path / target).is_file():
                return {"source": self.path / source, "target": self.path / target}
        raise IncompleteModelError(
            f"{self.path}: no sentencepiece tokenizer found beside model.bin (looked for "
            f"{', '.join(sorted({n for pair in _TOKENIZER_CANDIDATES for n in pair}))})"
        )

    def write_weights(self, out_dir: Path, quantization: str) -> str:
        for name in _CT2_MODEL_FILES:
            if (self.path / name).is_file():
                shutil.copyfile(self.path / name, out_dir / name)
        return saved_quantization(out_dir / "model.bin")

    def card_fields(self) -> dict[str, Any]:
        card = self.own_card
        if card is None:
            return {"licence": licence_file(self.path), "architecture": "ctranslate2 model"}
        keep = (
            "source_language",
            "target_language",
            "architecture",
            "source_prefix",
            "source_suffix",
            "target_prefix",
            "max_input_tokens",
            "licence",
            "attribution",
            "origin",
            "scores",
            "training",
        )
        return {k: getattr(card, k) for k in keep} | card.extra


def saved_quantization(model_bin: Path) -> str:
    """The weight type a CTranslate2 `model.bin` was saved with (int8, int8_float16, ...)."""
    dtypes = dict(_variable_dtypes(model_bin))
    quantized = {
        dtypes[n[: -len("_scale")]]
        for n in dtypes
        if n.endswith("_scale") and n[: -len("_scale")] in dtypes
    }
    floats = {d for n, d in dtypes.items() if n.endswith(("/bias", "/gamma", "/beta"))}
    other = next(iter(floats - {"float32"}), "float32")
    if "int8" in quantized:
        return "int8" if other == "float32" else f"int8_{other}"
    if "int16" in quantized:
        return "int16"
    weights = {d for n, d in dtypes.items() if n.endswith("/weight")}
    return next(iter(weights - {"float32"}), "float32") if weights else "unknown"


def _variable_dtypes(model_bin: Path) -> Iterator[tuple[str, str]]:
    """(name, dtype) of every variable, reading only the headers of `model.bin`."""

    def read(handle, fmt: str):
        size = struct.calcsize(fmt)
        data = handle.read(size)
        if len(data) != size:
            raise ConversionError(f"{model_bin} is truncated")
        return struct.unpack(fmt, data)

    def read_string(handle) -> str:
        (length,) = read(handle, "H")
        return handle.read(length)[:-1].decode("utf-8")

    with open(model_bin, "rb") as handle:
        (version,) = read(handle, "I")
        if version < 4:  # older files store an item size, not a type
            return
        read_string(handle)
        read(handle, "I")
        (count,) = read(handle, "I")
        for _ in range(count):
            name = read_string(handle)
            (rank,) = read(handle, "B")
            read(handle, f"{rank}I")
            (type_id,) = read(handle, "B")
            (num_bytes,) = read(handle, "I")
            handle.seek(num_bytes, 1)
            yield name, _CT2_DTYPES[type_id] if type_id < len(_CT2_DTYPES) else "unknown"
