"""Model v1: train, evaluate, save and load.

The notebook ``train_model_1_2019.ipynb`` walks through these steps; they live here so that the
notebook and the tests run the same code. The classifier itself is defined in
``analysis/features1/classifier.py``, where cue-word selection fits it too.
"""

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from feast import FeatureStore, FileSource
from sklearn.ensemble import HistGradientBoostingClassifier

from analysis.features1.classifier import RANDOM_STATE, build_classifier
from analysis.features1.feature1_extractor import CUE_WORDS_METADATA
from analysis.offline_sources import EVENT_TIMESTAMP
from analysis.paths import MODELS_DIR
from analysis.splits import split_frame
from model_artifacts.card import (
    ArtifactInfo,
    ModelCard,
    RowCounts,
    frame_fingerprint,
    library_versions,
    utc_now,
)
from model_artifacts.layout import SKLEARN_ARTIFACT, model_folder
from model_artifacts.sklearn_io import FORMAT, load_sklearn, save_sklearn
from training.evaluation import spam_metrics

VERSION = "v1"
FEATURE_SERVICE = "labeled_sms_1"
FEATURE_VIEW = "sms_features1"
TIME_FREEZE = datetime(2019, 5, 5, tzinfo=UTC)
MODEL_DIR = model_folder(MODELS_DIR, VERSION)
ARTIFACT_FILE = SKLEARN_ARTIFACT
LABEL = "label"


@dataclass
class TrainedModel:
    classifier: HistGradientBoostingClassifier
    feature_names: list[str]
    metrics: dict[str, float]
    rows: RowCounts
    fingerprint: str
    fit_seconds: float = 0.0
    """Wall-clock seconds of the classifier's ``fit`` (recorded in the card's details)."""


def train_and_evaluate(
    frame: pd.DataFrame,
    feature_names: list[str],
    splits: pd.Series | None = None,
    random_state: int = RANDOM_STATE,
) -> TrainedModel:
    """Fit on the training split of ``frame`` (train and validation), score on its test split.

    ``splits`` maps each ``sms_id`` to its split (``training.historical.read_splits``); without
    it, ``frame`` needs the ``text`` column to compute them (``analysis.splits``).
    """
    train, test = split_frame(frame, splits)
    if any(part[LABEL].nunique() < 2 for part in (train, test)):
        raise ValueError("the training frame is too small: both splits need both labels")
    fit_started = time.perf_counter()
    classifier = build_classifier(random_state).fit(
        train[feature_names].to_numpy(), train[LABEL].to_numpy()
    )
    fit_seconds = time.perf_counter() - fit_started
    predicted = classifier.predict(test[feature_names].to_numpy())
    return TrainedModel(
        classifier=classifier,
        feature_names=list(feature_names),
        metrics=spam_metrics(test[LABEL].tolist(), predicted.tolist()),
        rows=RowCounts(retrieved=len(frame), train=len(train), test=len(test)),
        fingerprint=frame_fingerprint(frame.drop(columns=[EVENT_TIMESTAMP])),
        fit_seconds=fit_seconds,
    )


def offline_cue_words(store: FeatureStore) -> list[str]:
    """The cue words that the v1 features in the offline store were computed with, as their
    Parquet source records them."""
    source = store.get_feature_view(FEATURE_VIEW).batch_source
    if not isinstance(source, FileSource):
        raise TypeError(f"{FEATURE_VIEW} is not backed by a Parquet file source")
    path = FileSource.get_uri_for_file_path(store.repo_path, source.path)
    metadata = pq.read_schema(path).metadata or {}
    recorded = metadata.get(CUE_WORDS_METADATA.encode())
    if recorded is None:
        raise ValueError(
            f"{path} does not record its cue words; write it again with "
            "python scripts/create_offline_sources_1.py"
        )
    return json.loads(recorded)


def save_model(trained: TrainedModel, folder: Path, cue_words: list[str]) -> ModelCard:
    """Write the artifact and its model card to ``folder``. ``cue_words`` are those the training
    features were computed with (``offline_cue_words``): serving computes features with them."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = save_sklearn(trained.classifier, folder / ARTIFACT_FILE)
    card = ModelCard(
        version=VERSION,
        description="Gradient-boosted trees on the hand-made v1 features (2019).",
        created_at=utc_now(),
        artifact=ArtifactInfo(file=ARTIFACT_FILE, format=FORMAT, sha256=digest),
        feature_service=FEATURE_SERVICE,
        feature_view=FEATURE_VIEW,
        feature_names=trained.feature_names,
        labels=[str(label) for label in trained.classifier.classes_],
        time_freeze=TIME_FREEZE,
        metrics=trained.metrics,
        rows=trained.rows,
        training_data_fingerprint=trained.fingerprint,
        library_versions=library_versions("scikit-learn", "skops", "pandas", "numpy", "feast"),
        details={"cue_words": list(cue_words), "fit_seconds": round(trained.fit_seconds, 3)},
    )
    card.save(folder)
    return card


def load_model(folder: Path = MODEL_DIR) -> tuple[HistGradientBoostingClassifier, ModelCard]:
    """The classifier and its card, the artifact checked against the card's digest."""
    card = ModelCard.load(folder)
    classifier = load_sklearn(folder / card.artifact.file, expected_sha256=card.artifact.sha256)
    return classifier, card


def spam_probabilities(
    classifier: HistGradientBoostingClassifier, vectors: list[list]
) -> np.ndarray:
    """The spam probability of each feature vector."""
    spam_column = list(classifier.classes_).index("spam")
    return classifier.predict_proba(np.asarray(vectors, dtype=float))[:, spam_column]
