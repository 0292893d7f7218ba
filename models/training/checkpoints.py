"""Keeping recent checkpoints in memory, averaging them, and the state for `--resume`."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import asdict
from pathlib import Path

import torch

StateDict = dict[str, torch.Tensor]


def snapshot(model: torch.nn.Module) -> StateDict:
    """A detached copy of the model's weights."""
    return {name: tensor.detach().clone() for name, tensor in model.state_dict().items()}


class RecentCheckpoints:
    """The last `size` snapshots, for averaging at the end of training."""

    def __init__(self, size: int) -> None:
        self._states: deque[StateDict] = deque(maxlen=size)

    def add(self, state: StateDict) -> None:
        """Remember a snapshot, forgetting the oldest one when full."""
        self._states.append(state)

    def states(self) -> list[StateDict]:
        """The kept snapshots, oldest first."""
        return list(self._states)

    def __len__(self) -> int:
        return len(self._states)

    def average(self) -> StateDict:
        """Element-wise mean of the kept snapshots (integer buffers taken from the last)."""
        last = self._states[-1]
        averaged: StateDict = {}
        for name, tensor in last.items():
            if tensor.is_floating_point():
                averaged[name] = torch.stack([s[name] for s in self._states]).mean(dim=0)
            else:
                averaged[name] = tensor.clone()
        return averaged


def save_training_state(
    path: Path,
    model,
    optimizer,
    scheduler,
    recent: RecentCheckpoints,
    best: dict,
    rng: random.Random,
    progress,
) -> None:
    """Everything `--resume` needs, written to a temporary file and then renamed."""
    state = {
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "recent": recent.states(),
        "best": best.get("state"),
        "rng": rng.getstate(),
        "torch_rng": torch.get_rng_state(),
        "progress": asdict(progress),
    }
    partial = path.with_suffix(".partial")
    torch.save(state, partial)
    partial.replace(path)


def load_training_state(
    path: Path,
    model,
    optimizer,
    scheduler,
    recent: RecentCheckpoints,
    best: dict,
    rng: random.Random,
):
    """Restore what `save_training_state` wrote; returns the saved progress."""
    from models.training.train import Progress

    if not path.is_file():
        raise FileNotFoundError(f"--resume: no checkpoint at {path}")
    state = torch.load(path, weights_only=False)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    for snapshot_state in state["recent"]:
        recent.add(snapshot_state)
    if state["best"] is not None:
        best["state"] = state["best"]
    rng.setstate(state["rng"])
    torch.set_rng_state(state["torch_rng"])
    return Progress(**state["progress"])
