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
    "v3": ("model3_2021/classifier", 0.94),
}
V3_GOAL_OVER_SEEDS = 0.94


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


def test_v3_beats_v2_over_three_seeds_by_more_than_the_spread(real_store: Path) -> None:
    card = json.loads(
        (real_store / "models" / "model3_2021" / "classifier" / "metadata.json").read_text()
    )
    comparison = card["details"]["seed_comparison"]
    summary = {row["model"]: row for row in comparison["summary"]}
    v2, v3 = summary["v2: LSTM"], summary["v3: five embedding bags, averaged"]
    seeds = {run["seed"] for run in comparison["runs"]}
    print(
        f"\nover seeds {sorted(seeds)}: v2 mean spam F1 {v2['mean_f1']:.3f} "
        f"(spread {v2['spread']:.3f}), v3 {v3['mean_f1']:.3f} (spread {v3['spread']:.3f})"
    )
    assert len(seeds) >= 3
    assert all(
        len([r for r in comparison["runs"] if r["model"] == m]) == len(seeds) for m in summary
    )
    assert v3["mean_f1"] >= V3_GOAL_OVER_SEEDS
    assert v3["mean_f1"] > v2["mean_f1"]
    assert v3["mean_f1"] - v2["mean_f1"] > max(v2["spread"], v3["spread"])
    # The saved model is one of the runs compared.
    assert card["metrics"] in [
        r["metrics"] for r in comparison["runs"] if r["model"] == v3["model"]
    ]


def test_the_real_corpus_split_is_recorded_and_checked(real_store: Path) -> None:
    from analysis import corpus, data_checks
    from analysis.offline_sources import SPLITS_FILE, read_splits_file

    frame = corpus.read_frame(real_store / "raw_data" / "raw_dataset.csv")
    recorded = read_splits_file(real_store / "offline_data" / SPLITS_FILE)
    report = data_checks.check_frame(frame, recorded)
    print("\n" + report.balance_table())
    assert report.failures == []
    card = json.loads((real_store / "models" / "model1_2019" / "metadata.json").read_text())
    assert card["rows"]["test"] == int(report.balance.loc["test"].sum())
