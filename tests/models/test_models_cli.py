"""`tarjama models ...` through typer's test runner, with the models folder in a temp dir."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from cli.model_commands import DEFAULT_EVAL_REF, DEFAULT_EVAL_SRC, app
from service.config import get_settings
from tests.conftest import REPO_DIR
from tests.models.builders import build_marian_release

runner = CliRunner()


@pytest.fixture
def models_dir(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    monkeypatch.setenv("TARJAMA_MODELS_DIR", str(folder))
    monkeypatch.setenv("TARJAMA_MODEL", "opus")
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return build_marian_release(tmp_path_factory.mktemp("cli") / "release")


def run(*args: str):
    return runner.invoke(app, list(args))


def test_import_then_list_marks_the_default(models_dir, release, tiny_model_dir):
    result = run("import", str(release), "--name", "opus")
    assert result.exit_code == 0, result.output
    assert "Installed" in result.output and "TARJAMA_MODEL=opus" in result.output
    assert run("import", str(tiny_model_dir), "--name", "tiny").exit_code == 0

    listing = run("list")

    assert listing.exit_code == 0, listing.output
    rows = {
        line.split("│")[2].strip(): line
        for line in listing.output.splitlines()
        if line.count("│") > 3 and line.split("│")[2].strip() in ("opus", "tiny")
    }
    assert set(rows) == {"opus", "tiny"}
    assert "*" in rows["opus"].split("│")[1] and "*" not in rows["tiny"].split("│")[1]
    assert "int8" in rows["opus"]
    assert "opus-mt-ar-en" in listing.output  # known models not yet installed


def test_import_errors_are_one_line_messages(models_dir, release, tmp_path):
    assert run("import", str(release), "--name", "opus").exit_code == 0

    again = run("import", str(release), "--name", "opus")
    missing = run("import", str(tmp_path / "nowhere"))

    for result, message in ((again, "--force"), (missing, "does not exist")):
        assert result.exit_code == 1
        [line] = result.output.strip().splitlines()  # one line, whatever the path's length
        assert message in line and "Traceback" not in result.output
    assert run("import", str(release), "--name", "opus", "--force").exit_code == 0


def test_list_reports_a_broken_model_and_a_missing_default(models_dir, tiny_model_dir):
    shutil.copytree(tiny_model_dir, models_dir / "broken")
    (models_dir / "broken" / "model_card.json").unlink()

    result = run("list")

    assert result.exit_code == 0
    assert "broken" in result.output and "no model_card.json" in result.output
    assert "'opus' is not installed" in result.output


def test_install_unknown_name(models_dir):
    result = run("install", "no-such-model")

    assert result.exit_code == 1 and "known models: opus-mt-ar-en" in result.output


def test_install_names_the_missing_extra_before_downloading(models_dir):
    from importlib.util import find_spec

    if find_spec("transformers") and find_spec("torch"):
        pytest.skip("transformers and torch are installed")

    result = run("install", "nllb-200-distilled-600M")

    assert result.exit_code == 1
    assert "pip install 'tarjama[convert]'" in " ".join(result.output.split())
    assert "Downloading" not in result.output and not models_dir.exists()


def test_eval_prints_engine_and_pipeline_scores(models_dir, tiny_model_dir, tmp_path):
    (tmp_path / "s.ar").write_text(
        "قال الوزير إن الاجتماع سيعقد. وأضاف أن القرار نهائي.\nارتفعت الأسعار.\n"
    )
    (tmp_path / "s.en").write_text("The minister said the meeting will be held.\nPrices rose.\n")

    result = run(
        "eval",
        "--src",
        str(tmp_path / "s.ar"),
        "--ref",
        str(tmp_path / "s.en"),
        "--model",
        str(tiny_model_dir),
        "--limit",
        "2",
    )

    assert result.exit_code == 0, result.output
    for text in ("BLEU", "chrF", "engine", "pipeline", "random-tiny", "1 of 2 lines were split"):
        assert text in result.output


def test_eval_defaults_to_the_set_shipped_in_the_repository(models_dir, tiny_model_dir):
    """A clean clone has everything `tarjama models eval --model NAME` needs."""
    assert DEFAULT_EVAL_SRC.is_relative_to(REPO_DIR) and DEFAULT_EVAL_REF.is_relative_to(REPO_DIR)
    licence = (REPO_DIR / "samples" / "README.md").read_text(encoding="utf-8")
    assert "eval/tico19-dev" in licence and "CC0" in licence
    result = run("eval", "--model", str(tiny_model_dir), "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "tico19-dev" in result.output and "BLEU" in result.output
    one = run("eval", "--model", str(tiny_model_dir), "--src", str(DEFAULT_EVAL_SRC))
    assert one.exit_code == 1 and "give both --src and --ref, or neither" in one.output


def test_eval_errors(models_dir, tiny_model_dir, tmp_path):
    (tmp_path / "s.ar").write_text("سطر واحد.\nسطر آخر.\n")
    (tmp_path / "s.en").write_text("One line.\n")

    misaligned = run(
        "eval",
        "--src",
        str(tmp_path / "s.ar"),
        "--ref",
        str(tmp_path / "s.en"),
        "--model",
        str(tiny_model_dir),
    )
    no_model = run(
        "eval",
        "--src",
        str(tmp_path / "s.ar"),
        "--ref",
        str(tmp_path / "s.ar"),
        "--model",
        "not-installed",
    )

    assert misaligned.exit_code == 1 and "not aligned" in misaligned.output
    assert no_model.exit_code == 1 and "no model 'not-installed'" in no_model.output
