"""Known pretrained models that `tarjama models install` can fetch, and the installed ones.

Each known model says where its weights live, in which format, under which licence, and
how it must be fed (prefix and suffix tokens); the importer writes that into the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from models.card import CARD_FILENAME, ModelCard, ModelCardError, load_card
from models.errors import UnknownModelError

HF_HUB_URL = "https://huggingface.co"
OPUS_MT_ATTRIBUTION = (
    "Tiedemann, J. and Thottingal, S. (2020). OPUS-MT - Building open translation services "
    "for the World. EAMT 2020.",
)
NLLB_ATTRIBUTION = (
    "NLLB Team et al. (2022). No Language Left Behind: Scaling Human-Centered Machine "
    "Translation. arXiv:2207.04672.",
)
NLLB_LICENCE = "CC-BY-NC-4.0 (non-commercial use only)"


class SourceKind(StrEnum):
    """Where and in which format a known model is published."""

    opus_mt_zip = "opus-mt-zip"  # a Marian release zip: .npz, vocab .yml, source/target.spm
    hf_hub = "hf-hub"  # a Hugging Face Transformers repository


@dataclass(frozen=True)
class KnownModel:
    """A pretrained Arabic-to-English model the registry knows how to install."""

    name: str
    kind: SourceKind
    url: str  # the release zip, or the hub repository page
    licence: str
    description: str
    hub_repo: str = ""  # the same model on the Hugging Face hub
    attribution: tuple[str, ...] = ()
    source_language: str = "ar"
    target_language: str = "en"
    source_prefix: tuple[str, ...] = ()
    source_suffix: tuple[str, ...] = ("</s>",)
    target_prefix: tuple[str, ...] = ()
    download_mb: int = 0  # roughly, to warn before a long download
    sha256: str | None = None  # of the release file, where the publisher states one

    @property
    def needs_transformers(self) -> bool:
        return self.kind is SourceKind.hf_hub


def _nllb(name: str, repo: str, size: str, download_mb: int) -> KnownModel:
    return KnownModel(
        name=name,
        kind=SourceKind.hf_hub,
        url=f"{HF_HUB_URL}/{repo}",
        hub_repo=repo,
        licence=NLLB_LICENCE,
        description=f"Meta NLLB-200 {size}, 200 languages; Arabic (arb_Arab) to English",
        attribution=NLLB_ATTRIBUTION,
        source_prefix=("arb_Arab",),
        target_prefix=("eng_Latn",),
        download_mb=download_mb,
    )


KNOWN_MODELS: dict[str, KnownModel] = {
    m.name: m
    for m in (
        KnownModel(
            name="opus-mt-ar-en",
            kind=SourceKind.opus_mt_zip,
            url="https://object.pouta.csc.fi/OPUS-MT-models/ar-en/opus-2019-12-18.zip",
            hub_repo="Helsinki-NLP/opus-mt-ar-en",
            licence="CC-BY-4.0 (OPUS-MT; the hub mirror states Apache-2.0)",
            description="Helsinki-NLP OPUS-MT Marian transformer-align (base), 2019-12-18",
            attribution=OPUS_MT_ATTRIBUTION,
            download_mb=300,
        ),
        KnownModel(
            name="opus-mt-tc-big-ar-en",
            kind=SourceKind.opus_mt_zip,
            url=(
                "https://object.pouta.csc.fi/Tatoeba-MT-models/ara-eng/"
                "opusTCv20210807+bt_transformer-big_2022-03-09.zip"
            ),
            hub_repo="Helsinki-NLP/opus-mt-tc-big-ar-en",
            licence="CC-BY-4.0",
            description="Helsinki-NLP OPUS-MT Tatoeba Challenge transformer-big, 2022-03-09",
            attribution=(
                *OPUS_MT_ATTRIBUTION,
                "Tiedemann, J. (2020). The Tatoeba Translation Challenge - Realistic Data Sets "
                "for Low Resource and Multilingual MT. WMT 2020.",
            ),
            download_mb=1000,
        ),
        _nllb(
            "nllb-200-distilled-600M", "facebook/nllb-200-distilled-600M", "distilled 600M", 2500
        ),
        _nllb(
            "nllb-200-distilled-1.3B", "facebook/nllb-200-distilled-1.3B", "distilled 1.3B", 5500
        ),
        _nllb("nllb-200-3.3B", "facebook/nllb-200-3.3B", "3.3B", 17700),
    )
}


def get_known_model(name: str) -> KnownModel:
    """The registry entry for `name`; the error lists the names that are known."""
    try:
        return KNOWN_MODELS[name]
    except KeyError:
        raise UnknownModelError(
            f"no known model called {name!r}; known models: {', '.join(KNOWN_MODELS)}"
        ) from None


@dataclass(frozen=True)
class InstalledModel:
    """A model directory under the models folder, with its card if the card is valid."""

    name: str
    path: Path
    size_bytes: int
    card: ModelCard | None
    problem: str = ""


def installed_models(models_dir: Path) -> list[InstalledModel]:
    """Every directory of `models_dir` that holds a `model.bin`, sorted by name."""
    found: list[InstalledModel] = []
    if not Path(models_dir).is_dir():
        return found
    for path in sorted(Path(models_dir).iterdir()):
        if path.name.startswith(".") or not (path / "model.bin").is_file():
            continue
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        try:
            found.append(InstalledModel(path.name, path, size, load_card(path)))
        except ModelCardError as exc:
            problem = str(exc) if (path / CARD_FILENAME).exists() else f"no {CARD_FILENAME}"
            found.append(InstalledModel(path.name, path, size, None, problem))
    return found
