"""A real Cassandra for the storage contract tests, when one can be had.

- ``CASSANDRA_HOSTS`` (and optionally ``CASSANDRA_PORT``, ``CASSANDRA_USERNAME``,
  ``CASSANDRA_PASSWORD``) names a running cluster; the tests use the keyspace
  ``CASSANDRA_TEST_KEYSPACE`` (default ``sms_spam_test``), created if missing;
- otherwise testcontainers starts one, if a Docker daemon answers;
- otherwise the Cassandra variants are skipped, saying why.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from pydantic import SecretStr

from api.common.settings import CassandraConfig

TEST_KEYSPACE = os.environ.get("CASSANDRA_TEST_KEYSPACE", "sms_spam_test")


@contextmanager
def cassandra_config() -> Iterator[CassandraConfig]:
    """Yield a config for a reachable Cassandra, or skip the test with the reason."""
    hosts = os.environ.get("CASSANDRA_HOSTS", "").strip()
    if hosts:
        password = os.environ.get("CASSANDRA_PASSWORD")
        yield CassandraConfig(
            keyspace=TEST_KEYSPACE,
            hosts=tuple(h.strip() for h in hosts.split(",") if h.strip()),
            port=int(os.environ.get("CASSANDRA_PORT", "9042")),
            username=os.environ.get("CASSANDRA_USERNAME") or None,
            password=SecretStr(password) if password else None,
        )
        return
    try:
        from docker.errors import DockerException
        from testcontainers.community.cassandra import CassandraContainer
    except ImportError as error:  # pragma: no cover - the dev requirements install both
        pytest.skip(f"Cassandra tests need testcontainers ({error})")
    try:
        container = CassandraContainer("cassandra:4.1")
    except DockerException as error:
        pytest.skip(
            "no Cassandra to test against: CASSANDRA_HOSTS is not set and no Docker daemon "
            f"answers for testcontainers ({type(error).__name__})"
        )
    with container:
        host, port = container.get_contact_points()[0]
        yield CassandraConfig(keyspace=TEST_KEYSPACE, hosts=(host,), port=port)
