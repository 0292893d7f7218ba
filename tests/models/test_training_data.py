"""The training recipe's data handling: split, sampling weights, manifest, dev kept out."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from models.training import data
from models.training.ct2_weights import read_variables


def write_pair(folder: Path, stem: str, pairs: list[tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.ar").write_text("".join(f"{a}\n" for a, _ in pairs), encoding="utf-8")
    (folder / f"{stem}.en").write_text("".join(f"{e}\n" for _, e in pairs), encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    train, dev = tmp_path / "train", tmp_path / "dev"
    write_pair(dev, data.DEV_CORPUS, [("جملة التطوير", "dev sentence"), ("اخرى", "another")])
    write_pair(
        train, "tico19-test", [("جملة التطوير", "leaked"), ("أ", "a"), ("ب", "another"), ("ج", "c")]
    )
    english = [f"sentence {i}" for i in range(200)]
    write_pair(train, "nllb-seed-arz", [(f"مصري {i}", e) for i, e in enumerate(english)])
    write_pair(train, "nllb-seed-ary", [(f"مغربي {i}", e) for i, e in enumerate(english)])
    return tmp_path


def test_training_pairs_sharing_a_side_with_dev_are_dropped(data_dir):
    pairs = data.read_training_pairs(data_dir, ("tico19-test",))
    assert [(p.source, p.target) for p in pairs] == [("أ", "a"), ("ج", "c")]


def test_nllb_sets_hold_out_the_same_english_sentences(data_dir):
    pairs = data.read_training_pairs(data_dir, ("nllb-seed-arz", "nllb-seed-ary"))
    train, heldout = data.split_heldout(pairs, fraction=0.1)
    held = {
        c: {p.target for p in heldout if p.corpus == c} for c in ("nllb-seed-arz", "nllb-seed-ary")
    }
    assert len(held["nllb-seed-arz"]) == 20
    assert held["nllb-seed-arz"] == held["nllb-seed-ary"]
    assert not held["nllb-seed-arz"] & {p.target for p in train}


def test_heldout_share_is_capped_per_corpus():
    pairs = [data.Pair(f"س {i}", f"e {i}", "bible-svd-kjv") for i in range(10_000)]
    _, heldout = data.split_heldout(pairs)
    assert len(heldout) == data.HELDOUT_MAX_PAIRS


def test_an_epoch_samples_each_corpus_by_its_weight():
    by_corpus = {"a": list(range(100)), "b": list(range(100, 300)), "c": [300, 301]}
    epoch = data.sample_epoch(by_corpus, {"a": 2.0, "b": 0.25, "c": 0.0}, random.Random(1))
    assert sorted(i for i in epoch if i < 100) == sorted(list(range(100)) * 2)
    from_b = [i for i in epoch if 100 <= i < 300]
    assert len(from_b) == 50 and len(set(from_b)) == 50
    assert not [i for i in epoch if i >= 300]


def test_manifest_lists_files_hashes_lines_and_weights(data_dir):
    rows = data.manifest(data_dir, {"tico19-test": 3.0})
    by_file = {row["file"]: row for row in rows}
    assert set(by_file) == {
        "train/tico19-test.ar",
        "train/tico19-test.en",
        f"dev/{data.DEV_CORPUS}.ar",
        f"dev/{data.DEV_CORPUS}.en",
    }
    row = by_file["train/tico19-test.en"]
    content = (data_dir / "train" / "tico19-test.en").read_bytes()
    assert row["sha256"] == hashlib.sha256(content).hexdigest()
    assert row["lines"] == 4 and row["weight"] == 3.0
    assert by_file[f"dev/{data.DEV_CORPUS}.ar"]["weight"] == 0.0


def test_ctranslate2_weights_are_read_back_with_their_scales(tiny_model_dir):
    variables = read_variables(tiny_model_dir / "model.bin")
    embeddings = variables["decoder/embeddings/weight"]
    assert embeddings.ndim == 2
    if embeddings.dtype.kind == "i":
        assert variables["decoder/embeddings/weight_scale"].shape == (embeddings.shape[0],)
    assert variables["decoder/projection/weight"].shape == embeddings.shape


def test_each_ablation_arm_adds_one_source_to_the_first_models_corpora():
    from models.training import ablation

    control = ablation.arm_weights(ablation.ARMS["control"])
    assert {k for k, v in control.items() if v} == set(ablation.BASE_CORPORA)
    for name, sources in ablation.ARMS.items():
        weights = ablation.arm_weights(sources)
        assert set(weights) == set(data.TRAIN_CORPORA)
        added = {k for k, v in weights.items() if v} - set(ablation.BASE_CORPORA)
        assert added == set(sources), name
        assert all(weights[s] == data.CORPUS_WEIGHTS[s] for s in sources)
    assert data.DEV_CORPUS not in control  # never an arm's training data


def test_the_ablation_table_credits_each_arm_only_its_gain_over_the_control():
    from models.training import ablation

    rows = ablation.table(
        {"control": {"chrf": 27.0, "bleu": 3.0}, "+tico19-test": {"chrf": 29.5, "bleu": 4.25}}
    )
    assert rows[2] == "| control | 27.00 | 3.00 | +0.00 | +0.00 |"
    assert rows[3] == "| +tico19-test | 29.50 | 4.25 | +2.50 | +1.25 |"
