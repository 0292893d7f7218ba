"""Import a model from a local folder or zip into the models folder, as an int8 CTranslate2
directory with its tokenizers, a model card and a README.

`ModelSource` does what every format shares: output, quantisation, validation and saving.
Each format supplies only how to recognise itself, which files it needs, and how to write
`model.bin`: a Marian/OPUS-MT release (.npz + vocab .yml + source/target.spm), a Hugging
Face Transformers folder (needs the `convert` extra) or an already converted CTranslate2
folder (copied as it is: its quantisation is recorded, not changed).

An import is atomic: everything is written to a hidden staging folder beside the target
and renamed into place only once the model has been checked.
"""

from __future__ import annotations

import abc
import json
import re
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any, ClassVar

import ctranslate2
import numpy as np
import sentencepiece as spm
import yaml

from models.card import CARD_FILENAME, ModelCard, ModelCardError, load_card, sha256_file
from models.errors import (
    ConversionError,
    IncompleteModelError,
    MissingExtraError,
    ModelExistsError,
    ModelSourceError,
    ModelSourceNotFoundError,
    UnknownModelFormatError,
)
from models.registry import KnownModel

QUANTIZATION = "int8"
CONVERT_EXTRA = "convert"
CONVERT_MODULES = ("transformers", "torch")
# Share of the source tokenizer's pieces that must be in the model's source vocabulary.
# Marian and NLLB vocabularies hold every piece of their tokenizers; a tokenizer that
# belongs to another model shares little more than punctuation with it.
MIN_VOCABULARY_COVERAGE = 0.5
LARGE_CHECKPOINT_BYTES = 4 << 30
UNKNOWN_LICENCE = "unknown: check the terms of the source"
SMOKE_SENTENCE = "قال الوزير إن الاجتماع سيعقد يوم الاثنين."
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")
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
        return _required_files(
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
        fields_: dict[str, Any] = {"source_suffix": ["</s>"], "licence": _licence_file(self.path)}
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


class TransformersSource(ModelSource):
    """A Hugging Face Transformers folder (Marian or NLLB/M2M-100); needs transformers+torch."""

    kind = "transformers"
    description = "Hugging Face Transformers model"
    SUPPORTED = {"marian": "Marian (OPUS-MT)", "m2m_100": "NLLB / M2M-100"}

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
        return _required_files(self.path, names, self.description)

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
            "licence": _licence_file(self.path),
        }
        if self.model_type == "m2m_100":
            fields_.update(source_prefix=["arb_Arab"], target_prefix=["eng_Latn"])
        return fields_


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
            return {"licence": _licence_file(self.path), "architecture": "ctranslate2 model"}
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


SOURCE_FORMATS: tuple[type[ModelSource], ...] = (
    CTranslate2Source,
    MarianSource,
    TransformersSource,
)


def detect_source(path: Path, imported_from: Path | None = None) -> ModelSource:
    """The model found in folder `path`, in the first format that recognises it."""
    for source_format in SOURCE_FORMATS:
        if source_format.detect(path):
            return source_format(path, imported_from)
    raise UnknownModelFormatError(
        f"{path} holds no model in a supported format: expected a CTranslate2 folder "
        "(model.bin), an OPUS-MT/Marian release (.npz, vocab .yml, source.spm, target.spm) "
        "or a Hugging Face folder (config.json and weights)"
    )


