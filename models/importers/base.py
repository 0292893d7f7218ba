"""The converter base: what every source format shares.

`ModelSource` writes the output folder, quantises (through the format's `write_weights`),
copies the tokenizers, writes the card and README, and validates the result; a format
supplies only how to recognise itself, which files it needs and how to write `model.bin`.
"""

from __future__ import annotations

import abc
import json
import shutil
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import ctranslate2
import yaml

from models.card import CARD_FILENAME, ModelCard, sha256_file
from models.errors import ConversionError, IncompleteModelError, ModelSourceError
from models.importers.validate import validate_model
from models.registry import KnownModel

QUANTIZATION = "int8"
UNKNOWN_LICENCE = "unknown: check the terms of the source"


class ModelSource(abc.ABC):
    """A model found at `path` in one source format, ready to be saved as a tarjama model."""

    kind: ClassVar[str]
    description: ClassVar[str]

    def __init__(self, path: Path, imported_from: Path | None = None) -> None:
        self.path = Path(path)
        # What the user named: the zip, when `path` is the folder it was extracted to.
        self.imported_from = Path(imported_from or path).resolve()

    @classmethod
    @abc.abstractmethod
    def detect(cls, path: Path) -> bool:
        """Whether the folder `path` looks like this format."""

    @abc.abstractmethod
    def check(self) -> None:
        """Raise IncompleteModelError or MissingExtraError before any work is done."""

    @abc.abstractmethod
    def write_weights(self, out_dir: Path, quantization: str) -> str:
        """Write `model.bin` and its config and vocabularies; return the quantisation used."""

    @abc.abstractmethod
    def tokenizer_files(self) -> dict[str, Path]:
        """The sentencepiece model for each role ("source", "target")."""

    def card_fields(self) -> dict[str, Any]:
        """What this format knows about the model: architecture, tokens, licence."""
        return {}

    def save(
        self,
        out_dir: Path,
        *,
        name: str,
        known: KnownModel | None = None,
        licence: str | None = None,
        origin: str | None = None,
    ) -> ModelCard:
        """Write the complete model (weights, tokenizers, card, README) into `out_dir`.

        `origin` says where the model came from (a URL or the imported path); a card
        already in a CTranslate2 folder keeps its own unless `origin` is given.
        """
        self.check()
        out_dir.mkdir(parents=True, exist_ok=True)
        try:
            quantization = self.write_weights(out_dir, QUANTIZATION)
        except ModelSourceError:
            raise
        except Exception as exc:  # converters raise anything from KeyError to RuntimeError
            raise ConversionError(
                f"could not convert {self.path} ({self.description}): {exc}"
            ) from exc
        tokenizer = self._copy_tokenizers(out_dir)
        card = self._card(name, quantization, tokenizer, known, licence, origin)
        self._engine_adds_no_tokens(out_dir, card)
        card.sha256 = {
            f: sha256_file(out_dir / f) for f in ["model.bin", *sorted(set(tokenizer.values()))]
        }
        card.save(out_dir)
        validate_model(out_dir)
        (out_dir / "README.md").write_text(model_readme(card), encoding="utf-8")
        return card

    def _copy_tokenizers(self, out_dir: Path) -> dict[str, str]:
        files = self.tokenizer_files()
        if files["source"] == files["target"]:
            names = {"source": files["source"].name, "target": files["source"].name}
        else:
            names = {"source": "source.spm", "target": "target.spm"}
        for role, path in files.items():
            if not (out_dir / names[role]).exists():
                shutil.copyfile(path, out_dir / names[role])
        return names

    def _card(
        self,
        name: str,
        quantization: str,
        tokenizer: dict[str, str],
        known: KnownModel | None,
        licence: str | None,
        origin: str | None,
    ) -> ModelCard:
        data: dict[str, Any] = {"licence": UNKNOWN_LICENCE}
        data.update(self.card_fields())
        if known is not None:
            data.update(
                source_language=known.source_language,
                target_language=known.target_language,
                source_prefix=list(known.source_prefix),
                source_suffix=list(known.source_suffix),
                target_prefix=list(known.target_prefix),
                licence=known.licence,
                attribution=list(known.attribution),
                origin=known.url,
            )
        if licence:
            data["licence"] = licence
        if origin:
            data["origin"] = origin
        data["origin"] = data.get("origin") or str(self.imported_from)
        known_fields = {f.name for f in fields(ModelCard)}
        extra = {k: v for k, v in data.items() if k not in known_fields}
        card = ModelCard(
            name=name,
            quantization=quantization,
            tokenizer=tokenizer,
            **{k: v for k, v in data.items() if k in known_fields and k not in ("name", "extra")},
        )
        card.extra.update(extra)
        card.extra["conversion"] = {
            "source_format": self.kind,
            "ctranslate2": ctranslate2.__version__,
            "imported_from": str(self.imported_from),
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        return card

    @staticmethod
    def _engine_adds_no_tokens(out_dir: Path, card: ModelCard) -> None:
        """The card alone says which special tokens surround the input, so the engine
        must not add them too (Marian's converter asks it to add `</s>`)."""
        config_path = out_dir / "config.json"
        if not config_path.is_file():
            return
        config = json.loads(config_path.read_text())
        eos, bos = config.get("eos_token", "</s>"), config.get("bos_token", "<s>")
        if config.get("add_source_eos") and eos not in card.source_suffix:
            card.source_suffix.append(eos)
        if config.get("add_source_bos") and bos not in card.source_prefix:
            card.source_prefix.insert(0, bos)
        if config.get("add_source_eos") or config.get("add_source_bos"):
            config["add_source_eos"] = config["add_source_bos"] = False
            config_path.write_text(json.dumps(config, indent=2) + "\n")


def required_files(folder: Path, names: dict[str, str], what: str) -> dict[str, Path]:
    """The files `names` (role -> file name) in `folder`; IncompleteModelError if any is missing."""
    missing = sorted({n for n in names.values() if not (folder / n).is_file()})
    if missing:
        raise IncompleteModelError(f"{folder}: incomplete {what}, missing {', '.join(missing)}")
    return {role: folder / n for role, n in names.items()}


def licence_file(folder: Path) -> str:
    """The licence a folder states: a LICENSE file's first line, or the `license:` of a
    Hugging Face README's front matter."""
    for candidate in ("LICENSE", "LICENSE.txt", "LICENCE", "license.txt"):
        if (folder / candidate).is_file():
            lines = (folder / candidate).read_text(encoding="utf-8", errors="replace").split("\n")
            first = next((line.strip() for line in lines if line.strip()), "")
            if first:
                return f"{first[:120]} (from {candidate})"
    readme = folder / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---"):
            try:
                front = yaml.safe_load(text.split("---", 2)[1]) or {}
            except (yaml.YAMLError, IndexError):
                front = {}
            if isinstance(front, dict) and front.get("license"):
                return f"{front['license']} (from README.md)"
    return UNKNOWN_LICENCE


def model_readme(card: ModelCard) -> str:
    """A short human description of an installed model."""
    tokens = []
    if card.source_prefix or card.source_suffix:
        tokens.append("source: " + " ".join([*card.source_prefix, "<text>", *card.source_suffix]))
    if card.target_prefix:
        tokens.append(f"target starts with {' '.join(card.target_prefix)}")
    lines = [
        f"# {card.name}",
        "",
        f"{card.source_language} -> {card.target_language} translation model for CTranslate2, "
        f"quantised to {card.quantization}.",
        "",
        f"- Origin: {card.origin}",
        f"- Licence: {card.licence}",
        f"- Architecture: {card.architecture}",
        f"- Tokenizers: {card.tokenizer['source']} (source), {card.tokenizer['target']} (target)",
        f"- Special tokens: {'; '.join(tokens) if tokens else 'none'}",
        f"- model.bin SHA-256: {card.sha256.get('model.bin', '')}",
    ]
    if card.attribution:
        lines += ["", "Attribution:", *[f"- {a}" for a in card.attribution]]
    lines += [
        "",
        f"`{CARD_FILENAME}` is the machine-readable description. Use the model with "
        f"`TARJAMA_MODEL={card.name}`.",
        "",
    ]
    return "\n".join(lines)
