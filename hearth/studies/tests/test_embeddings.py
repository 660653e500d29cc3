"""Sentence embeddings from the pinned all-MiniLM-L6-v2 (int8 ONNX), offline."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from hearth.studies import embeddings
from hearth.studies.weights import MINILM_INT8, MINILM_TOKENIZER, package_file


def test_the_model_is_installed_here():
    assert embeddings.available()
    assert embeddings.missing_packages() == []


def test_embeddings_are_384_unit_length_float32_rows_one_per_text():
    texts = ["Mentoring keeps me going.", "", "The students ask questions nobody else asks."] * 15
    vectors = embeddings.encode(texts, batch_size=8)
    assert vectors.shape == (45, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # The order of the texts is kept, whatever the batching.
    assert np.allclose(vectors[0], vectors[3], atol=1e-5)
    assert np.allclose(vectors[0], embeddings.encode(texts[:1])[0], atol=1e-5)


def test_a_paraphrase_lies_closer_than_an_unrelated_sentence():
    eating, bread, horse, awesome, great = embeddings.encode(
        [
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "A man is riding a horse.",
            "The new movie is awesome",
            "The new movie is so great",
        ]
    )
    assert float(eating @ bread) > float(eating @ horse) + 0.4
    assert float(awesome @ great) > float(awesome @ eating) + 0.8
    # The full-precision model's cosines, as sentence-transformers' documentation shows them
    # (0.7553 and 0.8939): the int8 model stays within 0.01.
    assert float(eating @ bread) == pytest.approx(0.7553, abs=0.01)
    assert float(awesome @ great) == pytest.approx(0.8939, abs=0.01)


def test_a_long_text_is_cut_at_the_models_length_not_refused():
    long = " ".join(["mentoring"] * 2000)
    vector = embeddings.encode([long])
    assert vector.shape == (1, 384)
    assert embeddings.encoder().max_length == 128


def test_a_tampered_copy_of_the_model_is_refused(tmp_path: Path):
    original = package_file(MINILM_INT8.files[0])
    copy = tmp_path / "model.onnx"
    shutil.copyfile(original, copy)
    embeddings.load(copy, MINILM_TOKENIZER)  # an exact copy loads
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    with pytest.raises(embeddings.EncoderUnavailable, match="refusing to load it"):
        embeddings.load(copy, MINILM_TOKENIZER)


def test_a_tampered_tokenizer_is_refused(tmp_path: Path):
    copy = tmp_path / "tokenizer.json"
    copy.write_bytes(MINILM_TOKENIZER.read_bytes().replace(b"[UNK]", b"[UNX]", 1))
    with pytest.raises(embeddings.EncoderUnavailable, match="not the pinned"):
        embeddings.load(package_file(MINILM_INT8.files[0]), copy)