def import_model(
    path: Path,
    models_dir: Path,
    *,
    name: str | None = None,
    force: bool = False,
    known: KnownModel | None = None,
    licence: str | None = None,
    origin: str | None = None,
) -> ModelCard:
    """Import the model at `path` (folder or zip) as `models_dir/<name>`; return its card."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ModelSourceNotFoundError(f"{path} does not exist")
    if name is None:
        name = known.name if known else _default_name(path)
    check_model_name(name)
    target = Path(models_dir) / name
    refuse_existing(target, force)
    Path(models_dir).mkdir(parents=True, exist_ok=True)
    with _unpacked(path, scratch_dir=Path(models_dir)) as folder:
        source = detect_source(folder, imported_from=path)
        source.check()
        staging = Path(tempfile.mkdtemp(prefix=f".import-{name}-", dir=models_dir))
        try:
            card = source.save(
                staging / "model", name=name, known=known, licence=licence, origin=origin
            )
            _replace(staging / "model", target, force)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return card


def check_model_name(name: str) -> None:
    if not _NAME_RE.match(name):
        raise ModelSourceError(
            f"{name!r} is not a usable model name: use letters, digits, '.', '_', '+' or '-'"
        )


def refuse_existing(target: Path, force: bool) -> None:
    if target.exists() and not force:
        raise ModelExistsError(
            f"a model called {target.name!r} already exists in {target.parent}; "
            "use --force to replace it"
        )


def require_convert_extra(what: str) -> None:
    """Raise MissingExtraError unless transformers and torch can be imported."""
    missing = [m for m in CONVERT_MODULES if find_spec(m) is None]
    if missing:
        raise MissingExtraError(what, CONVERT_EXTRA, missing)


def validate_model(model_dir: Path) -> None:
    """Check a saved model: valid card, tokens in the vocabulary, and it translates."""
    from models.translator import Translator

    card = load_card(model_dir)
    source_vocab, target_vocab = _vocabularies(model_dir)
    unknown = [t for t in card.source_prefix + card.source_suffix if t not in source_vocab]
    unknown += [t for t in card.target_prefix if t not in target_vocab]
    if unknown:
        raise ConversionError(
            f"special tokens {unknown} of the card are not in the model's vocabulary"
        )
    pieces = spm.SentencePieceProcessor(model_file=str(model_dir / card.tokenizer["source"]))
    vocab = [pieces.id_to_piece(i) for i in range(pieces.get_piece_size())]
    coverage = sum(p in source_vocab for p in vocab) / max(1, len(vocab))
    if coverage < MIN_VOCABULARY_COVERAGE:
        raise ConversionError(
            f"only {coverage:.0%} of the source tokenizer's pieces are in the model's "
            "vocabulary: the tokenizer does not belong to this model"
        )
    translator = Translator(model_dir, device="cpu", intra_threads=1, beam_size=1)
    try:
        translator.translate([SMOKE_SENTENCE])
    except RuntimeError as exc:
        raise ConversionError(f"the converted model fails to translate: {exc}") from exc


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


def _vocabularies(model_dir: Path) -> tuple[set[str], set[str]]:
    def load(stem: str) -> set[str] | None:
        if (model_dir / f"{stem}.json").is_file():
            return set(json.loads((model_dir / f"{stem}.json").read_text(encoding="utf-8")))
        if (model_dir / f"{stem}.txt").is_file():
            return set((model_dir / f"{stem}.txt").read_text(encoding="utf-8").split("\n"))
        return None

    shared = load("shared_vocabulary")
    source, target = load("source_vocabulary"), load("target_vocabulary")
    if shared is None and (source is None or target is None):
        raise ConversionError(f"{model_dir} has no vocabulary files beside model.bin")
    return source or shared or set(), target or shared or set()


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


def _required_files(folder: Path, names: dict[str, str], what: str) -> dict[str, Path]:
    missing = sorted({n for n in names.values() if not (folder / n).is_file()})
    if missing:
        raise IncompleteModelError(f"{folder}: incomplete {what}, missing {', '.join(missing)}")
    return {role: folder / n for role, n in names.items()}


def _licence_file(folder: Path) -> str:
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


def _default_name(path: Path) -> str:
    stem = path.name[: -len(".zip")] if path.name.lower().endswith(".zip") else path.name
    return re.sub(r"[^A-Za-z0-9._+-]", "-", stem).strip("-.") or "imported-model"


@contextmanager
def _unpacked(path: Path, scratch_dir: Path) -> Iterator[Path]:
    """The folder holding the model: `path` itself, or a zip extracted to a hidden temporary
    folder in `scratch_dir` (the models folder: /tmp may be too small for large models)."""
    if path.is_dir():
        yield path
        return
    if not zipfile.is_zipfile(path):
        raise UnknownModelFormatError(f"{path} is neither a folder nor a zip archive")
    with tempfile.TemporaryDirectory(prefix=".unzip-", dir=scratch_dir) as tmp:
        root = Path(tmp).resolve()
        try:
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    if not (root / member).resolve().is_relative_to(root):
                        raise ModelSourceError(f"{path}: unsafe path {member!r} in the archive")
                archive.extractall(root)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ModelSourceError(f"{path}: cannot extract the archive: {exc}") from exc
        entries = [p for p in root.iterdir() if not p.name.startswith(("__MACOSX", "."))]
        yield entries[0] if len(entries) == 1 and entries[0].is_dir() else root


def _replace(staged: Path, target: Path, force: bool) -> None:
    """Move the finished model into place; an existing one is replaced only with force."""
    if not target.exists():
        staged.rename(target)
        return
    refuse_existing(target, force)
    retired = staged.parent / "retired"
    target.rename(retired)
    staged.rename(target)


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
