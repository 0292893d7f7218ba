"""What each training source adds, measured on TICO-19 dev.

    python -m models.training.ablation --base models/ar-en-small --steps 200

Training from scratch once per source does not fit in a CPU session, so the ablation
continues a base model (the first shipped one, trained on Tatoeba and the UN dev set) for
the same number of steps in each arm: a control arm on the base model's own corpora, and
one arm per new source, mixed with those corpora at the recipe's sampling weight. Each
arm's model is converted to int8 and scored on TICO-19 dev like the shipped one; the
table shows each arm against the control, so the steps themselves are not credited to a
source. Arms train one after another, each in its own folder under `--work-dir`.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from models.training import data

# The corpora the first model was trained on: every arm keeps them at weight 1.
BASE_CORPORA = ("tatoeba-anki", "unpc-dev")
# One arm per new source; the two NLLB-Seed dialects translate the same English, so they
# are one source here.
ARMS = {
    "control": (),
    "+unpc-test": ("unpc-test",),
    "+tico19-test": ("tico19-test",),
    "+bible-svd-kjv": ("bible-svd-kjv",),
    "+nllb-seed": ("nllb-seed-arz", "nllb-seed-ary"),
}


def arm_weights(sources: tuple[str, ...]) -> dict[str, float]:
    """Sampling weights of one arm: the base corpora, the arm's sources at the recipe's
    weight, every other corpus left out."""
    weights = dict.fromkeys(data.TRAIN_CORPORA, 0.0)
    weights.update(dict.fromkeys(BASE_CORPORA, 1.0))
    weights.update({s: data.CORPUS_WEIGHTS[s] for s in sources})
    return weights


def train_argv(args: argparse.Namespace, name: str, sources: tuple[str, ...]) -> list[str]:
    """The `models.training.train` command line of one arm."""
    folder = args.work_dir / name.lstrip("+")
    weights = ",".join(f"{k}={v:g}" for k, v in arm_weights(sources).items())
    return [
        "--out",
        str(folder / "model"),
        "--work-dir",
        str(folder / "work"),
        "--data-dir",
        str(args.data_dir),
        "--init-from",
        str(args.base),
        "--max-steps",
        str(args.steps),
        "--eval-every",
        str(args.steps),
        "--lr",
        str(args.lr),
        "--warmup-steps",
        str(args.warmup_steps),
        "--weights",
        weights,
        "--seed",
        str(args.seed),
        "--no-heldout-scores",
    ]


def dev_scores(model_dir: Path) -> dict:
    card = json.loads((model_dir / "model_card.json").read_text())
    return card["scores"][data.DEV_CORPUS]


def table(results: dict[str, dict]) -> list[str]:
    """Markdown rows: each arm's TICO-19 dev chrF and BLEU, and its gain over the control."""
    control = results.get("control")
    lines = [
        "| arm | chrF | BLEU | chrF vs control | BLEU vs control |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in results.items():
        gain_chrf = f"{row['chrf'] - control['chrf']:+.2f}" if control else ""
        gain_bleu = f"{row['bleu'] - control['bleu']:+.2f}" if control else ""
        lines.append(
            f"| {name} | {row['chrf']:.2f} | {row['bleu']:.2f} | {gain_chrf} | {gain_bleu} |"
        )
    return lines


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the model each arm continues")
    parser.add_argument("--steps", type=int, default=200, help="training steps per arm")
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--warmup-steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path, default=data.DEFAULT_DATA_DIR)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/tarjama-ablation"))
    parser.add_argument("--arms", nargs="*", default=list(ARMS), choices=list(ARMS))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    from models.training import train

    results: dict[str, dict] = {}
    for name in args.arms:
        folder = args.work_dir / name.lstrip("+")
        if not (folder / "model" / "model_card.json").is_file():
            train.main(train_argv(args, name, ARMS[name]))
        results[name] = dev_scores(folder / "model")
        print(json.dumps({"event": "arm", "arm": name, **results[name]}), flush=True)
    (args.work_dir / "ablation.json").write_text(json.dumps(results, indent=2))
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
