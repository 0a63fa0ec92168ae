"""The v1 training notebook, executed headless by a real kernel, as `make train` runs it."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.integration.conftest import run
from training.model1_2019 import model1

pytestmark = pytest.mark.integration

NOTEBOOK = "training/model1_2019/train_model_1_2019.ipynb"


def test_notebook_trains_and_saves_model_v1(feature_repo: Path, tmp_path: Path) -> None:
    models_dir = tmp_path / "models"
    result = run(
        [sys.executable, "-m", "training.run_notebook", NOTEBOOK],
        SMS_FEATURE_REPO=str(feature_repo),
        SMS_MODELS_DIR=str(models_dir),
    )
    assert "ran training/model1_2019/train_model_1_2019.ipynb" in result.stdout

    folder = models_dir / "model1_2019"
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

    executed = nbformat.read(folder / "train_model_1_2019.ipynb", as_version=4)
    outputs = "".join(
        output.get("text", "") for cell in executed.cells for output in cell.get("outputs", [])
    )
    assert "asked for 400 rows at 2019-05-05, got 400" in outputs
    assert "spam_f1" in outputs


def test_committed_notebook_has_no_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")


def test_a_failing_notebook_exits_non_zero_and_keeps_the_executed_copy(
    tmp_path: Path,
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "training.run_notebook", NOTEBOOK],
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
