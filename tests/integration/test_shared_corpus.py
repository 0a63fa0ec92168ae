"""Chapter 1 on the real corpus: only where ../shared is present (the project's machines)."""

import json
import sys
from pathlib import Path

import pytest

from analysis.features1 import Features1Extractor
from tests.integration.conftest import build_feature_store, run
from tests.support.model_behaviour import BEHAVIOUR_CHECKS, BehaviourCheck
from training.model1_2019 import model1

pytestmark = [pytest.mark.integration, pytest.mark.shared_corpus]

SPAM_F1_GOAL = 0.80


@pytest.fixture(scope="module")
def real_model_dir(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("real")
    raw = workdir / "raw_data" / "raw_dataset.csv"
    run(
        [
            sys.executable,
            "scripts/get_raw_data.py",
            "--from",
            str(shared_corpus),
            "--output",
            str(raw),
        ]
    )
    repo = build_feature_store(raw, workdir)
    run(
        [
            sys.executable,
            "-m",
            "training.run_notebook",
            "training/model1_2019/train_model_1_2019.ipynb",
        ],
        SMS_FEATURE_REPO=str(repo),
        SMS_MODELS_DIR=str(workdir / "models"),
    )
    return workdir / "models" / "model1_2019"


def test_v1_reaches_its_goal_on_the_real_corpus(real_model_dir: Path) -> None:
    card = json.loads((real_model_dir / "metadata.json").read_text())
    metrics = card["metrics"]
    print(
        "\nv1 on the real corpus's test split "
        f"({card['rows']['train']} train / {card['rows']['test']} test rows): "
        + ", ".join(f"{name} {value:.3f}" for name, value in metrics.items())
    )
    assert metrics["spam_f1"] >= SPAM_F1_GOAL


@pytest.mark.parametrize("check", BEHAVIOUR_CHECKS, ids=lambda check: check.__name__)
def test_v1_behaviour_on_the_real_corpus(real_model_dir: Path, check: BehaviourCheck) -> None:
    classifier, _ = model1.load_model(real_model_dir)
    extractor = Features1Extractor()
    check(lambda texts: model1.spam_probabilities(classifier, extractor.vectors(texts)))
