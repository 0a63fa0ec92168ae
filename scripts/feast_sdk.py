"""Feast's SDK from a script that also starts the services."""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

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
