"""The ``-c``/``-f`` options that the sampler and the explorer share with Feast's CLI, and how the
sampler prints values."""

import argparse
from pathlib import Path

import pytest

from analysis.paths import FEATURE_REPO_DIR
from scripts.feast_sdk import add_repo_options, repo_and_yaml, yaml_problem
from scripts.online_store_sampler import format_value


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_repo_options(parser)
    return parser.parse_args(argv)


def test_defaults_are_the_project_repo_and_its_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FEATURE_REPO_DIR_ENV_VAR", raising=False)
    monkeypatch.delenv("FEAST_FS_YAML_FILE_PATH", raising=False)
    assert repo_and_yaml(parse()) == (FEATURE_REPO_DIR, FEATURE_REPO_DIR / "feature_store.yaml")


def test_options_win_over_variables_and_resolve_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FEATURE_REPO_DIR_ENV_VAR", "/elsewhere/repo")
    monkeypatch.setenv("FEAST_FS_YAML_FILE_PATH", "/elsewhere/store.yaml")
    assert repo_and_yaml(parse()) == (Path("/elsewhere/repo"), Path("/elsewhere/store.yaml"))
    assert repo_and_yaml(parse("-c", "repo", "--feature-store-yaml", "x.yaml")) == (
        tmp_path / "repo",
        tmp_path / "x.yaml",
    )
    # The yaml defaults to the variable even when the repo is given, as in Feast's CLI.
    assert repo_and_yaml(parse("--repo", "r")) == (tmp_path / "r", Path("/elsewhere/store.yaml"))


def test_a_yaml_whose_variables_are_unset_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cassandra_yaml = FEATURE_REPO_DIR / "feature_store.cassandra.yaml"
    variables = [f"CASSANDRA_{name}" for name in ("HOSTS", "PORT", "KEYSPACE", "USERNAME")]
    for name in variables:
        monkeypatch.setenv(name, "")
    monkeypatch.delenv("CASSANDRA_PASSWORD", raising=False)
    problem = yaml_problem(cassandra_yaml)
    assert problem is not None
    assert "reads CASSANDRA_PASSWORD from the environment" in problem
    monkeypatch.setenv("CASSANDRA_PASSWORD", "")
    assert yaml_problem(cassandra_yaml) is None
    assert yaml_problem(FEATURE_REPO_DIR / "feature_store.yaml") is None
    assert yaml_problem(FEATURE_REPO_DIR / "missing.yaml") == (
        f"no feature store yaml at {FEATURE_REPO_DIR / 'missing.yaml'}"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ([0] * 45 + [12, 7, 301], "[0]*45 + [12, 7, 301]"),
        ([0] * 48, "[0]*48"),
        ([0, 5, 0], "[0, 5, 0]"),
        ([3, 4], "[3, 4]"),
        (0.123456, "0.1235"),
        (1, "1"),
        (None, "None"),
    ],
)
def test_values_are_printed_short_and_exact_in_what_they_say(value: object, shown: str) -> None:
    assert format_value(value) == shown
