"""Model v1: training, persistence, and its behaviour on probes written for these tests."""

from pathlib import Path

import pandas as pd
import pytest

from analysis import corpus
from analysis.features1 import Features1Extractor
from analysis.splits import TEST, corpus_splits
from model_artifacts.card import ModelCard, frame_fingerprint
from model_artifacts.sklearn_io import UntrustedArtifactError
from tests.support.model_behaviour import BEHAVIOUR_CHECKS, BehaviourCheck
from tests.support.models import features1_frame
from training.model1_2019 import model1

CUE_WORDS = list(Features1Extractor().cue_words)


@pytest.fixture(scope="module")
def splits(corpus_csv: Path) -> pd.Series:
    return corpus_splits(corpus.read_frame(corpus_csv))


@pytest.fixture(scope="module")
def trained(corpus_csv: Path, splits: pd.Series) -> model1.TrainedModel:
    frame = features1_frame(corpus_csv)
    return model1.train_and_evaluate(frame, list(Features1Extractor().feature_names), splits)


def test_training_reports_spam_metrics_and_row_counts(trained: model1.TrainedModel) -> None:
    assert set(trained.metrics) == {"accuracy", "spam_precision", "spam_recall", "spam_f1"}
    assert trained.rows.train + trained.rows.test == trained.rows.retrieved == 400
    assert trained.rows.validation == 0  # v1 fits on the whole training split
    assert 0.1 < trained.rows.test / trained.rows.retrieved < 0.3
    assert trained.metrics["spam_f1"] > 0.9  # the synthetic corpus is easy by design


def test_the_test_split_is_the_recorded_one(
    corpus_csv: Path, splits: pd.Series, trained: model1.TrainedModel
) -> None:
    assert trained.rows.test == int((splits == TEST).sum())
    # Without recorded splits, a frame of features has no text to compute them from.
    with pytest.raises(ValueError, match="text column"):
        model1.train_and_evaluate(features1_frame(corpus_csv), ["cap_r"])


def test_save_and_load_round_trip(trained: model1.TrainedModel, tmp_path: Path) -> None:
    card = model1.save_model(trained, tmp_path, CUE_WORDS)
    classifier, loaded = model1.load_model(tmp_path)
    assert loaded == card
    assert loaded.version == "v1"
    assert loaded.feature_service == "labeled_sms_1"
    assert loaded.feature_names == list(Features1Extractor().feature_names)
    assert loaded.labels == ["ham", "spam"]
    assert loaded.time_freeze.isoformat() == "2019-05-05T00:00:00+00:00"
    assert {"scikit-learn", "feast", "python"} <= set(loaded.library_versions)
    assert loaded.details["cue_words"] == CUE_WORDS
    probe = [[0.5, 0.2, 1, 0, 1, 0, 0, 1, 0]]
    assert (classifier.predict_proba(probe) == trained.classifier.predict_proba(probe)).all()


def test_a_tampered_artifact_is_refused(trained: model1.TrainedModel, tmp_path: Path) -> None:
    card = model1.save_model(trained, tmp_path, CUE_WORDS)
    artifact = tmp_path / card.artifact.file
    artifact.write_bytes(artifact.read_bytes() + b"\0")
    with pytest.raises(UntrustedArtifactError, match="digest"):
        model1.load_model(tmp_path)


def test_model_card_is_plain_json(trained: model1.TrainedModel, tmp_path: Path) -> None:
    model1.save_model(trained, tmp_path, CUE_WORDS)
    assert ModelCard.model_validate_json((tmp_path / "metadata.json").read_text()).version == "v1"


def test_fingerprint_ignores_row_order_but_not_content(corpus_csv: Path) -> None:
    frame = features1_frame(corpus_csv)
    shuffled = frame.sample(frac=1.0, random_state=3)
    assert frame_fingerprint(frame) == frame_fingerprint(shuffled)
    changed = frame.copy()
    changed.loc[0, "label"] = "spam" if changed.loc[0, "label"] == "ham" else "ham"
    assert frame_fingerprint(changed) != frame_fingerprint(frame)


def test_too_small_a_frame_is_refused(corpus_csv: Path, splits: pd.Series) -> None:
    frame = features1_frame(corpus_csv).head(3)
    with pytest.raises(ValueError, match="too small"):
        model1.train_and_evaluate(frame, list(Features1Extractor().feature_names), splits)


@pytest.mark.parametrize("check", BEHAVIOUR_CHECKS, ids=lambda check: check.__name__)
def test_behaviour(trained: model1.TrainedModel, check: BehaviourCheck) -> None:
    extractor = Features1Extractor()
    check(lambda texts: model1.spam_probabilities(trained.classifier, extractor.vectors(texts)))
