"""Batch completion events, delivered to the batch's callback URL."""

from __future__ import annotations


async def on_batch_progress(ctx: dict, batch_id: str) -> None:
    """Called after each article of a batch finishes."""
