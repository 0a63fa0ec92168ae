"""The feature store of the tests: built from a corpus by the real scripts and the real Feast
CLI, in temporary folders."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from feast import FeatureStore

from analysis.paths import FEATURE_REPO_DIR, PROJECT_ROOT


def copy_feature_repo(destination: Path) -> Path:
    """A fresh copy of the feature repo's definitions, without its local registry or database.

    The copy sits in ``destination/sms_feature_store`` so that its relative source paths point
    at ``destination/offline_data``.
    """
    repo = destination / FEATURE_REPO_DIR.name
    shutil.copytree(FEATURE_REPO_DIR, repo, ignore=shutil.ignore_patterns("data", "__pycache__"))
    return repo


FEAST = Path(sys.executable).with_name("feast")


@dataclass(frozen=True)
class OnlineStore:
    """The online store a copy of the repo is used with: the embedded SQLite default
    (``feature_store.yaml``) or Cassandra (the repo's own ``feature_store.cassandra.yaml``, which
    takes everything from the ``CASSANDRA_*`` variables in ``env``)."""

    name: str
    env: Mapping[str, str] = field(default_factory=dict)

    @property
    def yaml_name(self) -> str:
        return "feature_store.yaml" if self.name == "sqlite" else f"feature_store.{self.name}.yaml"

    def yaml(self, repo: Path) -> Path:
        return repo / self.yaml_name

    def cli(self, repo: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        """``feast -c REPO -f YAML ARGS...`` as a user types it, with this store's settings."""
        return run(
            [str(FEAST), "-c", str(repo), "-f", str(self.yaml(repo)), *args], **self.env, **env
        )

    def sdk(self, repo: Path) -> FeatureStore:
        """The SDK's ``FeatureStore`` on this yaml, its variables expanded from ``env``."""
        with environment(self.env):
            return FeatureStore(repo_path=str(repo), fs_yaml_file=self.yaml(repo))


SQLITE = OnlineStore("sqlite")


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in this process's environment for the block, then restore it."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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


def copy_store(feature_repo: Path, workdir: Path, stage: int, online: OnlineStore = SQLITE) -> Path:
    """A private copy of the store built by ``build_feature_store`` (pushes append to its
    Parquet files), applied at ``stage`` in ``workdir`` with the ``online`` store; return the
    repo folder."""
    repo = copy_feature_repo(workdir)
    shutil.copytree(feature_repo.parent / "offline_data", workdir / "offline_data")
    online.cli(repo, "apply", FEAST_STORE_STAGE=str(stage))
    return repo
