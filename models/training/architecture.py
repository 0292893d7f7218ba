"""The tiny MarianMT configuration: small enough to train on two CPU cores."""

from __future__ import annotations

import torch
from transformers import MarianConfig, MarianMTModel

from models.training.vocab import EOS_ID

D_MODEL = 256
ENCODER_LAYERS = 4
DECODER_LAYERS = 3
ATTENTION_HEADS = 4
FFN_DIM = 1024
# Small-data settings (Sennrich & Zhang 2019; Araabi & Monz 2020): heavy dropout helps
# more than any other regulariser at this data size.
DROPOUT = 0.3
ATTENTION_DROPOUT = 0.1
ACTIVATION_DROPOUT = 0.1
MAX_POSITIONS_TOKENS = 256


def build_config(vocab_size: int) -> MarianConfig:
    """A Marian config with shared, tied embeddings and `<pad>` as the last id."""
    pad_id = vocab_size - 1
    return MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=D_MODEL,
        encoder_layers=ENCODER_LAYERS,
        decoder_layers=DECODER_LAYERS,
        encoder_attention_heads=ATTENTION_HEADS,
        decoder_attention_heads=ATTENTION_HEADS,
        encoder_ffn_dim=FFN_DIM,
        decoder_ffn_dim=FFN_DIM,
        activation_function="swish",
        dropout=DROPOUT,
        attention_dropout=ATTENTION_DROPOUT,
        activation_dropout=ACTIVATION_DROPOUT,
        max_position_embeddings=MAX_POSITIONS_TOKENS,
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        tie_word_embeddings=True,
        pad_token_id=pad_id,
        eos_token_id=EOS_ID,
        decoder_start_token_id=pad_id,
        forced_eos_token_id=EOS_ID,
        bad_words_ids=[[pad_id]],
        num_beams=4,
        max_length=MAX_POSITIONS_TOKENS,
    )


def build_model(vocab_size: int) -> MarianMTModel:
    """A freshly initialised model; the `<pad>` row starts (and must stay) zero."""
    model = MarianMTModel(build_config(vocab_size))
    zero_pad_embedding(model)
    return model


def zero_pad_embedding(model: MarianMTModel) -> None:
    """Zero the `<pad>` embedding row.

    The decoder starts from `<pad>`, and CTranslate2 replaces that with a zero vector,
    so the row must be zero for both to agree. The tied output layer would otherwise
    move it during training.
    """
    with torch.no_grad():
        model.get_input_embeddings().weight[model.config.pad_token_id].zero_()


def freeze_positions(model: MarianMTModel) -> MarianMTModel:
    """Keep the sinusoidal position tables fixed (loading a saved model unfreezes them)."""
    for stack in (model.model.encoder, model.model.decoder):
        stack.embed_positions.weight.requires_grad_(False)
    return model


def count_parameters(model: MarianMTModel) -> int:
    """Trainable parameters, counting tied weights once."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
