"""Fixtures shared by every kind of test."""

# Imported first on purpose. Importing feast.metrics sets PROMETHEUS_MULTIPROCESS_DIR, and a
# prometheus_client imported after that keeps every metric value in files shared by all the
# registries of the process: the apps that the tests build one after another would then add up
# each other's counts. Imported before Feast, prometheus_client keeps values in memory.
import prometheus_client  # noqa: F401  isort: skip

import os
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from analysis.paths import PROJECT_ROOT
from tests.support.asgi import running
from tests.support.cassandra_backend import CassandraTarget, cassandra_target
from tests.support.feature_store import FEAST, build_feature_store, copy_store, run
from tests.support.synthetic_corpus import write_corpus

SHARED_CORPUS = PROJECT_ROOT.parent / "shared" / "data" / "sms_spam" / "raw_dataset.csv"
# Settings a user's shell or `.env` may hold that no test may inherit: the tests set what they
# need themselves. Every setting of .env.sample, and the knobs of the training notebooks.
NOT_INHERITED = {"FEAST_FS_YAML_FILE_PATH", "SMS_FEATURE_REPO", "SMS_MODELS_DIR"}
NOT_INHERITED |= {"SMS_V2_MAX_EPOCHS", "SMS_V3_MAX_EPOCHS"}


def user_settings() -> set[str]:
    """The names of the settings ``.env.sample`` lists (a user's ``.env`` holds some of them)."""
    sample = (PROJECT_ROOT / ".env.sample").read_text()
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", sample, flags=re.MULTILINE))


def pytest_configure(config: pytest.Config) -> None:
    """Run the tests in the same environment whatever the caller's: `make` exports `.env` to
    every command, and a `.env` copied from `.env.sample` (``SMS_RAW_DATASET``, the
    ``CASSANDRA_*`` settings, ``STORAGE_BACKEND``...) must not change what a test does."""
    for name in user_settings() | NOT_INHERITED:
        os.environ.pop(name, None)


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


@pytest.fixture(scope="session")
def models_dir(corpus_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding models v1, v2 and v3 trained on the synthetic corpus."""
    from tests.support.models import train_v1, train_v2, train_v3

    folder = tmp_path_factory.mktemp("models")
    train_v1(corpus_csv, folder)
    train_v2(corpus_csv, folder)
    train_v3(corpus_csv, folder)
    return folder


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio, as uvicorn does."""
    return "asyncio"


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the module's ``app`` fixture in process, under its lifespan."""
    async with running(app) as http:
        yield http


@pytest.fixture(scope="session")
def feature_repo(corpus_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A feature repo applied at stage 2020 over the synthetic corpus."""
    return build_feature_store(corpus_csv, tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="session")
def online_store(feature_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the store at stage 2021 with its online store materialized up to 2021."""
    repo = copy_store(feature_repo, tmp_path_factory.mktemp("online"), 2021)
    run([str(FEAST), "-c", str(repo), "materialize", "2019-01-01T00:00:00", "2021-01-01T00:00:00"])
    return repo


@pytest.fixture(scope="session")
def cassandra_cluster() -> Iterator[CassandraTarget]:
    """A real Cassandra for the whole session (tests/support/cassandra_backend.py says which)."""
    with cassandra_target() as target:
        yield target
