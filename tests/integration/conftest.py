"""Integration fixtures: real scripts and the real Feast CLI, in temporary folders."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cassandra_backend import CassandraTarget
from tests.support.feature_store import SQLITE, OnlineStore, build_feature_store, run

NOTEBOOKS = (
    "training/model1_2019/train_model_1_2019.ipynb",
    "training/model2_2020/train_model_2_2020.ipynb",
    "training/model3_2021/train_model_3_2021.ipynb",
)


def train_models(repo: Path, keras_max_epochs: int | None = None) -> Path:
    """Every training notebook, run headless by the real runner over the feature repo built by
    ``build_feature_store``; the models land in ``repo.parent / "models"``, returned."""
    models = repo.parent / "models"
    env = {"SMS_FEATURE_REPO": str(repo), "SMS_MODELS_DIR": str(models)}
    if keras_max_epochs is not None:
        env["SMS_V2_MAX_EPOCHS"] = env["SMS_V3_MAX_EPOCHS"] = str(keras_max_epochs)
    run([sys.executable, "-m", "training.run_notebook", *NOTEBOOKS], **env)
    return models


@pytest.fixture(scope="session")
def trained_store(feature_repo: Path) -> Path:
    """The synthetic corpus through every training notebook (v2 and v3 capped at 3 epochs)."""
    train_models(feature_repo, keras_max_epochs=3)
    return feature_repo.parent


@pytest.fixture(scope="session")
def real_store(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real corpus through every training notebook, as `make demo` runs them."""
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


@pytest.fixture(scope="module", params=["sqlite", "cassandra"])
def online(request: pytest.FixtureRequest) -> Iterator[OnlineStore]:
    """Each online store a module's tests run on: SQLite, then a new Cassandra keyspace named
    after the module, dropped when the module is done."""
    if request.param == "sqlite":
        yield SQLITE
        return
    cluster: CassandraTarget = request.getfixturevalue("cassandra_cluster")
    purpose = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    with cluster.keyspace(purpose) as keyspace:
        yield OnlineStore("cassandra", cluster.env(keyspace))
