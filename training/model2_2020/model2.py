"""Model v2: build, train, evaluate, save and load a Keras LSTM over token ids.

The notebook ``train_model_2_2020.ipynb`` walks through these steps; ``tune_model_2.py`` measures
the choices made here. Model v3 reads the same features and uses the same code with another
network (``training/model3_2021``); the networks are in ``training/token_networks.py``.
"""

import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

# Keras picks its backend when first imported; this project uses TensorFlow's.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
from sklearn.metrics import classification_report

from analysis.features2.tokenizer import SmsTokenizer
from analysis.offline_sources import ENTITY_KEY
from analysis.paths import MODELS_DIR
from analysis.splits import TEST, TRAIN, VALIDATION, splits_of
from model_artifacts.card import (
    ArtifactInfo,
    ModelCard,
    RowCounts,
    file_sha256,
    frame_fingerprint,
    library_versions,
    utc_now,
)
from model_artifacts.layout import KERAS_ARTIFACT, model_folder
from model_artifacts.tokenizer import tokenizer_reference
from training import token_networks
from training.evaluation import best_threshold, spam_metrics
from training.token_networks import NetworkSettings, build_networks

VERSION = "v2"
FEATURE_SERVICE = "labeled_sms_2"
FEATURE_VIEW = "sms_features2"
TIME_FREEZE = datetime(2020, 7, 2, tzinfo=UTC)
CLASSIFIER_DIR = model_folder(MODELS_DIR, VERSION)
MODEL_DIR = CLASSIFIER_DIR.parent
TOKENIZER_FILE = MODEL_DIR / "tokenizer" / "tokenizer.json"
ARTIFACT_FILE = KERAS_ARTIFACT
LABELS = ["ham", "spam"]
DECISION_THRESHOLD = 0.5
"""Spam when its probability is at least this: the model API's top label, the likelier one."""
# The label whose probability the network's single sigmoid output is: recorded in the model card
# (details.positive_label), so that serving never has to assume it.
POSITIVE_LABEL = "spam"


@dataclass(frozen=True)
class TokenModelSpec:
    """What tells one model over the v2 token ids from another in its model card."""

    version: str
    description: str
    time_freeze: datetime


V2 = TokenModelSpec(
    version=VERSION,
    description="An LSTM over the token ids of the v2 features (2020).",
    time_freeze=TIME_FREEZE,
)


@dataclass(frozen=True)
class Hyperparameters:
    """The measured choices (see tune_model_2.py, compare_seeds.py and the notebooks)."""

    # v2's network: embedding (0 is masked padding) → dropout → LSTM → dropout → sigmoid.
    network: str = token_networks.LSTM
    embedding_dim: int = 32
    units: int = 32
    dropout: float = 0.3
    members: int = 1
    class_weights: bool = False
    batch_size: int = 64
    max_epochs: int = 30
    patience: int = 3
    seed: int = 2020

    def network_settings(self) -> NetworkSettings:
        return NetworkSettings(
            network=self.network,
            embedding_dim=self.embedding_dim,
            units=self.units,
            dropout=self.dropout,
            members=self.members,
        )


def as_matrix(features: pd.Series) -> np.ndarray:
    """The ``features`` column (one id sequence per row) as an int32 matrix."""
    return np.stack([np.asarray(row, dtype=np.int32) for row in features])


def balanced_weights(y: np.ndarray) -> np.ndarray:
    """A weight per row such that ham and spam weigh the same in total."""
    spam_share = float(y.mean())
    return np.where(y == 1, 0.5 / spam_share, 0.5 / (1.0 - spam_share)).astype(np.float32)


@dataclass
class TrainedModel:
    model: keras.Model
    hyperparameters: Hyperparameters
    metrics: dict[str, float]
    report: str
    rows: RowCounts
    fingerprint: str
    epochs_trained: int
    history: dict[str, list[float]]
    validation_threshold: float
    """The threshold with the best spam F1 on the validation split (not used by the model)."""
    metrics_at_validation_threshold: dict[str, float]
    """The test scores the model would have with ``validation_threshold``."""
    fit_seconds: float = 0.0
    """Wall-clock seconds of the network's ``fit`` (recorded in the card's details)."""


def _inputs(part: pd.DataFrame, extra_columns: Sequence[str]) -> list[np.ndarray]:
    ids = as_matrix(part["features"])
    if not extra_columns:
        return [ids]
    return [ids, part[list(extra_columns)].to_numpy(np.float32)]


