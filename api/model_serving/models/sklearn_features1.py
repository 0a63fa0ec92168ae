"""Model v1: a scikit-learn classifier on the hand-made v1 features."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
from threadpoolctl import ThreadpoolController

from analysis.features1 import Features1Extractor
from api.model_serving.models.base import InvalidFeaturesError, SpamModel, finite
from model_artifacts.card import ModelCard
from model_artifacts.sklearn_io import load_sklearn


class SklearnFeatures1Model(SpamModel):
    """Gradient-boosted trees over ``cap_r``, ``nal_r`` and seven cue-word flags."""

    def __init__(self, version: str, card: ModelCard, classifier: Any) -> None:
        # The cue words the model was trained with are recorded in its card: serving uses those,
        # whatever cue_words.json says today.
        super().__init__(version, card, Features1Extractor(card.details["cue_words"]))
        self._classifier = classifier
        self._threads = ThreadpoolController()
        classes = [str(label) for label in classifier.classes_]
        if classes != card.labels:
            raise ValueError(f"{version}: classifier labels {classes} differ from the card's")

    @classmethod
    def load(cls, version: str, folder: Path) -> Self:
        card = ModelCard.load(folder)
        classifier = load_sklearn(folder / card.artifact.file, expected_sha256=card.artifact.sha256)
        return cls(version, card, classifier)

    @property
    def feature_count(self) -> int:
        return len(self.card.feature_names)

    def check_features(self, vector: Sequence[Any]) -> list[Any]:
        self._check_length(vector)
        names = self.card.feature_names
        checked: list[Any] = []
        for name, value in zip(names, vector, strict=True):
            number = finite(value, name)
            if name.startswith("cw_scores_"):
                if number not in (0.0, 1.0):
                    raise InvalidFeaturesError(f"{name} is a flag: 0 or 1, got {value}")
                checked.append(int(number))
            else:
                if not 0.0 <= number <= 1.0:
                    raise InvalidFeaturesError(f"{name} is a ratio between 0 and 1, got {value}")
                checked.append(number)
        return checked

    def feature_vector_schema(self) -> dict[str, Any]:
        names = self.card.feature_names
        return {
            "type": "array",
            "minItems": len(names),
            "maxItems": len(names),
            "prefixItems": [
                {"enum": [0, 1], "title": name}
                if name.startswith("cw_scores_")
                else {"type": "number", "minimum": 0, "maximum": 1, "title": name}
                for name in names
            ],
        }

    def predict_proba(self, vectors: Sequence[Sequence[Any]]) -> np.ndarray:
        # One OpenMP thread: the trees' predictions are tiny, and waking a team of threads on a
        # busy machine made a one-row call wait for a scheduler slot (docs/performance.md).
        # The limit is the calling thread's, so it is set on each call.
        with self._threads.limit(limits=1, user_api="openmp"):
            return self._classifier.predict_proba(np.asarray(vectors, dtype=float))
