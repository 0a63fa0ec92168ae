"""The metadata file stored beside every model artifact.

A model card says what the artifact is, how it was made and how good it is: enough for the
serving API to load it and check its inputs, and for a person to trust or question it.
"""

import hashlib
import importlib.metadata
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, Field

from analysis.atomic_files import atomic_output

METADATA_FILE = "metadata.json"


class ArtifactInfo(BaseModel):
    """The model file, relative to the card's folder, and its content digest."""

    file: str
    format: str
    sha256: str


class RowCounts(BaseModel):
    """Rows retrieved, and how many of them each split holds (``analysis/splits.py``)."""

    retrieved: int
    train: int = Field(description="Rows the model was fitted on.")
    validation: int = Field(
        default=0, description="Rows for early stopping and measurements (0: none held back)."
    )
    test: int = Field(description="Held-out rows behind the metrics.")


class ModelCard(BaseModel):
    """Everything recorded about one trained model version."""

    version: str = Field(description="The version the API serves it as, e.g. 'v1'.")
    description: str
    created_at: datetime
    artifact: ArtifactInfo
    feature_service: str
    feature_view: str
    feature_names: list[str] = Field(description="The model's input columns, in order.")
    labels: list[str] = Field(description="The label legend: output position -> label.")
    time_freeze: datetime = Field(description="The point in time of historical retrieval.")
    metrics: dict[str, float] = Field(description="Scores on the held-out test split.")
    rows: RowCounts
    training_data_fingerprint: str
    library_versions: dict[str, str]
    details: dict[str, Any] = Field(
        default_factory=dict, description="Version-specific facts (cue words, tokenizer...)."
    )

    def save(self, folder: Path) -> Path:
        """Write the card as ``metadata.json`` in ``folder``, atomically."""
        path = folder / METADATA_FILE
        with atomic_output(path) as partial:
            partial.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> "ModelCard":
        return cls.model_validate_json((folder / METADATA_FILE).read_text(encoding="utf-8"))


class UntrustedArtifactError(RuntimeError):
    """An artifact does not match the digest in its card, or holds types it may not hold."""


def verified_artifact(card: ModelCard, folder: Path) -> Path:
    """The path of ``card``'s artifact in ``folder``, checked against the card's digest."""
    path = folder / card.artifact.file
    if file_sha256(path) != card.artifact.sha256:
        raise UntrustedArtifactError(f"{path} does not match the digest in its model card")
    return path


def file_sha256(path: Path) -> str:
    """The hex sha256 of a file's content, read a megabyte at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """A digest of a training frame's content that ignores row order.

    Rows are sorted by every column and written as CSV with full float precision, so the same
    data gives the same digest on any machine.
    """
    canonical = frame.sort_values(list(frame.columns), kind="stable").to_csv(
        index=False, float_format="%.17g", date_format="%Y-%m-%dT%H:%M:%S.%f%z"
    )
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def library_versions(*packages: str) -> dict[str, str]:
    """The installed versions of ``packages`` and of Python itself."""
    versions = {"python": platform.python_version()}
    for package in packages:
        versions[package] = importlib.metadata.version(package)
    return versions


def utc_now() -> datetime:
    return datetime.now(UTC)