def train_and_evaluate(
    frame: pd.DataFrame,
    tokenizer: SmsTokenizer,
    hp: Hyperparameters = Hyperparameters(),
    splits: pd.Series | None = None,
    extra_columns: Sequence[str] = (),
) -> TrainedModel:
    """Fit on the train split (early stopping on the validation split), score on test.

    ``splits`` maps each ``sms_id`` to its split (``training.historical.read_splits``); without
    it, ``frame`` needs the ``text`` column to compute them (``analysis.splits``). The test
    scores use ``DECISION_THRESHOLD``, as the model API does; the threshold that validation
    would choose is measured too, and reported beside them.

    ``extra_columns`` names numeric columns of ``frame`` read beside the token ids (see
    ``token_networks.build_networks``); they exist to be measured, and such a model is not
    servable.
    """
    names = splits_of(frame, splits)
    train, validation, test = (frame[names == name] for name in (TRAIN, VALIDATION, TEST))
    if any(part.empty or part["label"].nunique() < 2 for part in (train, validation, test)):
        raise ValueError(
            "the training frame is too small: train, validation and test need both labels"
        )
    keras.utils.set_random_seed(hp.seed)
    y_fit, y_val = (
        (part["label"] == POSITIVE_LABEL).to_numpy(np.float32) for part in (train, validation)
    )
    networks = build_networks(
        tokenizer.vocabulary_size,
        tokenizer.max_seq_length,
        hp.network_settings(),
        extra_features=len(extra_columns),
    )
    outputs = len(networks.training.outputs)
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=hp.patience, restore_best_weights=True
    )
    fit_started = time.perf_counter()
    fitted = networks.training.fit(
        _inputs(train, extra_columns),
        [y_fit] * outputs,
        sample_weight=balanced_weights(y_fit) if hp.class_weights else None,
        validation_data=(_inputs(validation, extra_columns), [y_val] * outputs),
        epochs=hp.max_epochs,
        batch_size=hp.batch_size,
        callbacks=[stop],
        verbose=0,
    )
    fit_seconds = time.perf_counter() - fit_started
    model = networks.serving
    validation_spam = model.predict(_inputs(validation, extra_columns), verbose=0).ravel()
    test_spam = model.predict(_inputs(test, extra_columns), verbose=0).ravel()
    predicted = np.where(test_spam >= DECISION_THRESHOLD, "spam", "ham").tolist()
    threshold = best_threshold(y_val == 1, validation_spam)
    return TrainedModel(
        model=model,
        hyperparameters=hp,
        metrics=spam_metrics(test["label"].tolist(), predicted),
        report=classification_report(test["label"], predicted, digits=3),
        rows=RowCounts(
            retrieved=len(frame), train=len(train), validation=len(validation), test=len(test)
        ),
        fingerprint=frame_fingerprint(
            frame[[ENTITY_KEY, "features", "label"]].assign(
                features=frame["features"].map(lambda ids: " ".join(map(str, ids)))
            )
        ),
        epochs_trained=len(fitted.history["loss"]),
        history={k: [float(v) for v in values] for k, values in fitted.history.items()},
        validation_threshold=threshold,
        metrics_at_validation_threshold=spam_metrics(
            test["label"].tolist(), np.where(test_spam >= threshold, "spam", "ham").tolist()
        ),
        fit_seconds=fit_seconds,
    )


def save_model(
    trained: TrainedModel,
    tokenizer_file: Path = TOKENIZER_FILE,
    folder: Path = CLASSIFIER_DIR,
    spec: TokenModelSpec = V2,
    extra_details: dict[str, Any] | None = None,
) -> ModelCard:
    """Write ``model.keras`` and its model card to ``folder``; the card points at the tokenizer.

    Models v2 and v3 read the same features and are saved alike; ``spec`` says which it is, and
    ``extra_details`` adds to the card's details (v3's seed comparison).
    """
    folder.mkdir(parents=True, exist_ok=True)
    artifact = folder / ARTIFACT_FILE
    partial = folder / f".{ARTIFACT_FILE}.partial.keras"
    trained.model.save(partial)
    partial.replace(artifact)
    card = ModelCard(
        version=spec.version,
        description=spec.description,
        created_at=utc_now(),
        artifact=ArtifactInfo(file=ARTIFACT_FILE, format="keras", sha256=file_sha256(artifact)),
        feature_service=FEATURE_SERVICE,
        feature_view=FEATURE_VIEW,
        feature_names=["features"],
        labels=LABELS,
        time_freeze=spec.time_freeze,
        metrics=trained.metrics,
        rows=trained.rows,
        training_data_fingerprint=trained.fingerprint,
        library_versions=library_versions(
            "tensorflow-cpu", "keras", "scikit-learn", "pandas", "numpy", "feast"
        ),
        details={
            "positive_label": POSITIVE_LABEL,
            "tokenizer": tokenizer_reference(tokenizer_file, folder),
            "hyperparameters": asdict(trained.hyperparameters),
            "decision_threshold": DECISION_THRESHOLD,
            "threshold_chosen_on_validation": {
                "threshold": trained.validation_threshold,
                "test_metrics": trained.metrics_at_validation_threshold,
                "used": False,
            },
            "epochs_trained": trained.epochs_trained,
            "fit_seconds": round(trained.fit_seconds, 3),
            "history": trained.history,
            **(extra_details or {}),
        },
    )
    card.save(folder)
    return card
