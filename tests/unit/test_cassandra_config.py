"""Cassandra code paths that need no server: configuration and statement preparation.

These are unit tests with stand-ins for the driver's session; the behaviour against a real
Cassandra is covered by the storage contract tests, which run when a cluster is reachable.
"""

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from api.common.settings import CassandraConfig, ServiceSettings
from api.common.storage import cassandra
from api.model_serving.storage.cassandra_store import CassandraServingStorage, schema


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
    assert cluster.kwargs == {"port": 9043, "auth_provider": None}


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


class FakeSession:
    def __init__(self) -> None:
        self.prepared: list[str] = []

    def prepare(self, query: str) -> str:
        self.prepared.append(query)
        return query


def test_statements_are_prepared_once_when_storage_opens() -> None:
    session = FakeSession()
    storage = CassandraServingStorage(session, cache_ttl_s=60, call_log_ttl_s=3600)  # type: ignore[arg-type]
    prepared_at_open = list(session.prepared)
    assert len(prepared_at_open) == 5
    assert any(
        q.startswith("INSERT INTO prediction_cache") and "USING TTL ?" in q
        for q in prepared_at_open
    )
    assert any(q.startswith("SELECT call_id") and "LIMIT ?" in q for q in prepared_at_open)
    assert storage.cache is not None
    assert session.prepared == prepared_at_open


def test_schema_orders_the_call_log_newest_first() -> None:
    cache_table, call_log_table = schema("ks")
    assert "ks.prediction_cache" in cache_table
    assert "PRIMARY KEY ((caller_id, model_version), call_id)" in call_log_table
    assert "CLUSTERING ORDER BY (call_id DESC)" in call_log_table
