"""The feature store of the tests: built from a corpus by the real scripts and the real Feast
CLI, in temporary folders."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


def copy_store(feature_repo: Path, workdir: Path, stage: int) -> Path:
    """A private copy of the store built by ``build_feature_store`` (pushes append to its
    Parquet files), applied at ``stage`` in ``workdir``; return the repo folder."""
    repo = copy_feature_repo(workdir)
    shutil.copytree(feature_repo.parent / "offline_data", workdir / "offline_data")
    run([str(FEAST), "-c", str(repo), "apply"], FEAST_STORE_STAGE=str(stage))
    return repo
