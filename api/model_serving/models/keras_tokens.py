"""Models v2 and v3: Keras networks over the token ids of the v2 features.

Importing this module loads TensorFlow (seconds, hundreds of MB), so the catalog names it by
path and imports it only when a version that needs it is served.

A per-request ``model.predict`` builds a data pipeline for every call, which costs far more than
the network itself. The model is instead wrapped once in a ``tf.function`` compiled with XLA
(``jit_compile``), which fuses the network's loops, and called through its concrete function,
which skips the ``tf.function``'s argument matching. ``make bench`` compares a v3 miss with a
server that calls ``predict`` per request (docs/performance.md).

XLA compiles once per input shape, so batches are padded up to a power of two: one shape per
power of two up to the largest batch (``MAX_BATCH_SIZE``), and those up to eight rows are
compiled at load.
"""

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from analysis.features2 import Features2Extractor  # noqa: E402
from analysis.features2.tokenizer import SmsTokenizer  # noqa: E402
from api.model_serving.models.base import InvalidFeaturesError, SpamModel  # noqa: E402
from model_artifacts.card import ModelCard, verified_artifact  # noqa: E402
from model_artifacts.tokenizer import load_tokenizer  # noqa: E402


def positive_label(card: ModelCard) -> str:
    """The label whose probability the network's single output is, as its card records it.

    Cards written before the card recorded it (``details.positive_label``) come from training
    code that fitted the output to the second of its two labels.
    """
    if len(card.labels) != 2:
        raise ValueError(f"{card.version}: a sigmoid output serves two labels, not {card.labels}")
    label = card.details.get("positive_label", card.labels[1])
    if label not in card.labels:
        raise ValueError(f"{card.version}: positive_label {label!r} is not in {card.labels}")
    return label


class KerasTokenModel(SpamModel):
    """A Keras model that maps padded token ids to the spam probability."""

    def __init__(
        self, version: str, card: ModelCard, model: keras.Model, tokenizer: SmsTokenizer
    ) -> None:
        super().__init__(version, card, Features2Extractor(tokenizer))
        self._positive = positive_label(card)
        self._length = tokenizer.max_seq_length
        self._vocabulary_size = tokenizer.vocabulary_size
        signature = [tf.TensorSpec(shape=[None, self._length], dtype=tf.int32)]
        function = tf.function(
            lambda ids: model(ids, training=False), input_signature=signature, jit_compile=True
        )
        # Calling the concrete function skips the tf.function's matching of arguments to a
        # signature, a large part of a one-row call.
        self._infer = function.get_concrete_function()
        # Compile the small shapes now, not during a request: small calls run on the event loop
        # (api/model_serving/serving.py), where a compilation would stall every request.
        for rows in (1, 2, 4, 8):
            self._infer(tf.zeros((rows, self._length), dtype=tf.int32))

    @classmethod
    def load(cls, version: str, folder: Path) -> Self:
        card = ModelCard.load(folder)
        artifact = verified_artifact(card, folder)
        # safe_mode refuses artifacts that carry code (Lambda layers and the like).
        model = keras.saving.load_model(artifact, compile=False, safe_mode=True)
        return cls(version, card, model, load_tokenizer(card, folder))

    @property
    def feature_count(self) -> int:
        return self._length

    def check_features(self, vector: Sequence[Any]) -> list[Any]:
        self._check_length(vector)
        ids = []
        for position, value in enumerate(vector):
            if not math.isfinite(value) or value != int(value):
                raise InvalidFeaturesError(f"feature {position} must be a whole number (a token id)")
            if not 0 <= value < self._vocabulary_size:
                raise InvalidFeaturesError(
                    f"feature {position} is {int(value)}, outside the vocabulary "
                    f"(0 to {self._vocabulary_size - 1})"
                )
            ids.append(int(value))
        return ids

    def feature_vector_schema(self) -> dict[str, Any]:
        return {
            "type": "array",
            "minItems": self._length,
            "maxItems": self._length,
            "items": {"type": "integer", "minimum": 0, "maximum": self._vocabulary_size - 1},
        }

    def predict_proba(self, vectors: Sequence[Sequence[Any]]) -> np.ndarray:
        ids = np.asarray(vectors, dtype=np.int32).reshape(-1, self._length)
        rows = len(ids)
        bucket = 1 << max(rows - 1, 0).bit_length()  # the next power of two
        if bucket > rows:
            ids = np.concatenate([ids, np.zeros((bucket - rows, self._length), np.int32)])
        positive = self._infer(tf.constant(ids)).numpy().reshape(-1)[:rows]
        # One column per label, in the card's order: the sigmoid's for its positive label.
        return np.column_stack(
            [positive if label == self._positive else 1.0 - positive for label in self.labels]
        )
