"""The training notebooks, executed headless by a real kernel, as `make train` runs them."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from analysis.features2.tokenizer import SmsTokenizer
from tests.integration.conftest import NOTEBOOKS
from training.model1_2019 import model1

pytestmark = pytest.mark.integration


def executed_outputs(path: Path) -> str:
    executed = nbformat.read(path, as_version=4)
    return "".join(
        output.get("text", "") for cell in executed.cells for output in cell.get("outputs", [])
    )


def test_notebook_1_trains_and_saves_model_v1(trained_store: Path) -> None:
    folder = trained_store / "models" / "model1_2019"
    card = json.loads((folder / "metadata.json").read_text())
    assert card["version"] == "v1"
    assert card["feature_service"] == "labeled_sms_1"
    assert card["rows"]["retrieved"] == 400
    assert card["time_freeze"] == "2019-05-05T00:00:00Z"
    assert card["metrics"]["spam_f1"] > 0.9
    assert card["training_data_fingerprint"].startswith("sha256:")
    classifier, loaded = model1.load_model(folder)
    assert loaded.artifact.sha256 == card["artifact"]["sha256"]
    assert list(classifier.classes_) == ["ham", "spam"]
    outputs = executed_outputs(folder / "train_model_1_2019.ipynb")
    assert "asked for 400 rows at 2019-05-05, got 400" in outputs
    assert "spam_f1" in outputs


def test_notebook_2_trains_and_saves_model_v2(trained_store: Path) -> None:
    folder = trained_store / "models" / "model2_2020" / "classifier"
    card = json.loads((folder / "metadata.json").read_text())
    assert card["version"] == "v2"
    assert card["feature_service"] == "labeled_sms_2"
    assert card["time_freeze"] == "2020-07-02T00:00:00Z"
    assert card["labels"] == ["ham", "spam"]
    assert card["artifact"]["file"] == "model.keras"
    assert card["rows"]["retrieved"] == 400
    assert card["details"]["epochs_trained"] <= 3
    tokenizer_file = (folder / card["details"]["tokenizer"]["file"]).resolve()
    assert tokenizer_file == (
        trained_store / "models" / "model2_2020" / "tokenizer" / "tokenizer.json"
    )
    tokenizer = SmsTokenizer.load(tokenizer_file)
    assert card["details"]["tokenizer"]["max_seq_length"] == tokenizer.max_seq_length
    outputs = executed_outputs(
        trained_store / "models" / "model2_2020" / "train_model_2_2020.ipynb"
    )
    assert "asked for 400 rows at 2020-07-02, got 400" in outputs
    assert "precision" in outputs  # the classification report


def test_notebook_3_trains_and_saves_model_v3_on_the_v2_features(trained_store: Path) -> None:
    models = trained_store / "models"
    card = json.loads((models / "model3_2021" / "classifier" / "metadata.json").read_text())
    v2_card = json.loads((models / "model2_2020" / "classifier" / "metadata.json").read_text())
    assert card["version"] == "v3"
    assert card["feature_service"] == "labeled_sms_2"
    assert card["time_freeze"] == "2021-03-01T00:00:00Z"
    assert card["rows"]["retrieved"] == 400
    assert card["details"]["hyperparameters"]["network"] == "embedding_bag"
    assert card["details"]["hyperparameters"]["members"] == 5
    assert card["details"]["epochs_trained"] <= 3
    assert card["details"]["decision_threshold"] == 0.5
    # The comparison the notebook printed, kept in the card: v2 and v3, three seeds each.
    runs = card["details"]["seed_comparison"]["runs"]
    assert sorted((run["model"], run["seed"]) for run in runs) == sorted(
        (model, seed)
        for model in ("v2: LSTM", "v3: five embedding bags, averaged")
        for seed in (2021, 2022, 2023)
    )
    # The same features as v2, so the same tokenizer, named by its digest.
    assert card["details"]["tokenizer"]["sha256"] == v2_card["details"]["tokenizer"]["sha256"]
    assert (
        models / "model3_2021" / "classifier" / card["details"]["tokenizer"]["file"]
    ).resolve() == (models / "model2_2020" / "tokenizer" / "tokenizer.json")
    outputs = executed_outputs(models / "model3_2021" / "train_model_3_2021.ipynb")
    assert "asked for 400 rows at 2021-03-01, got 400" in outputs
    assert "| model | seed | spam F1 | precision | recall |" in outputs
    assert "v3 minus v2:" in outputs
    assert "precision" in outputs


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_committed_notebooks_have_no_outputs(notebook: str) -> None:
    document = nbformat.read(notebook, as_version=4)
    assert all(not cell.get("outputs") for cell in document.cells if cell.cell_type == "code")


def test_a_failing_notebook_exits_non_zero_and_keeps_the_executed_copy(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "training.run_notebook", NOTEBOOKS[0]],
        capture_output=True,
        text=True,
        env={
            "PATH": str(Path(sys.executable).parent),
            "SMS_FEATURE_REPO": str(tmp_path / "no-such-repo"),
            "SMS_MODELS_DIR": str(tmp_path / "models"),
        },
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 1
    assert "failed" in result.stderr
    assert (tmp_path / "models" / "model1_2019" / "train_model_1_2019.ipynb").exists()
