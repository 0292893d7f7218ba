"""Keeping recent checkpoints in memory and averaging them."""

from __future__ import annotations

from collections import deque

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
