"""How the services' Cassandra settings become the driver's ``Cluster``: no server involved.

``Cluster`` is replaced by a recorder of its arguments. Everything that talks to Cassandra is
tested on a real node by the storage contract tests and the Feast-on-Cassandra tests.
"""

from pathlib import Path
from typing import Any

import pytest
from cassandra.cluster import EXEC_PROFILE_DEFAULT
from cassandra.policies import TokenAwarePolicy
from pydantic import SecretStr, ValidationError

from api.common.settings import CassandraConfig, ServiceSettings
from api.common.storage import cassandra


class RecordingCluster:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args = args
        self.kwargs = kwargs


def test_plain_hosts_without_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cassandra, "Cluster", RecordingCluster)
    cluster = cassandra.build_cluster(
        CassandraConfig(keyspace="k", hosts=("10.0.0.1", "10.0.0.2"), port=9043)
    )
    assert cluster.args == (["10.0.0.1", "10.0.0.2"],)
    assert cluster.kwargs["port"] == 9043
    assert cluster.kwargs["auth_provider"] is None
    assert cluster.kwargs["protocol_version"] == 5
    profile = cluster.kwargs["execution_profiles"][EXEC_PROFILE_DEFAULT]
    assert isinstance(profile.load_balancing_policy, TokenAwarePolicy)
    assert profile.request_timeout == 10.0
    delays = cluster.kwargs["reconnection_policy"].new_schedule()
    assert max(next(delays) for _ in range(20)) <= cassandra.MAX_RECONNECT_DELAY_S


def test_plain_hosts_with_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cassandra, "Cluster", RecordingCluster)
    config = CassandraConfig(
        keyspace="k", hosts=("h",), username="app", password=SecretStr("s3cret")
    )
    auth = cassandra.build_cluster(config).kwargs["auth_provider"]
    assert (auth.username, auth.password) == ("app", "s3cret")


def test_astra_bundle_and_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cassandra, "Cluster", RecordingCluster)
    config = CassandraConfig(
        keyspace="k",
        secure_bundle_path=Path("/secrets/bundle.zip"),
        astra_token=SecretStr("AstraCS:x"),
    )
    cluster = cassandra.build_cluster(config)
    assert cluster.kwargs["cloud"] == {"secure_connect_bundle": "/secrets/bundle.zip"}
    auth = cluster.kwargs["auth_provider"]
    assert (auth.username, auth.password) == ("token", "AstraCS:x")
    assert not cluster.args
    # Astra DB negotiates its protocol through the bundle.
    assert "protocol_version" not in cluster.kwargs


def test_settings_build_the_cassandra_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "cassandra")
    monkeypatch.setenv("CASSANDRA_HOSTS", "10.0.0.1, 10.0.0.2")
    monkeypatch.setenv("CASSANDRA_USERNAME", "app")
    monkeypatch.setenv("CASSANDRA_PASSWORD", "s3cret")
    settings = ServiceSettings(_env_file=None)
    config = settings.cassandra()
    assert config.hosts == ("10.0.0.1", "10.0.0.2")
    assert not config.is_astra
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in repr(config)


def test_cassandra_backend_needs_hosts_or_a_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "cassandra")
    with pytest.raises(ValidationError, match="CASSANDRA_HOSTS"):
        ServiceSettings(_env_file=None)
    monkeypatch.setenv("ASTRA_DB_SECURE_BUNDLE_PATH", "/secrets/bundle.zip")
    with pytest.raises(ValidationError, match="ASTRA_DB_APPLICATION_TOKEN"):
        ServiceSettings(_env_file=None)


def test_cors_wildcard_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "*")
    with pytest.raises(ValidationError, match="not allowed"):
        ServiceSettings(_env_file=None)
