"""Hugging Face Transformers folders (Marian or NLLB/M2M-100), converted by CTranslate2's
Transformers converter: needs the `convert` extra (transformers and torch)."""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path
from typing import Any, ClassVar

from models.errors import IncompleteModelError, MissingExtraError, UnknownModelFormatError
from models.importers.base import ModelSource, licence_file, required_files

CONVERT_EXTRA = "convert"
CONVERT_MODULES = ("transformers", "torch")
LARGE_CHECKPOINT_BYTES = 4 << 30


def require_convert_extra(what: str) -> None:
    """Raise MissingExtraError unless transformers and torch can be imported."""
    missing = [m for m in CONVERT_MODULES if find_spec(m) is None]
    if missing:
        raise MissingExtraError(what, CONVERT_EXTRA, missing)


class TransformersSource(ModelSource):
    """A Hugging Face Transformers folder (Marian or NLLB/M2M-100); needs transformers+torch."""

    kind = "transformers"
    description = "Hugging Face Transformers model"
    SUPPORTED: ClassVar[dict[str, str]] = {
        "marian": "Marian (OPUS-MT)",
        "m2m_100": "NLLB / M2M-100",
    }

    @classmethod
    def detect(cls, path: Path) -> bool:
        return (path / "config.json").is_file() and not (path / "model.bin").is_file()

    @property
    def config(self) -> dict[str, Any]:
        try:
            return json.loads((self.path / "config.json").read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UnknownModelFormatError(
                f"{self.path / 'config.json'} is not valid JSON: {exc}"
            ) from exc

    @property
    def model_type(self) -> str:
        return str(self.config.get("model_type", ""))

    def check(self) -> None:
        if self.model_type not in self.SUPPORTED:
            raise UnknownModelFormatError(
                f"{self.path}: model_type {self.model_type!r} is not a supported translation "
                f"model (supported: {', '.join(self.SUPPORTED.values())})"
            )
        if not self.weight_files():
            raise IncompleteModelError(
                f"{self.path}: no weights (model.safetensors or pytorch_model.bin)"
            )
        self.tokenizer_files()
        require_convert_extra(f"importing a {self.description}")

    def tokenizer_files(self) -> dict[str, Path]:
        names = (
            {"source": "source.spm", "target": "target.spm"}
            if self.model_type == "marian"
            else {"source": "sentencepiece.bpe.model", "target": "sentencepiece.bpe.model"}
        )
        return required_files(self.path, names, self.description)

    def weight_files(self) -> list[Path]:
        return [*self.path.glob("*.safetensors"), *self.path.glob("pytorch_model*.bin")]

    def write_weights(self, out_dir: Path, quantization: str) -> str:
        from ctranslate2.converters import TransformersConverter

        # float32 checkpoints of several GB (NLLB 1.3B, 3.3B) are loaded as float16 to halve
        # the memory the conversion needs; the weights are quantised to int8 either way.
        large = sum(f.stat().st_size for f in self.weight_files()) > LARGE_CHECKPOINT_BYTES
        TransformersConverter(str(self.path), load_as_float16=large).convert(
            str(out_dir), quantization=quantization, force=True
        )
        return quantization

    def card_fields(self) -> dict[str, Any]:
        config = self.config
        fields_: dict[str, Any] = {
            "source_suffix": ["</s>"],
            "architecture": (
                f"{self.model_type} layers={config.get('encoder_layers')}+"
                f"{config.get('decoder_layers')} d_model={config.get('d_model')}"
            ),
            "licence": licence_file(self.path),
        }
        if self.model_type == "m2m_100":
            fields_.update(source_prefix=["arb_Arab"], target_prefix=["eng_Latn"])
        return fields_
