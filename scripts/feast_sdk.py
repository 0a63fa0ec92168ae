"""Feast's SDK from the scripts: the repo and yaml options of Feast's CLI, and a store opened
from a script that also starts the services."""

import argparse
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.paths import FEATURE_REPO_DIR

if TYPE_CHECKING:
    from feast import FeatureStore

PROMETHEUS_DIR = "PROMETHEUS_MULTIPROCESS_DIR"


def open_feature_store(repo: Path, fs_yaml: Path, env: Mapping[str, str]) -> "FeatureStore":
    """The repo's store with the yaml ``fs_yaml``, whose ``${...}`` settings come from ``env``.

    Importing Feast points prometheus_client at a folder of its own through the environment;
    the services a script starts after this must not inherit that, or they would keep their
    metrics in files, so it is taken out again.
    """
    had_metrics_dir = PROMETHEUS_DIR in os.environ
    from feast import FeatureStore

    if not had_metrics_dir:
        os.environ.pop(PROMETHEUS_DIR, None)
    os.environ.update(env)
    return FeatureStore(repo_path=str(repo), fs_yaml_file=fs_yaml)


# The variables through which Feast's CLI takes its `-c` and `-f` defaults.
REPO_DIR_VARIABLE = "FEATURE_REPO_DIR_ENV_VAR"
FS_YAML_VARIABLE = "FEAST_FS_YAML_FILE_PATH"


def add_repo_options(parser: argparse.ArgumentParser) -> None:
    """Give a script Feast's CLI options for choosing the repo and its yaml (``-c``, ``-f``)."""
    parser.add_argument(
        "-c",
        "--repo",
        "--chdir",
        type=Path,
        default=None,
        help=f"the feature repo (default: ${REPO_DIR_VARIABLE}, else {FEATURE_REPO_DIR.name}/)",
    )
    parser.add_argument(
        "-f",
        "--fs-yaml",
        "--feature-store-yaml",
        type=Path,
        default=None,
        help=f"the feature store yaml (default: ${FS_YAML_VARIABLE}, else the repo's "
        "feature_store.yaml); a Cassandra yaml reads the CASSANDRA_* variables",
    )


def repo_and_yaml(args: argparse.Namespace) -> tuple[Path, Path]:
    """The repo folder and the yaml that the options of ``add_repo_options`` select, resolved the
    way Feast's CLI resolves them (relative paths from the current directory)."""
    repo_option = args.repo or os.environ.get(REPO_DIR_VARIABLE)
    repo = Path(repo_option).absolute() if repo_option else FEATURE_REPO_DIR
    yaml_option = args.fs_yaml or os.environ.get(FS_YAML_VARIABLE)
    fs_yaml = Path(yaml_option).absolute() if yaml_option else repo / "feature_store.yaml"
    return repo, fs_yaml


def yaml_problem(fs_yaml: Path) -> str | None:
    """Why Feast could not load ``fs_yaml`` as it stands, or None: a missing file, or ``${...}``
    variables that the environment does not set (Feast would fail on them with a YAML error)."""
    if not fs_yaml.is_file():
        return f"no feature store yaml at {fs_yaml}"
    names = dict.fromkeys(re.findall(r"\$\{(\w+)\}", fs_yaml.read_text()))
    unset = [name for name in names if name not in os.environ]
    if unset:
        return (
            f"{fs_yaml.name} reads {', '.join(unset)} from the environment, which "
            f"{'does' if len(unset) == 1 else 'do'} not set {'it' if len(unset) == 1 else 'them'}"
            " (see .env.sample; an empty value is allowed)"
        )
    return None
