"""Importing a model: unpack a zip, recognise the format of the folder, save the model in a
hidden staging folder beside the target and rename it into place once it has been checked."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from models.card import ModelCard
from models.errors import (
    ModelExistsError,
    ModelSourceError,
    ModelSourceNotFoundError,
    UnknownModelFormatError,
)
from models.importers.base import ModelSource
from models.importers.ct2 import CTranslate2Source
from models.importers.huggingface import TransformersSource
from models.importers.marian import MarianSource
from models.registry import KnownModel

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$")

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
