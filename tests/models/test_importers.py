"""Importing tiny real models in each supported source format, and the ways it can fail."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from models.card import ModelCard, load_card, sha256_file
from models.errors import (
    ConversionError,
    IncompleteModelError,
    MissingExtraError,
    ModelExistsError,
    ModelSourceError,
    ModelSourceNotFoundError,
    UnknownModelFormatError,
)
from models.importers import import_model, saved_quantization
from models.options import TranslatorOptions
from models.registry import KNOWN_MODELS
from models.synthetic import build_random_model, build_tokenizer
from models.translator import Translator
from tests.models.builders import (
    ARABIC_SENTENCES,
    NPZ_NAME,
    VOCAB_NAME,
    build_hf_marian,
    build_hf_nllb,
    build_marian_release,
    sample_lines,
)


@pytest.fixture(scope="module")
def marian_release(tmp_path_factory) -> Path:
    return build_marian_release(tmp_path_factory.mktemp("release") / "opus-tiny")


@pytest.fixture
def models_dir(tmp_path: Path) -> Path:
    return tmp_path / "models"


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def zip_folder(folder: Path, archive: Path) -> Path:
    with zipfile.ZipFile(archive, "w") as handle:
        for path in sorted(folder.rglob("*")):
            handle.write(path, Path(folder.name) / path.relative_to(folder))
    return archive


def assert_no_staging_left(models_dir: Path) -> None:
    assert not list(models_dir.glob(".import-*"))


class TestMarianRelease:
    def test_import_converts_to_int8_and_translates(self, marian_release, models_dir):
        card = import_model(marian_release, models_dir, name="opus-tiny")

        model_dir = models_dir / "opus-tiny"
        assert load_card(model_dir) == card
        assert card.quantization == "int8"
        assert saved_quantization(model_dir / "model.bin") == "int8"
        assert card.sha256["model.bin"] == sha256_file(model_dir / "model.bin")
        assert card.source_suffix == ["</s>"] and card.source_prefix == []
        assert card.tokenizer == {"source": "source.spm", "target": "target.spm"}
        assert card.architecture.startswith("marian transformer layers=2+2")
        assert card.licence.startswith("CC-BY 4.0")
        assert card.extra["conversion"]["source_format"] == "marian"
        assert "opus-tiny" in (model_dir / "README.md").read_text()
        # The card adds </s>; the engine must not add a second one.
        assert json.loads((model_dir / "config.json").read_text())["add_source_eos"] is False

        translator = Translator(model_dir, TranslatorOptions(device="cpu", beam_size=1))
        translations = translator.translate(ARABIC_SENTENCES)
        assert len(translations) == len(ARABIC_SENTENCES)
        assert all(t.text.strip() for t in translations)
        assert all(0.0 < t.confidence <= 1.0 for t in translations)

    def test_zip_is_imported_under_its_name(self, marian_release, models_dir, tmp_path):
        archive = zip_folder(marian_release, tmp_path / "opus-2019-12-18.zip")

        card = import_model(archive, models_dir)

        assert card.name == "opus-2019-12-18"
        assert card.extra["conversion"]["imported_from"] == str(archive.resolve())
        translator = Translator(models_dir / card.name, TranslatorOptions(device="cpu"))
        assert translator.translate(["مرحبا."])[0].text

    def test_folder_without_decoder_yml(self, tmp_path, models_dir):
        release = build_marian_release(tmp_path / "bare", decoder_yml=False)
        (release / "LICENSE").unlink()
        (release / "README.md").write_text("---\nlicense: apache-2.0\ntags: [translation]\n---\n")

        card = import_model(release, models_dir, name="bare")

        assert card.quantization == "int8" and card.licence == "apache-2.0 (from README.md)"
        assert (models_dir / "bare" / "model.bin").is_file()

    def test_known_name_brings_licence_and_attribution(self, marian_release, models_dir):
        known = KNOWN_MODELS["opus-mt-ar-en"]

        card = import_model(marian_release, models_dir, known=known)

        assert card.name == "opus-mt-ar-en"
        assert card.licence == known.licence and card.attribution == list(known.attribution)
        assert card.origin == known.url


class TestCTranslate2Folder:
    def test_folder_without_card_keeps_its_weights(self, tiny_model_dir, tmp_path, models_dir):
        foreign = copy_tree(tiny_model_dir, tmp_path / "foreign")
        (foreign / "model_card.json").unlink()

        card = import_model(foreign, models_dir, name="copied")

        model_dir = models_dir / "copied"
        assert sha256_file(model_dir / "model.bin") == sha256_file(foreign / "model.bin")
        assert card.sha256["model.bin"] == sha256_file(model_dir / "model.bin")
        assert card.quantization == "int8"
        assert card.origin == str(foreign.resolve())
        assert card.source_suffix == ["</s>"]
        translator = Translator(model_dir, TranslatorOptions(device="cpu"))
        assert translator.translate(ARABIC_SENTENCES[:1])[0].text

    def test_quantisation_is_recorded_not_changed(self, tmp_path, models_dir):
        foreign = build_random_model(tmp_path / "fp16", sample_lines(100), quantization="float16")
        (foreign / "model_card.json").unlink()

        card = import_model(foreign, models_dir, name="fp16")

        assert card.quantization == "float16"
        assert saved_quantization(models_dir / "fp16" / "model.bin") == "float16"

    def test_foreign_card_supplies_tokenizer_names_and_tokens(
        self, tiny_model_dir, tmp_path, models_dir
    ):
        foreign = copy_tree(tiny_model_dir, tmp_path / "renamed")
        (foreign / "source.spm").rename(foreign / "spm.model")
        (foreign / "target.spm").unlink()
        ModelCard(
            name="someone-elses",
            tokenizer={"source": "spm.model", "target": "spm.model"},
            source_suffix=["</s>"],
            licence="CC0",
            origin="https://example.org/model",
        ).save(foreign)

        card = import_model(foreign, models_dir, name="mine")

        assert card.name == "mine"
        assert card.tokenizer == {"source": "spm.model", "target": "spm.model"}
        assert card.licence == "CC0" and card.origin == "https://example.org/model"
        assert (models_dir / "mine" / "spm.model").is_file()

    def test_engine_added_eos_moves_into_the_card(self, tiny_model_dir, tmp_path, models_dir):
        foreign = copy_tree(tiny_model_dir, tmp_path / "engine-eos")
        (foreign / "model_card.json").unlink()
        config = json.loads((foreign / "config.json").read_text())
        (foreign / "config.json").write_text(json.dumps(config | {"add_source_eos": True}))

        card = import_model(foreign, models_dir, name="engine-eos")

        assert card.source_suffix == ["</s>"]
        assert (
            json.loads((models_dir / "engine-eos" / "config.json").read_text())["add_source_eos"]
            is False
        )


class TestErrors:
    def test_missing_path(self, tmp_path, models_dir):
        with pytest.raises(ModelSourceNotFoundError, match="does not exist"):
            import_model(tmp_path / "nowhere", models_dir)

    def test_folder_that_is_not_a_model(self, tmp_path, models_dir):
        (tmp_path / "notes").mkdir()
        (tmp_path / "notes" / "readme.txt").write_text("hello")

        with pytest.raises(UnknownModelFormatError, match="no model in a supported format"):
            import_model(tmp_path / "notes", models_dir)

    def test_file_that_is_not_a_zip(self, tmp_path, models_dir):
        (tmp_path / "model.tar").write_bytes(b"not an archive")

        with pytest.raises(UnknownModelFormatError, match="neither a folder nor a zip"):
            import_model(tmp_path / "model.tar", models_dir)

    def test_marian_release_without_target_tokenizer(self, marian_release, tmp_path, models_dir):
        broken = copy_tree(marian_release, tmp_path / "broken")
        (broken / "target.spm").unlink()

        with pytest.raises(IncompleteModelError, match=r"missing target\.spm"):
            import_model(broken, models_dir)
        assert not (models_dir / "broken").exists()

    def test_decoder_yml_naming_a_missing_npz(self, marian_release, tmp_path, models_dir):
        broken = copy_tree(marian_release, tmp_path / "no-weights")
        (broken / NPZ_NAME).rename(broken / "other.npz")

        with pytest.raises(IncompleteModelError, match=NPZ_NAME.replace(".", r"\.")):
            import_model(broken, models_dir)

    def test_two_vocabularies_without_decoder_yml(self, marian_release, tmp_path, models_dir):
        broken = copy_tree(marian_release, tmp_path / "two-vocabs")
        (broken / "decoder.yml").unlink()
        shutil.copyfile(broken / VOCAB_NAME, broken / "other.vocab.yml")

        with pytest.raises(IncompleteModelError, match=r"add the release's decoder\.yml"):
            import_model(broken, models_dir)

    def test_ctranslate2_folder_without_tokenizer(self, tiny_model_dir, tmp_path, models_dir):
        foreign = copy_tree(tiny_model_dir, tmp_path / "no-spm")
        for name in ("model_card.json", "source.spm", "target.spm"):
            (foreign / name).unlink()

        with pytest.raises(IncompleteModelError, match="no sentencepiece tokenizer"):
            import_model(foreign, models_dir)

    def test_tokenizer_of_another_model_is_refused(self, marian_release, tmp_path, models_dir):
        mixed = copy_tree(marian_release, tmp_path / "mixed")
        greek = ["Ο υπουργός είπε ότι η συνάντηση θα γίνει τη Δευτέρα.", "Οι τιμές αυξήθηκαν."]
        build_tokenizer(greek * 50, mixed / "source.spm", vocab_size=60)

        with pytest.raises(ConversionError, match="tokenizer does not belong"):
            import_model(mixed, models_dir)
        assert not (models_dir / "mixed").exists()
        assert_no_staging_left(models_dir)

    def test_existing_name_needs_force(self, marian_release, tiny_model_dir, models_dir):
        import_model(marian_release, models_dir, name="taken")
        before = sha256_file(models_dir / "taken" / "model.bin")

        with pytest.raises(ModelExistsError, match="--force"):
            import_model(tiny_model_dir, models_dir, name="taken")
        assert sha256_file(models_dir / "taken" / "model.bin") == before

        card = import_model(tiny_model_dir, models_dir, name="taken", force=True)
        assert card.sha256["model.bin"] == sha256_file(tiny_model_dir / "model.bin") != before
        assert_no_staging_left(models_dir)

    @pytest.mark.parametrize("name", ["../escape", "", "a/b", ".hidden"])
    def test_unusable_names(self, marian_release, models_dir, name):
        with pytest.raises(ModelSourceError, match="not a usable model name"):
            import_model(marian_release, models_dir, name=name)


def write_hf_folder(folder: Path, model_type: str, tokenizers: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"model_type": model_type}))
    (folder / "pytorch_model.bin").write_bytes(b"weights")
    for name in ("source.spm", "target.spm"):
        shutil.copyfile(tokenizers / name, folder / name)
    return folder


class TestTransformersFolder:
    def test_unsupported_model_type(self, marian_release, tmp_path, models_dir):
        folder = write_hf_folder(tmp_path / "bert", "bert", marian_release)

        with pytest.raises(UnknownModelFormatError, match="'bert' is not a supported"):
            import_model(folder, models_dir)

    def test_needs_the_convert_extra(self, marian_release, tmp_path, models_dir):
        if all(_importable(m) for m in ("transformers", "torch")):
            pytest.skip("transformers and torch are installed")
        folder = write_hf_folder(tmp_path / "hf-marian", "marian", marian_release)

        with pytest.raises(MissingExtraError, match=r"pip install 'tarjama\[convert\]'"):
            import_model(folder, models_dir)

    # The converter loads the tokenizer with transformers, which warns about optional packages.
    @pytest.mark.filterwarnings("ignore::UserWarning:transformers.*")
    def test_converts_a_tiny_hf_marian(self, tmp_path, models_dir):
        pytest.importorskip("transformers", reason="the convert extra is not installed")
        pytest.importorskip("torch", reason="the convert extra is not installed")
        folder = build_hf_marian(tmp_path / "hf-marian")

        card = import_model(folder, models_dir, name="hf-marian")

        assert card.quantization == "int8" and card.source_suffix == ["</s>"]
        assert card.extra["conversion"]["source_format"] == "transformers"
        translator = Translator(models_dir / "hf-marian", TranslatorOptions(device="cpu"))
        translations = translator.translate(ARABIC_SENTENCES)
        assert len(translations) == len(ARABIC_SENTENCES)
        assert all(0.0 < t.confidence <= 1.0 for t in translations)

    @pytest.mark.filterwarnings("ignore::UserWarning:transformers.*")
    def test_converts_a_tiny_nllb_with_language_tokens(self, tmp_path, models_dir):
        pytest.importorskip("transformers", reason="the convert extra is not installed")
        pytest.importorskip("torch", reason="the convert extra is not installed")
        folder = build_hf_nllb(tmp_path / "hf-nllb")

        card = import_model(folder, models_dir, name="hf-nllb")

        assert card.source_prefix == ["arb_Arab"] and card.target_prefix == ["eng_Latn"]
        assert card.source_suffix == ["</s>"]
        assert card.tokenizer == {
            "source": "sentencepiece.bpe.model",
            "target": "sentencepiece.bpe.model",
        }
        translator = Translator(models_dir / "hf-nllb", TranslatorOptions(device="cpu"))
        assert len(translator.translate(ARABIC_SENTENCES)) == len(ARABIC_SENTENCES)


def _importable(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None
