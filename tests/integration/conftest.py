"""Integration fixtures: real scripts and the real Feast CLI, in temporary folders."""

import os
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


def build_feature_store(corpus_csv: Path, workdir: Path) -> Path:
    """Offline sources from ``corpus_csv`` and a feature repo applied at stage 2019, in
    ``workdir``; return the repo folder."""
    repo = copy_feature_repo(workdir)
    run(
        [
            sys.executable,
            "scripts/create_offline_sources_1.py",
            "--dataset",
            str(corpus_csv),
            "--output-dir",
            str(workdir / "offline_data"),
        ]
    )
    run([str(FEAST), "-c", str(repo), "apply"], FEAST_STORE_STAGE="2019")
    return repo


@pytest.fixture(scope="session")
def feature_repo(corpus_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A feature repo applied at stage 2019 over the synthetic corpus."""
    return build_feature_store(corpus_csv, tmp_path_factory.mktemp("store"))
