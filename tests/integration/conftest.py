"""Integration fixtures: real scripts and the real Feast CLI, in temporary folders."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT
from tests.conftest import copy_feature_repo

FEAST = Path(sys.executable).with_name("feast")


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """Run a command from the project root as a user would; fail the test with its output."""
    result = subprocess.run(
        args,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def build_feature_store(corpus_csv: Path, workdir: Path, stage: int = 2020) -> Path:
    """Everything the feature store needs, made from ``corpus_csv`` by the real scripts, and the
    repo applied at ``stage``, in ``workdir``; return the repo folder.

    Layout: ``workdir/sms_feature_store`` (the repo), ``workdir/offline_data`` (its sources) and
    ``workdir/models/model2_2020/tokenizer/tokenizer.json`` (the v2 tokenizer).
    """
    repo = copy_feature_repo(workdir)
    offline = workdir / "offline_data"
    tokenizer = workdir / "models" / "model2_2020" / "tokenizer" / "tokenizer.json"
    dataset = ["--dataset", str(corpus_csv)]
    run(
        [
            sys.executable,
            "scripts/create_offline_sources_1.py",
            *dataset,
            "--output-dir",
            str(offline),
        ]
    )
    run([sys.executable, "scripts/create_tokenizer_2.py", *dataset, "--output", str(tokenizer)])
    run(
        [
            sys.executable,
            "scripts/create_offline_sources_2.py",
            *dataset,
            "--output-dir",
            str(offline),
            "--tokenizer",
            str(tokenizer),
        ]
    )
    run([str(FEAST), "-c", str(repo), "apply"], FEAST_STORE_STAGE=str(stage))
    return repo


@pytest.fixture(scope="session")
def feature_repo(corpus_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A feature repo applied at stage 2020 over the synthetic corpus."""
    return build_feature_store(corpus_csv, tmp_path_factory.mktemp("store"))


def copy_store(feature_repo: Path, workdir: Path, stage: int) -> Path:
    """A private copy of the store built by ``build_feature_store`` (pushes append to its
    Parquet files), applied at ``stage`` in ``workdir``; return the repo folder."""
    repo = copy_feature_repo(workdir)
    shutil.copytree(feature_repo.parent / "offline_data", workdir / "offline_data")
    run([str(FEAST), "-c", str(repo), "apply"], FEAST_STORE_STAGE=str(stage))
    return repo


@pytest.fixture(scope="session")
def online_store(feature_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the store at stage 2021 with its online store materialized up to 2021."""
    repo = copy_store(feature_repo, tmp_path_factory.mktemp("online"), 2021)
    run([str(FEAST), "-c", str(repo), "materialize", "2019-01-01T00:00:00", "2021-01-01T00:00:00"])
    return repo


NOTEBOOKS = (
    "training/model1_2019/train_model_1_2019.ipynb",
    "training/model2_2020/train_model_2_2020.ipynb",
)


def train_models(repo: Path, v2_max_epochs: int | None = None) -> Path:
    """Both training notebooks, run headless by the real runner over the feature repo built by
    ``build_feature_store``; the models land in ``repo.parent / "models"``, returned."""
    models = repo.parent / "models"
    env = {"SMS_FEATURE_REPO": str(repo), "SMS_MODELS_DIR": str(models)}
    if v2_max_epochs is not None:
        env["SMS_V2_MAX_EPOCHS"] = str(v2_max_epochs)
    run([sys.executable, "-m", "training.run_notebook", *NOTEBOOKS], **env)
    return models


@pytest.fixture(scope="session")
def trained_store(feature_repo: Path) -> Path:
    """The synthetic corpus through the whole of chapters 1 and 2 (v2 capped at 3 epochs)."""
    train_models(feature_repo, v2_max_epochs=3)
    return feature_repo.parent


@pytest.fixture(scope="session")
def real_store(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real corpus through the whole of chapters 1 and 2, as `make demo` runs them."""
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
    train_models(build_feature_store(raw, workdir))
    return workdir
