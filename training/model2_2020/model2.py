"""Model v2: build, train, evaluate, save and load a Keras LSTM over token ids.

The notebook ``train_model_2_2020.ipynb`` walks through these steps; ``tune_model_2.py`` measures
the choices made here.
"""

import os
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
from sklearn.model_selection import train_test_split

from analysis.features2.tokenizer import SmsTokenizer
from analysis.offline_sources import EVENT_TIMESTAMP
from analysis.paths import MODELS_DIR
from training.evaluation import spam_metrics
from training.model1_2019.model1 import split_frame
from training.model_card import (
    ArtifactInfo,
    ModelCard,
    RowCounts,
    file_sha256,
    frame_fingerprint,
    library_versions,
    utc_now,
)

VERSION = "v2"
FEATURE_SERVICE = "labeled_sms_2"
FEATURE_VIEW = "sms_features2"
TIME_FREEZE = datetime(2020, 7, 2, tzinfo=UTC)
MODEL_DIR = MODELS_DIR / "model2_2020"
CLASSIFIER_DIR = MODEL_DIR / "classifier"
TOKENIZER_FILE = MODEL_DIR / "tokenizer" / "tokenizer.json"
ARTIFACT_FILE = "model.keras"
LABELS = ["ham", "spam"]
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
    """The measured choices (see tune_model_2.py and the notebook)."""

    embedding_dim: int = 32
    lstm_units: int = 32
    dropout: float = 0.3
    bidirectional: bool = False
    batch_size: int = 64
    max_epochs: int = 30
    patience: int = 3
    validation_fraction: float = 0.15
    seed: int = 2020


def build_model(vocabulary_size: int, sequence_length: int, hp: Hyperparameters) -> keras.Model:
    """Embedding (0 is masked padding) → dropout → LSTM → dropout → spam probability."""
    ids = keras.Input(shape=(sequence_length,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocabulary_size, hp.embedding_dim, mask_zero=True)(ids)
    x = keras.layers.SpatialDropout1D(hp.dropout)(x)
    lstm = keras.layers.LSTM(hp.lstm_units, dropout=hp.dropout)
    x = keras.layers.Bidirectional(lstm)(x) if hp.bidirectional else lstm(x)
    x = keras.layers.Dropout(hp.dropout)(x)
    spam = keras.layers.Dense(1, activation="sigmoid", name="spam_probability")(x)
    model = keras.Model(ids, spam, name="sms_spam_lstm")
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def as_matrix(features: pd.Series) -> np.ndarray:
    """The ``features`` column (one id sequence per row) as an int32 matrix."""
    return np.stack([np.asarray(row, dtype=np.int32) for row in features])


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


def train_and_evaluate(
    frame: pd.DataFrame, tokenizer: SmsTokenizer, hp: Hyperparameters = Hyperparameters()
) -> TrainedModel:
    """Fit on the training split (early stopping on a validation part of it), score on test."""
    train, test = split_frame(frame)
    if train.empty or test.empty or train["label"].nunique() < 2:
        raise ValueError("the training frame is too small: both splits need both labels")
    keras.utils.set_random_seed(hp.seed)
    x, y = as_matrix(train["features"]), (train["label"] == POSITIVE_LABEL).to_numpy(np.float32)
    x_fit, x_val, y_fit, y_val = train_test_split(
        x, y, test_size=hp.validation_fraction, random_state=hp.seed, stratify=y
    )
    model = build_model(tokenizer.vocabulary_size, tokenizer.max_seq_length, hp)
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=hp.patience, restore_best_weights=True
    )
    fitted = model.fit(
        x_fit,
        y_fit,
        validation_data=(x_val, y_val),
        epochs=hp.max_epochs,
        batch_size=hp.batch_size,
        callbacks=[stop],
        verbose=0,
    )
    spam_probability = model.predict(as_matrix(test["features"]), verbose=0).ravel()
    predicted = np.where(spam_probability >= 0.5, "spam", "ham").tolist()
    return TrainedModel(
        model=model,
        hyperparameters=hp,
        metrics=spam_metrics(test["label"].tolist(), predicted),
        report=classification_report(test["label"], predicted, digits=3),
        rows=RowCounts(retrieved=len(frame), train=len(train), test=len(test)),
        fingerprint=frame_fingerprint(
            frame.drop(columns=[EVENT_TIMESTAMP]).assign(
                features=frame["features"].map(lambda ids: " ".join(map(str, ids)))
            )
        ),
        epochs_trained=len(fitted.history["loss"]),
        history={k: [float(v) for v in values] for k, values in fitted.history.items()},
    )


def save_model(
    trained: TrainedModel,
    tokenizer_file: Path = TOKENIZER_FILE,
    folder: Path = CLASSIFIER_DIR,
    spec: TokenModelSpec = V2,
) -> ModelCard:
    """Write ``model.keras`` and its model card to ``folder``; the card points at the tokenizer.

    Models v2 and v3 read the same features and are saved alike; ``spec`` says which it is.
    """
    folder.mkdir(parents=True, exist_ok=True)
    artifact = folder / ARTIFACT_FILE
    partial = folder / f".{ARTIFACT_FILE}.partial.keras"
    trained.model.save(partial)
    partial.replace(artifact)
    tokenizer = SmsTokenizer.load(tokenizer_file)
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
            "tokenizer": {
                "file": os.path.relpath(tokenizer_file, folder),
                "sha256": file_sha256(tokenizer_file),
                "max_seq_length": tokenizer.max_seq_length,
                "vocabulary_size": tokenizer.vocabulary_size,
                "standardization": tokenizer.standardization,
            },
            "hyperparameters": asdict(trained.hyperparameters),
            "epochs_trained": trained.epochs_trained,
            "history": trained.history,
        },
    )
    card.save(folder)
    return card


def load_tokenizer(card: ModelCard, folder: Path) -> SmsTokenizer:
    """The tokenizer a model was trained with, checked against the digest in its card."""
    reference: dict[str, Any] = card.details["tokenizer"]
    path = (folder / reference["file"]).resolve()
    if file_sha256(path) != reference["sha256"]:
        raise ValueError(f"{path} is not the tokenizer model {card.version} was trained with")
    return SmsTokenizer.load(path)
