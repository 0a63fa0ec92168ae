"""The Cassandra cluster a script works on: the one ``.env`` names, or the project's local node.

``make stack STORE=cassandra`` and ``make bench`` use it, so that "on Cassandra" needs no more
than Java and Maven on a fresh clone, and nothing but ``.env`` on a cluster of your own.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from api.common.settings import ServiceSettings
from api.common.storage import cassandra
from scripts.cassandra.local_node import LocalNode, NodeError

logger = logging.getLogger(__name__)


@contextmanager
def cassandra_environment(keyspace: str | None = None) -> Iterator[dict[str, str]]:
    """The ``CASSANDRA_*`` variables of the cluster to use, its keyspace created if missing.

    ``CASSANDRA_HOSTS`` (environment or ``.env``) names a cluster of your own; without it, the
    project's local node runs, started here if it is not running yet and stopped when the block
    ends if it was started here. ``keyspace`` overrides ``CASSANDRA_KEYSPACE``.
    """
    settings = ServiceSettings(storage_backend="sqlite")
    updates: dict[str, object] = {}
    if keyspace is not None:
        updates["cassandra_keyspace"] = keyspace
    node: LocalNode | None = None
    started = False
    if not settings.cassandra_hosts:
        node = LocalNode()
        logger.info("Cassandra: the local node in %s (make cassandra)", node.home)
        try:
            started = node.start() > 0
        except NodeError as error:
            raise SystemExit(f"cannot start the local Cassandra node: {error}") from error
        updates |= {"cassandra_hosts": ["127.0.0.1"], "cassandra_port": node.port}
    settings = settings.model_copy(update=updates)
    password = settings.cassandra_password
    env = {
        "CASSANDRA_HOSTS": ",".join(settings.cassandra_hosts),
        "CASSANDRA_PORT": str(settings.cassandra_port),
        "CASSANDRA_KEYSPACE": settings.cassandra_keyspace,
        "CASSANDRA_USERNAME": settings.cassandra_username or "",
        "CASSANDRA_PASSWORD": password.get_secret_value() if password else "",
    }
    logger.info("Cassandra: keyspace %s on %s", settings.cassandra_keyspace, env["CASSANDRA_HOSTS"])
    cassandra.create_schema(settings.cassandra(), (), create_keyspace=True)
    try:
        yield env
    finally:
        if node is not None and started:
            logger.info("stopping the local Cassandra node")
            node.stop()
