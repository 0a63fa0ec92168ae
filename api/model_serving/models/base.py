"""The interface the API serves: a spam model with its feature extractor and model card."""

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np

from analysis.feature_extractor import FeatureExtractor
from model_artifacts.card import ModelCard


class InvalidFeaturesError(ValueError):
    """A feature vector that this model cannot take; the message says why."""


class SpamModel(ABC):
    """A loaded model version, ready to turn texts into features and features into labels.

    Subclasses say how to load an artifact and how to call it; the API needs nothing else, so
    serving a new kind of model means writing one subclass and adding it to the catalog.
    """

    def __init__(self, version: str, card: ModelCard, extractor: FeatureExtractor) -> None:
        if list(extractor.feature_names) != card.feature_names:
            raise ValueError(
                f"{version}: the extractor's features {list(extractor.feature_names)} differ from "
                f"the model card's {card.feature_names}"
            )
        self.version = version
        self.card = card
        self.extractor = extractor

    @classmethod
    @abstractmethod
    def load(cls, version: str, folder: Path) -> Self:
        """Load the artifact and model card in ``folder``."""

    @property
    def fingerprint(self) -> str:
        """Identifies the exact artifact, so cached results never outlive a retraining."""
        return self.card.artifact.sha256

    @property
    def labels(self) -> list[str]:
        return self.card.labels

    @property
    @abstractmethod
    def feature_count(self) -> int:
        """How many values a feature vector has."""

    def text_to_features(self, texts: Sequence[str]) -> list[list[Any]]:
        return self.extractor.vectors(texts)

    @abstractmethod
    def check_features(self, vector: Sequence[Any]) -> list[Any]:
        """Validate one feature vector and return it normalised; raise InvalidFeaturesError."""

    @abstractmethod
    def feature_vector_schema(self) -> dict[str, Any]:
        """The JSON Schema of exactly the vectors ``check_features`` accepts."""

    @abstractmethod
    def predict_proba(self, vectors: Sequence[Sequence[Any]]) -> np.ndarray:
        """One row of label probabilities (in ``labels`` order) per vector, in one model call."""

    def _check_length(self, vector: Sequence[Any]) -> None:
        if len(vector) != self.feature_count:
            raise InvalidFeaturesError(
                f"model {self.version} takes {self.feature_count} features, got {len(vector)}"
            )


def finite(value: float, name: str) -> float:
    if not math.isfinite(value):
        raise InvalidFeaturesError(f"{name} must be a finite number")
    return float(value)
