"""Every model on the real corpus: only where ../shared is present (the project's machines)."""

import json
from pathlib import Path

import pytest

from api.model_serving.models.catalog import load_model
from tests.support.model_behaviour import BEHAVIOUR_CHECKS, BehaviourCheck

pytestmark = [pytest.mark.integration, pytest.mark.shared_corpus]

GOALS = {
    "v1": ("model1_2019", 0.80),
    "v2": ("model2_2020/classifier", 0.90),
    "v3": ("model3_2021/classifier", 0.90),
}


@pytest.mark.parametrize("version", sorted(GOALS))
def test_models_reach_their_goal_on_the_real_corpus(real_store: Path, version: str) -> None:
    folder, goal = GOALS[version]
    card = json.loads((real_store / "models" / folder / "metadata.json").read_text())
    metrics = card["metrics"]
    print(
        f"\n{version} on the real corpus's test split "
        f"({card['rows']['train']} train / {card['rows']['test']} test rows): "
        + ", ".join(f"{name} {value:.3f}" for name, value in metrics.items())
    )
    assert metrics["spam_f1"] >= goal


@pytest.mark.parametrize("check", BEHAVIOUR_CHECKS, ids=lambda check: check.__name__)
@pytest.mark.parametrize("version", sorted(GOALS))
def test_behaviour_on_the_real_corpus(
    real_store: Path, version: str, check: BehaviourCheck
) -> None:
    model = load_model(version, real_store / "models")
    check(lambda texts: model.predict_proba(model.text_to_features(texts))[:, 1])
