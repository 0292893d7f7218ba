"""Score a converted CTranslate2 model and check that what it writes is English.

    python -m models.training.evaluate models/ar-en-small

Translates the held-out split of the training data (re-made with the same seed) and
the TICO-19 dev set with the int8 model, the way the service will run it, and prints
BLEU, chrF and a script check per set.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from models.training import data

SOURCE_SUFFIX = ["</s>"]
BEAM_SIZE = 4
MAX_BATCH_SENTENCES = 32
MAX_DECODING_TOKENS = 256
ARABIC_CHARS = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
MIN_ASCII_LETTER_SHARE = 0.98
SAMPLE_COUNT = 3


class ModelTranslator:
    """The int8 CTranslate2 model plus its SentencePiece model, as the service uses them."""

    def __init__(self, model_dir: Path) -> None:
        import ctranslate2
        import sentencepiece as spm

        self._translator = ctranslate2.Translator(str(model_dir), device="cpu", compute_type="int8")
        self._source = spm.SentencePieceProcessor(model_file=str(Path(model_dir) / "source.spm"))
        self._target = spm.SentencePieceProcessor(model_file=str(Path(model_dir) / "target.spm"))

    def translate(self, texts: list[str]) -> list[str]:
        """Translate sentences; `</s>` is appended to each source, as Marian was trained."""
        pieces = [self._source.encode(t, out_type=str) + SOURCE_SUFFIX for t in texts]
        results = self._translator.translate_batch(
            pieces,
            beam_size=BEAM_SIZE,
            max_batch_size=MAX_BATCH_SENTENCES,
            max_decoding_length=MAX_DECODING_TOKENS,
        )
        return [self._target.decode(r.hypotheses[0]) for r in results]


def english_check(outputs: list[str]) -> dict:
    """Share of ASCII among letters and number of outputs containing Arabic script."""
    letters = [c for text in outputs for c in text if c.isalpha()]
    ascii_letters = sum(1 for c in letters if c.isascii())
    share = ascii_letters / len(letters) if letters else 0.0
    with_arabic = sum(1 for text in outputs if ARABIC_CHARS.search(text))
    return {
        "ascii_letter_share": round(share, 4),
        "outputs_with_arabic": with_arabic,
        "empty_outputs": sum(1 for text in outputs if not text.strip()),
        "passed": share >= MIN_ASCII_LETTER_SHARE and with_arabic == 0,
    }


def score(hypotheses: list[str], references: list[str]) -> dict:
    """Corpus BLEU and chrF (sacrebleu defaults) of detokenised output."""
    import sacrebleu

    bleu = sacrebleu.corpus_bleu(hypotheses, [references])
    chrf = sacrebleu.corpus_chrf(hypotheses, [references])
    return {
        "bleu": round(bleu.score, 2),
        "chrf": round(chrf.score, 2),
        "sentences": len(hypotheses),
    }


def score_sets(translator: ModelTranslator, sets: dict[str, list[data.Pair]]) -> dict:
    """Scores, script check and a few samples for each named set of pairs."""
    return {
        name: score_outputs(pairs, translator.translate([p.source for p in pairs]))
        for name, pairs in sets.items()
    }


def score_outputs(pairs: list[data.Pair], outputs: list[str]) -> dict:
    """Scores, script check and a few samples of one set's translations."""
    return {
        **score(outputs, [p.target for p in pairs]),
        "english": english_check(outputs),
        "samples": [
            {"source": p.source, "reference": p.target, "output": o}
            for p, o in list(zip(pairs, outputs, strict=True))[:SAMPLE_COUNT]
        ],
    }


def score_model(model_dir: Path, heldout: list[data.Pair], dev: list[data.Pair]) -> dict:
    """Held-out (whole and per corpus) and TICO-19 dev results for a converted model.

    The held-out split is translated once and scored as a whole and per corpus.
    """
    translator = ModelTranslator(model_dir)
    outputs = translator.translate([p.source for p in heldout])
    report = {"heldout": score_outputs(heldout, outputs)} if heldout else {}
    for corpus in data.TRAIN_CORPORA:
        rows = [(p, o) for p, o in zip(heldout, outputs, strict=True) if p.corpus == corpus]
        if rows:
            report[f"heldout:{corpus}"] = score_outputs([p for p, _ in rows], [o for _, o in rows])
    report.update(score_sets(translator, {data.DEV_CORPUS: dev}))
    print_table(report)
    return report


def print_table(report: dict) -> None:
    """A plain-text table of the scores and the English check."""
    print(
        f"{'set':<22}{'sentences':>10}{'BLEU':>8}{'chrF':>8}{'ASCII letters':>15}"
        f"{'with Arabic':>13}  English?"
    )
    for name, row in report.items():
        english = row["english"]
        print(
            f"{name:<22}{row['sentences']:>10}{row['bleu']:>8.2f}{row['chrf']:>8.2f}"
            f"{english['ascii_letter_share']:>15.2%}{english['outputs_with_arabic']:>13}"
            f"  {'yes' if english['passed'] else 'NO'}"
        )


def main(argv: list[str] | None = None) -> None:
    """Score a model directory from the command line and show sample translations."""
    parser = argparse.ArgumentParser(description="Score a CTranslate2 ar-en model")
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--data-dir", type=Path, default=data.DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    _, heldout = data.split_heldout(data.read_training_pairs(args.data_dir))
    report = score_model(args.model_dir, heldout, data.read_dev_pairs(args.data_dir))
    for name in [*(f"heldout:{c}" for c in data.TRAIN_CORPORA), data.DEV_CORPUS]:
        for sample in report.get(name, {}).get("samples", []):
            print(
                f"\n[{name}]\n  ar:  {sample['source']}\n  ref: {sample['reference']}"
                f"\n  out: {sample['output']}"
            )


if __name__ == "__main__":
    main()
