"""Model cards: the machine-readable description that sits beside every model.

Each model directory holds `model.bin` (CTranslate2), its tokenizer models and
`model_card.json`. The card says how to feed the model (prefix and suffix tokens, such as
Marian's `</s>` or NLLB's language codes), what it was quantised to and where it came from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MODELS_DIR = Path(__file__).resolve().parent
CARD_FILENAME = "model_card.json"
DEFAULT_MAX_INPUT_TOKENS = 256
DEFAULT_MAX_OUTPUT_TOKENS = 512
HASH_CHUNK_BYTES = 1 << 20


class ModelCardError(ValueError):
    """A model directory is missing or its card is invalid."""


@dataclass
class ModelCard:
    """What the service needs to know to run one model."""

    name: str
    source_language: str = "ar"
    target_language: str = "en"
    quantization: str = "int8"
    architecture: str = "transformer"
    tokenizer: dict[str, str] = field(
        default_factory=lambda: {"source": "source.spm", "target": "target.spm"}
    )
    source_prefix: list[str] = field(default_factory=list)
    source_suffix: list[str] = field(default_factory=lambda: ["</s>"])
    target_prefix: list[str] = field(default_factory=list)
    max_input_tokens: int = DEFAULT_MAX_INPUT_TOKENS
    # The decoder's position table: a translation may not run longer than this.
    max_output_tokens: int = DEFAULT_MAX_OUTPUT_TOKENS
    # Decoding options this model wants (e.g. no_repeat_ngram_size, repetition_penalty),
    # passed to translate_batch as they are.
    decoding: dict[str, Any] = field(default_factory=dict)
    licence: str = "unknown"
    attribution: list[str] = field(default_factory=list)
    origin: str = ""
    sha256: dict[str, str] = field(default_factory=dict)
    scores: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)
    # Fields this code does not know, kept so that saving a card never drops them.
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelCard:
        known = {f for f in cls.__dataclass_fields__}
        extra = {k: v for k, v in data.items() if k not in known}
        return cls(**{k: v for k, v in data.items() if k in known and k != "extra"}, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(data.pop("extra"))
        return data

    def save(self, model_dir: Path) -> None:
        """Write the card as `model_card.json` in `model_dir`."""
        path = Path(model_dir) / CARD_FILENAME
        path.write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n")


def load_card(model_dir: Path) -> ModelCard:
    """Read and check the card of a model directory."""
    model_dir = Path(model_dir)
    path = model_dir / CARD_FILENAME
    if not (model_dir / "model.bin").is_file():
        raise ModelCardError(f"{model_dir} has no model.bin: not a CTranslate2 model")
    if not path.is_file():
        raise ModelCardError(f"{model_dir} has no {CARD_FILENAME}")
    try:
        card = ModelCard.from_dict(json.loads(path.read_text()))
    except (json.JSONDecodeError, TypeError) as exc:
        raise ModelCardError(f"{path} is not a valid model card: {exc}") from exc
    for role in ("source", "target"):
        tokenizer = card.tokenizer.get(role)
        if not tokenizer or not (model_dir / tokenizer).is_file():
            raise ModelCardError(f"{model_dir}: {role} tokenizer {tokenizer!r} is missing")
    return card


def resolve_model_dir(name_or_path: str, models_dir: Path = MODELS_DIR) -> Path:
    """A model given by name (a folder under `models_dir`) or by path."""
    candidate = Path(name_or_path)
    if candidate.is_absolute() or candidate.exists():
        return candidate
    return Path(models_dir) / name_or_path


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(HASH_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()
