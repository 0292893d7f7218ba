"""Train the small Arabic-to-English Marian model, then convert, evaluate and card it.

    python -m models.training.train --out models/ar-en-small

Steps: seeded held-out split -> shared SentencePiece vocabulary -> MarianMT training
(corpus sampling weights, SentencePiece sampling, label smoothing, dropout, inverse-sqrt
schedule, token batches, early stopping on TICO-19 dev loss) -> checkpoint averaging ->
CTranslate2 int8 -> scores -> model card with the data manifest.

Training saves `checkpoint.pt` in `--work-dir` at every evaluation; `--resume` goes on
from it (a fresh epoch, the same schedule, the same best and recent checkpoints).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shlex
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import sentencepiece as spm
import torch
from transformers import MarianMTModel

from models.training import architecture, checkpoints, data, vocab
from models.training.batches import IGNORE_INDEX, collate
from models.training.checkpoints import RecentCheckpoints, snapshot

SECONDS_PER_MINUTE = 60
CHECKPOINT_NAME = "checkpoint.pt"


@dataclass
class Corpus:
    """Token ids of one side-by-side corpus (sources and targets end in `</s>`)."""

    sources: list[list[int]]
    targets: list[list[int]]

    @property
    def lengths(self) -> list[tuple[int, int]]:
        return [(len(s), len(t)) for s, t in zip(self.sources, self.targets, strict=True)]


@dataclass
class Progress:
    """What the loop has done so far, for logging, early stopping and the card."""

    step: int = 0
    best_loss: float = math.inf
    best_step: int = 0
    evals_since_best: int = 0
    history: list[dict] = field(default_factory=list)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; defaults are the settings the shipped model was trained with."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="CTranslate2 model directory")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=data.DEFAULT_DATA_DIR,
        help="folder with train/ and dev/ (default: ../shared/data/parallel "
        "relative to the repository root)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=Path("/tmp/tarjama-train-ar-en-small"),
        help="scratch folder for the vocabulary and the PyTorch model",
    )
    parser.add_argument("--vocab-size", type=int, default=vocab.VOCAB_SIZE_PIECES)
    parser.add_argument("--max-minutes", type=float, default=90.0, help="training time budget")
    parser.add_argument(
        "--max-steps",
        type=int,
        default=100_000,
        help="steps after --start-step; with --resume, 0 converts, scores "
        "and cards the checkpoint without training further",
    )
    parser.add_argument(
        "--batch-tokens",
        type=int,
        default=2500,
        help="padded tokens per batch (sentences x longest side)",
    )
    parser.add_argument("--lr", type=float, default=1e-3, help="peak learning rate")
    parser.add_argument("--warmup-steps", type=int, default=500)
    parser.add_argument("--label-smoothing", type=float, default=0.2)
    parser.add_argument("--word-dropout", type=float, default=0.1)
    parser.add_argument("--eval-every", type=int, default=200, help="steps between held-out evals")
    parser.add_argument("--patience", type=int, default=8, help="evals without improvement")
    parser.add_argument("--average-last", type=int, default=4, help="checkpoints to average")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="continue training a saved model, keeping its vocabulary: a "
        "Transformers directory (a work-dir's hf/) or a CTranslate2 one "
        "such as models/ar-en-small (its int8 weights are dequantised)",
    )
    parser.add_argument(
        "--start-step",
        type=int,
        default=0,
        help="with --init-from: steps already done, so the schedule goes on",
    )
    parser.add_argument(
        "--weights",
        type=parse_weights,
        default={},
        help="corpus sampling weights per epoch overriding the defaults, "
        "e.g. 'bible-svd-kjv=0,tico19-test=4' (0 leaves a corpus out)",
    )
    parser.add_argument(
        "--spm-alpha",
        type=float,
        default=0.3,
        help="SentencePiece sampling smoothness (0: no subword sampling)",
    )
    parser.add_argument(
        "--spm-sample-target",
        action="store_true",
        help="sample the English segmentation too (by default only the "
        "Arabic: with both sides sampled, a short continued run wrote "
        "broken words such as 'symphes' on TICO-19 dev)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="go on from the work-dir's checkpoint.pt"
    )
    parser.add_argument(
        "--wise-ft",
        type=float,
        default=1.0,
        help="with --init-from: keep this share of the trained weights and the rest of the "
        "initial model's (WiSE-FT, Wortsman et al. 2022: the interpolation keeps what the "
        "initial model knew and what training added); 1 keeps the trained weights",
    )
    parser.add_argument(
        "--heldout-scores",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="score the held-out split too, not only TICO-19 dev (the ablation skips it)",
    )
    return parser.parse_args(argv)


def parse_weights(text: str) -> dict[str, float]:
    """'name=weight,...' as a dict; every name must be a known training corpus."""
    weights = {}
    for item in filter(None, text.split(",")):
        name, _, value = item.partition("=")
        if name not in data.CORPUS_WEIGHTS:
            raise argparse.ArgumentTypeError(
                f"unknown corpus {name!r}; known: {', '.join(data.CORPUS_WEIGHTS)}"
            )
        weights[name] = float(value)
    return weights


def log(**fields) -> None:
    """One JSON line per event on stdout, flushed so that `tail -f` follows along."""
    print(json.dumps(fields), flush=True)


def encode(
    processor: spm.SentencePieceProcessor,
    pairs: list[data.Pair],
    alpha: float = 0.0,
    sample_target: bool = False,
) -> Corpus:
    """Encode pairs, appending `</s>` on both sides and dropping over-long pairs.

    With `alpha` > 0 each source sentence (and each target one with `sample_target`) gets
    a sampled segmentation (subword regularisation, Kudo 2018) instead of the best one.
    """
    limit = architecture.MAX_POSITIONS_TOKENS
    sampled = alpha > 0
    encoded_sources = processor.encode(
        [p.source for p in pairs], enable_sampling=sampled, alpha=alpha, nbest_size=-1
    )
    encoded_targets = processor.encode(
        [p.target for p in pairs],
        enable_sampling=sampled and sample_target,
        alpha=alpha,
        nbest_size=-1,
    )
    sources, targets = [], []
    for source, target in zip(encoded_sources, encoded_targets, strict=True):
        source, target = [*source, vocab.EOS_ID], [*target, vocab.EOS_ID]
        if len(source) <= limit and len(target) <= limit:
            sources.append(source)
            targets.append(target)
    return Corpus(sources, targets)


class EpochSampler:
    """Each epoch: the corpora sampled by weight, then freshly segmented."""

    def __init__(
        self,
        processor: spm.SentencePieceProcessor,
        pairs: list[data.Pair],
        weights: dict[str, float],
        alpha: float,
        sample_target: bool = False,
    ) -> None:
        self.processor, self.pairs, self.weights, self.alpha = processor, pairs, weights, alpha
        self.sample_target = sample_target
        self.by_corpus: dict[str, list[int]] = {}
        for index, pair in enumerate(pairs):
            self.by_corpus.setdefault(pair.corpus, []).append(index)

    def epoch(self, rng: random.Random) -> Corpus:
        chosen = data.sample_epoch(self.by_corpus, self.weights, rng)
        return encode(
            self.processor, [self.pairs[i] for i in chosen], self.alpha, self.sample_target
        )


def inverse_sqrt(warmup_steps: int, start_step: int = 0):
    """Linear warm-up to the peak rate, then decay with 1/sqrt(step)."""

    def factor(step: int) -> float:
        step = max(step + start_step, 1)
        return min(step / warmup_steps, math.sqrt(warmup_steps / step))

    return factor


def heldout_loss(model, corpus: Corpus, pad_id: int, batch_tokens: int) -> float:
    """Mean per-token negative log-likelihood (no smoothing) on the held-out split."""
    model.eval()
    total, tokens = 0.0, 0
    with torch.no_grad():
        for batch in data.make_batches(corpus.lengths, batch_tokens, random.Random(0)):
            inputs = collate(
                [corpus.sources[i] for i in batch],
                [corpus.targets[i] for i in batch],
                pad_id,
                vocab.UNK_ID,
            )
            labels = inputs.pop("labels")
            logits = model(**inputs).logits
            total += torch.nn.functional.cross_entropy(
                logits.view(-1, logits.size(-1)),
                labels.view(-1),
                ignore_index=IGNORE_INDEX,
                reduction="sum",
            ).item()
            tokens += int((labels != IGNORE_INDEX).sum())
    model.train()
    return total / tokens


def train_step(model, optimizer, scheduler, inputs, label_smoothing: float) -> float:
    """One update on one batch; returns the smoothed training loss per token."""
    labels = inputs.pop("labels")
    logits = model(**inputs).logits
    loss = torch.nn.functional.cross_entropy(
        logits.view(-1, logits.size(-1)),
        labels.view(-1),
        ignore_index=IGNORE_INDEX,
        label_smoothing=label_smoothing,
    )
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    architecture.zero_pad_embedding(model)
    return loss.item()


def should_stop(args, progress: Progress, started: float) -> str | None:
    """Why training should end now, or None to go on."""
    if progress.step - args.start_step >= args.max_steps:
        return "max_steps"
    if time.monotonic() - started > args.max_minutes * SECONDS_PER_MINUTE:
        return "time_budget"
    if progress.evals_since_best >= args.patience:
        return "early_stopping"
    return None


def evaluate_and_keep(
    model,
    args,
    dev: Corpus,
    progress: Progress,
    recent: RecentCheckpoints,
    best: dict,
    train_loss: float,
    started: float,
):
    """TICO-19 dev loss at an eval point; remember the snapshot and the best one so far."""
    loss = heldout_loss(model, dev, model.config.pad_token_id, args.batch_tokens)
    state = snapshot(model)
    recent.add(state)
    if loss < progress.best_loss:
        progress.best_loss, progress.best_step, progress.evals_since_best = loss, progress.step, 0
        best["state"] = state
    else:
        progress.evals_since_best += 1
    entry = {
        "step": progress.step,
        "train_loss": round(train_loss, 4),
        "dev_loss": round(loss, 4),
        "minutes": round((time.monotonic() - started) / SECONDS_PER_MINUTE, 2),
    }
    progress.history.append(entry)
    log(event="eval", best_step=progress.best_step, **entry)


def run_training(model, args, sampler: EpochSampler, dev: Corpus):
    """The training loop; returns progress, recent snapshots and the best snapshot."""
    rng = random.Random(args.seed)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9, weight_decay=0.0
    )
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, inverse_sqrt(args.warmup_steps, args.start_step)
    )
    progress, recent = Progress(step=args.start_step), RecentCheckpoints(args.average_last)
    best: dict = {}
    checkpoint_path = args.work_dir / CHECKPOINT_NAME
    if args.resume:
        progress = checkpoints.load_training_state(
            checkpoint_path, model, optimizer, scheduler, recent, best, rng
        )
        log(event="resumed", step=progress.step, best_step=progress.best_step)
    started, window = time.monotonic(), []
    # A resumed run may have nothing left to do (`--resume --max-steps 0` only finishes).
    reason = should_stop(args, progress, started)
    model.train()
    while reason is None:
        train = sampler.epoch(rng)
        log(event="epoch", pairs=len(train.sources), step=progress.step)
        for batch in data.make_batches(train.lengths, args.batch_tokens, rng):
            inputs = collate(
                [train.sources[i] for i in batch],
                [train.targets[i] for i in batch],
                model.config.pad_token_id,
                vocab.UNK_ID,
                args.word_dropout,
                rng,
            )
            window.append(train_step(model, optimizer, scheduler, inputs, args.label_smoothing))
            progress.step += 1
            if progress.step % args.eval_every == 0:
                evaluate_and_keep(
                    model, args, dev, progress, recent, best, sum(window) / len(window), started
                )
                window = []
                checkpoints.save_training_state(
                    checkpoint_path, model, optimizer, scheduler, recent, best, rng, progress
                )
            reason = should_stop(args, progress, started)
            if reason:
                break
    log(event="stop", reason=reason, step=progress.step)
    return progress, recent, best.get("state")


def choose_final_weights(model, args, heldout: Corpus, recent: RecentCheckpoints, best_state):
    """Load the better of the averaged recent checkpoints and the single best one.

    `heldout` here is the TICO-19 dev set: the choice is made on its loss.
    """
    pad_id = model.config.pad_token_id
    candidates = {"best": best_state}
    if len(recent) > 1:
        candidates[f"average_last_{len(recent)}"] = recent.average()
    losses = {}
    for name, state in candidates.items():
        model.load_state_dict(state)
        losses[name] = heldout_loss(model, heldout, pad_id, args.batch_tokens)
    chosen = min(losses, key=losses.__getitem__)
    model.load_state_dict(candidates[chosen])
    log(event="final_weights", chosen=chosen, **{k: round(v, 4) for k, v in losses.items()})
    return chosen, losses[chosen]


def prepare(args) -> tuple[list[data.Pair], list[data.Pair], Path, int]:
    """Split the data and build the vocabulary; returns train, held-out, spm model, size."""
    pairs = data.read_training_pairs(args.data_dir)
    train_pairs, heldout_pairs = data.split_heldout(pairs)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    spm_model = args.work_dir / "vocab" / "shared.model"
    if args.resume and spm_model.is_file():
        pass  # the vocabulary the checkpoint was trained with
    elif args.init_from:
        spm_model.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.init_from / "source.spm", spm_model)
    else:
        texts = [p.source for p in train_pairs] + [p.target for p in train_pairs]
        spm_model = vocab.train_vocabulary(texts, args.work_dir / "vocab", args.vocab_size)
    model_vocab_size = vocab.write_marian_vocab(spm_model, args.work_dir / "vocab" / "vocab.json")
    log(event="data", train=len(train_pairs), heldout=len(heldout_pairs), vocab=model_vocab_size)
    return train_pairs, heldout_pairs, spm_model, model_vocab_size


def main(argv: list[str] | None = None) -> None:
    """Train, convert to CTranslate2 int8, score and write the model card."""
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    spm.set_random_generator_seed(args.seed)
    started = time.monotonic()
    weights = {**data.CORPUS_WEIGHTS, **args.weights}
    train_pairs, heldout_pairs, spm_model, model_vocab_size = prepare(args)
    processor = spm.SentencePieceProcessor(model_file=str(spm_model))
    dev_pairs = data.read_dev_pairs(args.data_dir)
    sampler = EpochSampler(processor, train_pairs, weights, args.spm_alpha, args.spm_sample_target)
    dev = encode(processor, dev_pairs)
    if args.init_from:
        model = architecture.freeze_positions(load_initial_model(args.init_from))
    else:
        model = architecture.build_model(model_vocab_size)
    parameters = architecture.count_parameters(model)
    log(event="model", parameters=parameters, train_pairs=len(train_pairs), weights=weights)
    progress, recent, best_state = run_training(model, args, sampler, dev)
    chosen, final_loss = choose_final_weights(model, args, dev, recent, best_state)
    if args.init_from and args.wise_ft < 1:
        interpolate(model, load_initial_model(args.init_from), args.wise_ft)
        chosen = f"{chosen}, interpolated with the initial model at {args.wise_ft:g}"
        final_loss = heldout_loss(model, dev, model.config.pad_token_id, args.batch_tokens)
        log(event="wise_ft", share=args.wise_ft, dev_loss=round(final_loss, 4))
    wall_minutes = (time.monotonic() - started) / SECONDS_PER_MINUTE
    from models.training import convert

    hf_dir = convert.save_transformers(
        model, spm_model, args.work_dir / "vocab" / "vocab.json", args.work_dir / "hf"
    )
    convert.to_ctranslate2(hf_dir, args.out)
    training = {
        "command": "python -m models.training.train " + shlex.join(sys.argv[1:]),
        "wall_time_minutes": round(wall_minutes, 1),
        "steps": progress.step,
        "parameters": parameters,
        "final_weights": chosen,
        "dev_loss": round(final_loss, 4),
        "best_step": progress.best_step,
        "init_from": str(args.init_from) if args.init_from else None,
        "wise_ft": args.wise_ft if args.init_from else None,
        "data": data.manifest(args.data_dir, weights),
    }
    (args.work_dir / "training.json").write_text(
        json.dumps({**training, "history": progress.history}, indent=2)
    )
    # Imported late so that a failure here comes after the trained model is saved.
    from models.training import evaluate, publish

    scores = evaluate.score_model(args.out, heldout_pairs if args.heldout_scores else [], dev_pairs)
    publish.write_card(args.out, scores, training)
    log(event="done", out=str(args.out), **{k: v for k, v in training.items() if k != "data"})


def interpolate(model, initial, share: float) -> None:
    """Set `model`'s weights to `share` of its own plus the rest of `initial`'s (the fixed
    sinusoidal positions, which may have been extended in one of them, stay `model`'s)."""
    start = architecture.freeze_positions(initial).state_dict()
    mixed = {
        name: share * value + (1 - share) * start[name]
        if value.is_floating_point() and start[name].shape == value.shape
        else value
        for name, value in model.state_dict().items()
    }
    model.load_state_dict(mixed)


def load_initial_model(path: Path) -> MarianMTModel:
    """A Transformers Marian directory, or a CTranslate2 one rebuilt as a Marian model."""
    if (
        (Path(path) / "model.bin").is_file()
        and not (Path(path) / "pytorch_model.bin").is_file()
        and not (Path(path) / "model.safetensors").is_file()
    ):
        from models.training import ct2_weights

        return ct2_weights.marian_from_ctranslate2(Path(path))
    return MarianMTModel.from_pretrained(path)


if __name__ == "__main__":
    main()
