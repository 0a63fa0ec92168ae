"""A real Apache Cassandra for the tests.

One is found, in this order, once per test session:

1. ``TEST_CASSANDRA_HOSTS`` (with ``TEST_CASSANDRA_PORT``, ``TEST_CASSANDRA_USERNAME``,
   ``TEST_CASSANDRA_PASSWORD``) names a cluster of your own. The tests create keyspaces named
   ``sms_spam_test_*`` in it and drop them afterwards. The services' own ``CASSANDRA_*`` settings
   are not read: a ``.env`` written for the tutorial never points the tests anywhere.
2. Where Java 11/17 and Maven are on the PATH, the project's own local node
   (``scripts/cassandra/local_node.py``) in ``local_data/cassandra-test``, on port 19042 (or on
   free ports, if another program holds that one). The tests start it if it is not running and
   stop it at the end; ``TEST_CASSANDRA_KEEP=1`` leaves it running, so that the next run finds it
   and starts at once.
3. Where a Docker daemon answers, a container started by testcontainers.

Otherwise the Cassandra variants are skipped, and the reason names what is missing. Where Java
and Maven exist, a node that fails to start is an error, never a skip.
"""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import SecretStr

from analysis.paths import PROJECT_ROOT
from api.common.settings import CassandraConfig
from api.common.storage import cassandra
from scripts.cassandra.local_node import LocalNode, missing_tools
from scripts.local_services import free_port, port_is_free

TEST_NODE_HOME = PROJECT_ROOT / "local_data" / "cassandra-test"
TEST_NODE_PORT = 19042
TEST_NODE_STORAGE_PORT = 17000
KEYSPACE_PREFIX = "sms_spam_test_"


@dataclass(frozen=True)
class CassandraTarget:
    """A reachable cluster: where it is, and how the tests got it."""

    hosts: tuple[str, ...]
    port: int
    origin: str
    username: str | None = None
    password: str | None = None

    def config(self, keyspace: str) -> CassandraConfig:
        """The services' view of this cluster, using ``keyspace``."""
        return CassandraConfig(
            keyspace=keyspace,
            hosts=self.hosts,
            port=self.port,
            username=self.username,
            password=SecretStr(self.password) if self.password else None,
        )

    def env(self, keyspace: str) -> dict[str, str]:
        """The environment a service or the Feast CLI reads to use ``keyspace`` on this cluster,
        exactly as a user's ``.env`` would give it (see .env.sample)."""
        return {
            "CASSANDRA_HOSTS": ",".join(self.hosts),
            "CASSANDRA_PORT": str(self.port),
            "CASSANDRA_KEYSPACE": keyspace,
            "CASSANDRA_USERNAME": self.username or "",
            "CASSANDRA_PASSWORD": self.password or "",
        }

    @contextmanager
    def keyspace(self, purpose: str) -> Iterator[str]:
        """A new, empty keyspace for one purpose, dropped when the block ends."""
        name = f"{KEYSPACE_PREFIX}{purpose}_{uuid.uuid4().hex[:8]}"
        cassandra.create_schema(self.config(name), (), create_keyspace=True)
        try:
            yield name
        finally:
            session = cassandra.connect(self.config(name))
            try:
                session.execute(f"DROP KEYSPACE IF EXISTS {name}", timeout=60)
            finally:
                cassandra.shutdown(session)


def config_from_env(env: dict[str, str]) -> CassandraConfig:
    """The config that ``CassandraTarget.env`` describes (to look into a keyspace directly)."""
    return CassandraConfig(
        keyspace=env["CASSANDRA_KEYSPACE"],
        hosts=tuple(env["CASSANDRA_HOSTS"].split(",")),
        port=int(env["CASSANDRA_PORT"]),
        username=env["CASSANDRA_USERNAME"] or None,
        password=SecretStr(env["CASSANDRA_PASSWORD"]) if env["CASSANDRA_PASSWORD"] else None,
    )


def count_rows(env: dict[str, str], table: str) -> int:
    """How many rows ``table`` holds in the keyspace of ``env``, asked of Cassandra itself."""
    config = config_from_env(env)
    session = cassandra.connect(config, config.keyspace)
    try:
        return session.execute(f"SELECT COUNT(*) FROM {table}", timeout=60).one()[0]
    finally:
        cassandra.shutdown(session)


def _from_environment() -> CassandraTarget | None:
    hosts = os.environ.get("TEST_CASSANDRA_HOSTS", "").strip()
    if not hosts:
        return None
    return CassandraTarget(
        hosts=tuple(h.strip() for h in hosts.split(",") if h.strip()),
        port=int(os.environ.get("TEST_CASSANDRA_PORT", "9042")),
        origin=f"TEST_CASSANDRA_HOSTS={hosts}",
        username=os.environ.get("TEST_CASSANDRA_USERNAME") or None,
        password=os.environ.get("TEST_CASSANDRA_PASSWORD") or None,
    )


@contextmanager
def _local_node() -> Iterator[CassandraTarget]:
    node = LocalNode.running_in(TEST_NODE_HOME)
    if node is None:
        # The usual ports, unless another program (another clone's test node, say) has them.
        ports = (TEST_NODE_PORT, TEST_NODE_STORAGE_PORT)
        if not all(port_is_free(port) for port in ports):
            ports = (free_port(), free_port())
        node = LocalNode(TEST_NODE_HOME, *ports)
    started = node.start() > 0
    try:
        yield CassandraTarget(("127.0.0.1",), node.port, origin=f"local node in {node.home}")
    finally:
        if started and os.environ.get("TEST_CASSANDRA_KEEP") != "1":
            node.stop()


@contextmanager
def _container(missing: list[str]) -> Iterator[CassandraTarget]:
    from docker.errors import DockerException
    from testcontainers.community.cassandra import CassandraContainer

    try:
        container = CassandraContainer("cassandra:5.0")
    except DockerException as error:
        pytest.skip(
            "no Cassandra to test against: " + "; ".join(missing) + ", so the project's local "
            f"node cannot run, and no Docker daemon answers for testcontainers "
            f"({type(error).__name__}); TEST_CASSANDRA_HOSTS is not set either"
        )
    with container:
        host, port = container.get_contact_points()[0]
        yield CassandraTarget((host,), port, origin="testcontainers")


@contextmanager
def cassandra_target() -> Iterator[CassandraTarget]:
    """The session's Cassandra (see the module's docstring), or a skip saying what is missing."""
    target = _from_environment()
    if target is not None:
        yield target
        return
    missing = missing_tools()
    if not missing:
        with _local_node() as local:
            yield local
        return
    with _container(missing) as container:
        yield container


def local_node_or_skip(home: Path, port: int, storage_port: int) -> LocalNode:
    """A node of a test's own (one it may stop and restart), or a skip naming what is missing."""
    missing = missing_tools()
    if missing:
        pytest.skip("this test stops and restarts a local Cassandra node: " + "; ".join(missing))
    return LocalNode(home, port, storage_port)
