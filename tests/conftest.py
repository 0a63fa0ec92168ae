"""Fixtures shared by every kind of test."""

# Imported first on purpose. Importing feast.metrics sets PROMETHEUS_MULTIPROCESS_DIR, and a
# prometheus_client imported after that keeps every metric value in files shared by all the
# registries of the process: the apps that the tests build one after another would then add up
# each other's counts. Imported before Feast, prometheus_client keeps values in memory.
import prometheus_client  # noqa: F401  isort: skip

import shutil
from pathlib import Path

import pytest

from analysis.paths import FEATURE_REPO_DIR, PROJECT_ROOT
from tests.support.synthetic_corpus import write_corpus

SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "data" / "sms_spam" / "raw_dataset.csv"


@pytest.fixture(scope="session")
def corpus_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic corpus as a CSV file in the project's format."""
    return write_corpus(tmp_path_factory.mktemp("corpus") / "raw_dataset.csv")


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The real corpus in ../shared; tests that need it skip on a clone without it."""
    if not SHARED_CORPUS.is_file():
        pytest.skip(f"the real corpus is not at {SHARED_CORPUS} (only on the project's machines)")
    return SHARED_CORPUS


def copy_feature_repo(destination: Path) -> Path:
    """A fresh copy of the feature repo's definitions, without its local registry or database.

    The copy sits in ``destination/sms_feature_store`` so that its relative source paths point
    at ``destination/offline_data``.
    """
    repo = destination / FEATURE_REPO_DIR.name
    shutil.copytree(FEATURE_REPO_DIR, repo, ignore=shutil.ignore_patterns("data", "__pycache__"))
    return repo


@pytest.fixture(scope="session")
def models_dir(corpus_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding models v1 and v2 trained on the synthetic corpus."""
    from tests.support.models import train_v1, train_v2

    folder = tmp_path_factory.mktemp("models")
    train_v1(corpus_csv, folder)
    train_v2(corpus_csv, folder)
    return folder


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, as uvicorn does."""
    return "asyncio"
