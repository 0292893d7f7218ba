"""Training code for the small Arabic-to-English demo model (`models/ar-en-small`).

Training-only dependencies (torch, transformers, sentencepiece, ctranslate2, sacrebleu);
nothing here is imported by the service at run time. Entry points, run from the repo root:

    python -m models.training.train --out models/ar-en-small
    python -m models.training.evaluate models/ar-en-small

The parallel data is read from `--data-dir`, by default `../shared/data/parallel`
relative to the repository root.
"""
