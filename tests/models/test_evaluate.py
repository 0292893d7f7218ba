"""Scoring with sacrebleu, reading parallel files, and the pipeline's re-segmentation."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from cli.model_commands import SegmentedTranslate
from models.errors import EvaluationError
from models.options import TranslatorOptions
from models.quality import evaluate, read_parallel
from models.translator import Translation, Translator

SOURCES = ["قال الوزير إن الاجتماع سيعقد يوم الاثنين. وأضاف أن القرار نهائي.", "ارتفعت الأسعار."]
REFERENCES = [
    "The minister said the meeting would be held on Monday. He added the decision is final.",
    "Prices rose.",
]


def write_pair(tmp_path, sources, references):
    (tmp_path / "set.ar").write_text("\n".join(sources) + "\n", encoding="utf-8")
    (tmp_path / "set.en").write_text("\n".join(references) + "\n", encoding="utf-8")
    return tmp_path / "set.ar", tmp_path / "set.en"


def echo_references(lines: Sequence[str]) -> list[Translation]:
    """A 'translator' that knows the answers: scores must then be perfect."""
    return [Translation(REFERENCES[SOURCES.index(line)], 0.5) for line in lines]


def test_perfect_translations_score_100(tmp_path):
    data = read_parallel(*write_pair(tmp_path, SOURCES, REFERENCES))

    score = evaluate(echo_references, data, "oracle")

    assert score.bleu == pytest.approx(100.0) and score.chrf == pytest.approx(100.0)
    assert score.segments == 2 and score.mean_confidence == 0.5
    assert "nrefs:1" in score.signature and "tok:13a" in score.signature


def test_read_parallel_skips_empty_sources_and_limits(tmp_path):
    src, ref = write_pair(
        tmp_path, [SOURCES[0], "", SOURCES[1]], [REFERENCES[0], "x", REFERENCES[1]]
    )

    assert read_parallel(src, ref).sources == SOURCES
    assert read_parallel(src, ref, limit=1).references == REFERENCES[:1]


def test_read_parallel_errors(tmp_path):
    src, ref = write_pair(tmp_path, SOURCES, REFERENCES[:1])
    with pytest.raises(EvaluationError, match="not aligned"):
        read_parallel(src, ref)
    with pytest.raises(EvaluationError, match="does not exist"):
        read_parallel(tmp_path / "missing.ar", ref)


def test_pipeline_splits_lines_into_sentences_and_rejoins():
    seen: list[str] = []

    def identity(sentences: Sequence[str]) -> list[Translation]:
        seen.extend(sentences)
        return [Translation(s, 1.0) for s in sentences]

    segmented = SegmentedTranslate(identity)
    out = segmented(SOURCES)

    assert seen == [
        "قال الوزير إن الاجتماع سيعقد يوم الاثنين.",
        "وأضاف أن القرار نهائي.",
        "ارتفعت الأسعار.",
    ]
    assert [t.text for t in out] == SOURCES
    assert segmented.sentences == 3 and segmented.split_lines == 1


def test_engine_and_pipeline_on_a_real_model(tiny_model_dir, tmp_path):
    data = read_parallel(*write_pair(tmp_path, SOURCES, REFERENCES))
    options = TranslatorOptions(device="cpu", intra_threads=1, beam_size=1)
    translator = Translator(tiny_model_dir, options)

    engine = evaluate(translator.translate, data, "engine")
    pipeline = evaluate(SegmentedTranslate(translator.translate), data, "pipeline")

    for score in (engine, pipeline):
        assert 0.0 <= score.bleu <= 100.0 and 0.0 <= score.chrf <= 100.0
        assert score.segments == 2 and 0.0 < score.mean_confidence <= 1.0
