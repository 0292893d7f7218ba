"""Reading a CTranslate2 Marian model back into a Transformers `MarianMTModel`.

Only the int8 CTranslate2 files of a shipped model may be kept (the float weights stay
outside git), so continuing its training starts from them: the int8 matrices are
dequantised with their per-row scales, the fused attention projections split again.
The result is an initialisation, not a bit-exact copy.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch
    from transformers import MarianMTModel

# How CTranslate2 fuses Marian's attention projections: one matrix per tuple.
SELF_ATTENTION = ("q_proj", "k_proj", "v_proj")
CROSS_ATTENTION = (("q_proj",), ("k_proj", "v_proj"))
DTYPES = (np.float32, np.int8, np.int16, np.int32, np.float16, None)  # None: bfloat16


def read_variables(model_bin: Path) -> dict[str, np.ndarray]:
    """The variables of a CTranslate2 `model.bin` (binary version 5 or 6), aliases resolved."""
    raw = Path(model_bin).read_bytes()
    offset = 0

    def take(fmt: str):
        nonlocal offset
        values = struct.unpack_from(fmt, raw, offset)
        offset += struct.calcsize(fmt)
        return values[0] if len(values) == 1 else values

    def string() -> str:
        nonlocal offset
        length = take("H")
        text = raw[offset : offset + length - 1].decode("utf-8")
        offset += length
        return text

    version = take("I")
    if version < 5:
        raise ValueError(f"{model_bin}: CTranslate2 binary version {version} is not supported")
    string()  # spec name
    take("I")  # spec revision
    variables: dict[str, np.ndarray] = {}
    for _ in range(take("I")):
        name = string()
        rank = take("B")
        shape = [take("I") for _ in range(rank)]
        dtype = DTYPES[take("B")]
        size = take("I")
        if dtype is None:
            bits = np.frombuffer(raw, np.uint16, size // 2, offset).astype(np.uint32) << 16
            array = bits.view(np.float32)
        else:
            array = np.frombuffer(raw, dtype, size // np.dtype(dtype).itemsize, offset)
        variables[name] = array.reshape(shape)
        offset += size
    for _ in range(take("I")):
        alias, target = string(), string()
        variables[alias] = variables[target]
    return variables


def dequantised(variables: dict[str, np.ndarray], name: str) -> torch.Tensor:
    """A float tensor; int8 and int16 weights are divided by their per-row `_scale`."""
    import torch

    array = variables[name]
    if array.dtype in (np.int8, np.int16):
        scale = variables[f"{name}_scale"].astype(np.float32)
        array = array.astype(np.float32) / scale.reshape(-1, *([1] * (array.ndim - 1)))
    return torch.from_numpy(np.array(array, dtype=np.float32))


def marian_from_ctranslate2(model_dir: Path) -> MarianMTModel:
    """A `MarianMTModel` of this package's architecture with the weights of `model_dir`."""
    import torch

    from models.training import architecture

    variables = read_variables(Path(model_dir) / "model.bin")
    pieces = variables["decoder/embeddings/weight"].shape[0]
    model = architecture.build_model(pieces + 1)  # <pad> comes back as the last, zero row
    state = model.state_dict()
    loaded: dict[str, torch.Tensor] = {}

    def put(name: str, tensor: torch.Tensor) -> None:
        if state[name].shape != tensor.shape:
            raise ValueError(
                f"{name}: {tuple(tensor.shape)} in {model_dir}, {tuple(state[name].shape)} expected"
            )
        loaded[name] = tensor

    def linear(target: str, source: str) -> None:
        put(f"{target}.weight", dequantised(variables, f"{source}/weight"))
        put(f"{target}.bias", dequantised(variables, f"{source}/bias"))

    def norm(target: str, source: str) -> None:
        put(f"{target}.weight", dequantised(variables, f"{source}/gamma"))
        put(f"{target}.bias", dequantised(variables, f"{source}/beta"))

    def split(source: str, parts: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        weight = dequantised(variables, f"{source}/weight").chunk(parts)
        bias = dequantised(variables, f"{source}/bias").chunk(parts)
        return list(zip(weight, bias, strict=True))

    def attention(target: str, source: str, fused: tuple[tuple[str, ...], ...]) -> None:
        for index, names in enumerate(fused):
            for name, (weight, bias) in zip(
                names, split(f"{source}/linear_{index}", len(names)), strict=True
            ):
                put(f"{target}.{name}.weight", weight)
                put(f"{target}.{name}.bias", bias)
        linear(f"{target}.out_proj", f"{source}/linear_{len(fused)}")

    embeddings = dequantised(variables, "decoder/embeddings/weight")  # the rest are aliases
    embeddings = torch.cat([embeddings, torch.zeros(1, embeddings.shape[1])])
    for name in (
        "model.shared.weight",
        "model.encoder.embed_tokens.weight",
        "model.decoder.embed_tokens.weight",
        "lm_head.weight",
    ):
        if name in state:
            put(name, embeddings)
    for side, layers in (
        ("encoder", architecture.ENCODER_LAYERS),
        ("decoder", architecture.DECODER_LAYERS),
    ):
        for i in range(layers):
            src, tgt = f"{side}/layer_{i}", f"model.{side}.layers.{i}"
            attention(f"{tgt}.self_attn", f"{src}/self_attention", (SELF_ATTENTION,))
            norm(f"{tgt}.self_attn_layer_norm", f"{src}/self_attention/layer_norm")
            if side == "decoder":
                attention(f"{tgt}.encoder_attn", f"{src}/attention", CROSS_ATTENTION)
                norm(f"{tgt}.encoder_attn_layer_norm", f"{src}/attention/layer_norm")
            linear(f"{tgt}.fc1", f"{src}/ffn/linear_0")
            linear(f"{tgt}.fc2", f"{src}/ffn/linear_1")
            norm(f"{tgt}.final_layer_norm", f"{src}/ffn/layer_norm")
    missing = [
        name
        for name in state
        if name not in loaded and "embed_positions" not in name and name != "final_logits_bias"
    ]
    if missing:
        raise ValueError(f"{model_dir}: no weights for {', '.join(missing[:5])}")
    model.load_state_dict(loaded, strict=False)
    architecture.zero_pad_embedding(model)
    return model
