"""Cassandra and Astra DB sessions, and awaiting the driver's asynchronous execution.

The driver is synchronous to set up (connecting, preparing) and asynchronous to run statements:
``execute_async`` returns a ``ResponseFuture`` whose callbacks fire on the driver's own threads.
``execute`` turns that into an awaitable, so request handlers never block the event loop.
"""

import asyncio
from collections.abc import Sequence
from typing import Any

from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import (
    EXEC_PROFILE_DEFAULT,
    Cluster,
    ExecutionProfile,
    ResponseFuture,
    Session,
)
from cassandra.policies import (
    DCAwareRoundRobinPolicy,
    ExponentialReconnectionPolicy,
    TokenAwarePolicy,
)

from api.common.settings import CassandraConfig

ASTRA_USERNAME = "token"  # Astra DB takes the literal user "token" with the token as password
# After a node comes back, the driver reconnects within this many seconds (its own default waits
# up to ten minutes between attempts, which would keep a service on its fallbacks long after an
# outage is over).
MAX_RECONNECT_DELAY_S = 30.0


def build_cluster(config: CassandraConfig) -> Cluster:
    """A ``Cluster`` for plain contact points (auth optional) or an Astra DB bundle.

    Requests go token-aware to a replica in the local data centre, and time out after
    ``config.request_timeout_s``.
    """
    profile = ExecutionProfile(
        load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy()),
        request_timeout=config.request_timeout_s,
    )
    common: dict[str, Any] = {
        "execution_profiles": {EXEC_PROFILE_DEFAULT: profile},
        "reconnection_policy": ExponentialReconnectionPolicy(1.0, MAX_RECONNECT_DELAY_S),
    }
    if config.is_astra:
        assert config.astra_token is not None
        return Cluster(
            cloud={"secure_connect_bundle": str(config.secure_bundle_path)},
            auth_provider=PlainTextAuthProvider(
                ASTRA_USERNAME, config.astra_token.get_secret_value()
            ),
            **common,
        )
    auth = None
    if config.username:
        password = config.password.get_secret_value() if config.password else ""
        auth = PlainTextAuthProvider(config.username, password)
    if config.protocol_version is not None:
        common["protocol_version"] = config.protocol_version
    return Cluster(list(config.hosts), port=config.port, auth_provider=auth, **common)


def connect(config: CassandraConfig, keyspace: str | None = None) -> Session:
    """Connect (blocking: call it from a thread or at start-up) and use ``keyspace``."""
    return build_cluster(config).connect(keyspace)


def shutdown(session: Session) -> None:
    session.cluster.shutdown()


async def execute(session: Session, statement: Any, parameters: Sequence[Any] = ()) -> list[Any]:
    """Run a (prepared) statement without blocking the event loop; return its first page of rows."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[list[Any]] = loop.create_future()
    response: ResponseFuture = session.execute_async(statement, parameters)

    def on_rows(rows: Any) -> None:
        loop.call_soon_threadsafe(_resolve, done, list(rows or ()))

    def on_error(error: BaseException) -> None:
        loop.call_soon_threadsafe(_fail, done, error)

    response.add_callbacks(on_rows, on_error)
    return await done


def _resolve(future: asyncio.Future[list[Any]], rows: list[Any]) -> None:
    if not future.done():
        future.set_result(rows)


def _fail(future: asyncio.Future[list[Any]], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)


def create_schema(
    config: CassandraConfig,
    statements: Sequence[str],
    create_keyspace: bool = False,
    replication_factor: int = 1,
) -> None:
    """Run a service's CQL schema (blocking; for the initialisation scripts and tests).

    With ``create_keyspace``, the keyspace is created first with SimpleStrategy, which suits a
    cluster of your own; Astra DB keyspaces are created in its console.
    """
    session = connect(config)
    try:
        if create_keyspace:
            session.execute(
                f"CREATE KEYSPACE IF NOT EXISTS {config.keyspace} WITH replication = "
                f"{{'class': 'SimpleStrategy', 'replication_factor': {int(replication_factor)}}}"
            )
        for statement in statements:
            session.execute(statement)
    finally:
        shutdown(session)
