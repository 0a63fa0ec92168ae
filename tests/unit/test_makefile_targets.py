"""The Makefile's file targets, asked with `make -n` (nothing runs): `make stack` builds what is
missing and skips what is done, also after pushes have grown the v2 Parquet file."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT

# Every input and output of `make stack`, oldest first: each step's output after its inputs.
BUILT_IN_ORDER = [
    "requirements.txt",
    "requirements-dev.txt",
    "pyproject.toml",
    ".venv/.installed",
    "raw_data/raw_dataset.csv",
    "analysis/features1/cue_words.json",
    "sms_feature_store/feature_definitions.py",
    "offline_data/sms_features1.parquet",
    "models/model2_2020/tokenizer/tokenizer.json",
    "offline_data/sms_features2.parquet",
    "offline_data/.sms_features2.written",
    "sms_feature_store/data/.stage-2021-applied",
    "models/model1_2019/metadata.json",
    "models/model2_2020/classifier/metadata.json",
    "models/model3_2021/classifier/metadata.json",
    "client/sms_web_app/package.json",
    "client/sms_web_app/package-lock.json",
    "client/sms_web_app/node_modules/.package-lock.json",
]


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A project folder in which every step of `make stack` is done."""
    shutil.copy(PROJECT_ROOT / "Makefile", tmp_path / "Makefile")
    for age, name in enumerate(BUILT_IN_ORDER):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
        stamp = 1_000_000_000 + 60 * age
        os.utime(path, (stamp, stamp))
    return tmp_path


def planned(folder: Path) -> str:
    """What `make stack` would run there."""
    result = subprocess.run(
        ["make", "-n", "stack"], cwd=folder, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_a_built_project_only_starts_the_stack(built: Path) -> None:
    plan = planned(built)
    assert "run_stack.py" in plan
    for step in ("run_notebook", "create_", "apply"):
        assert step not in plan, plan


def test_pushes_to_the_v2_parquet_file_retrain_nothing(built: Path) -> None:
    os.utime(built / "offline_data" / "sms_features2.parquet")  # a push appended rows now
    plan = planned(built)
    assert "run_notebook" not in plan, plan
    assert "apply" not in plan, plan


def test_the_v2_sources_are_written_again_when_their_file_is_gone(built: Path) -> None:
    (built / "offline_data" / "sms_features2.parquet").unlink()
    plan = planned(built)
    assert "create_offline_sources_2.py" in plan
    assert "train_model_2_2020" in plan
    assert "train_model_3_2021" in plan
    assert "train_model_1_2019" not in plan


def test_new_cue_words_rebuild_every_model(built: Path) -> None:
    os.utime(built / "analysis" / "features1" / "cue_words.json")
    plan = planned(built)
    for notebook in ("train_model_1_2019", "train_model_2_2020", "train_model_3_2021"):
        assert notebook in plan
