"""What the storage contract tests of both services share: a backend's storage opened empty.

Each contract module names its service's ``ContractStorage`` (how to open it on SQLite and on
Cassandra, its CQL schema and its tables) and runs every test on both backends.
"""

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from api.common.settings import CassandraConfig
from api.common.storage import cassandra
from tests.support.cassandra_backend import CassandraTarget

StorageT = TypeVar("StorageT")
# Opens the storage with a TTL of the test's choosing.
Opener = Callable[[int], Awaitable[StorageT]]


@dataclass(frozen=True)
class ContractStorage(Generic[StorageT]):
    """One service's storage as its contract tests open it."""

    schema: Callable[[str], Sequence[str]]  # the CQL statements of a keyspace
    tables: tuple[str, ...]
    open_sqlite: Callable[[Path, int], Awaitable[StorageT]]  # a new file, schema created
    open_cassandra: Callable[[CassandraConfig, int], Awaitable[StorageT]]


@contextmanager
def keyspace_with_schema(
    cluster: CassandraTarget, purpose: str, schema: Callable[[str], Sequence[str]]
) -> Iterator[CassandraConfig]:
    """A new keyspace holding the service's tables, dropped afterwards."""
    with cluster.keyspace(purpose) as keyspace:
        config = cluster.config(keyspace)
        cassandra.create_schema(config, schema(keyspace))
        yield config


@asynccontextmanager
async def opened_empty(
    contract: ContractStorage[StorageT],
    backend: str,
    folder: Path,
    config: CassandraConfig | None,
) -> AsyncIterator[Opener[StorageT]]:
    """An opener for ``backend``'s storage, whose tables start empty; everything it opened is
    closed afterwards. ``config`` is the keyspace on Cassandra, None on SQLite."""
    if backend == "cassandra":
        assert config is not None
        session = cassandra.connect(config, config.keyspace)
        try:
            for table in contract.tables:
                session.execute(f"TRUNCATE {table}")
        finally:
            cassandra.shutdown(session)
    opened: list[Any] = []

    async def open_with(ttl_s: int) -> StorageT:
        if config is None:
            storage = await contract.open_sqlite(folder / "storage.db", ttl_s)
        else:
            storage = await contract.open_cassandra(config, ttl_s)
        opened.append(storage)
        return storage

    try:
        yield open_with
    finally:
        for storage in opened:
            await storage.close()
