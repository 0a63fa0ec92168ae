"""The storage backends a service can run on, as one table per service.

Each service's ``storage/factory.py`` maps every ``STORAGE_BACKEND`` value to a ``StorageBackend``
that knows how to open the service's storage and how to create its tables. The app opens
storage through it and the initialisation script creates tables through it, so the choice of
backend is written once per service. A backend imports its driver only when it is used: the
SQLite default never loads the Cassandra driver.
"""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from api.common.settings import LOCAL_DATA_DIR, ServiceSettings

StorageT = TypeVar("StorageT")
SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


@dataclass(frozen=True)
class SchemaOptions:
    """How to create tables. The keyspace options apply to Cassandra; Astra DB keyspaces are
    created in its console."""

    create_keyspace: bool = False
    replication_factor: int = 1


DEFAULT_OPTIONS = SchemaOptions()


class StorageBackend(ABC, Generic[StorageT, SettingsT]):
    """Opens one service's storage on one backend, and creates its tables there."""

    @abstractmethod
    async def open(self, settings: SettingsT) -> StorageT:
        """The service's storage, ready to use (its tables must exist already)."""

    @abstractmethod
    async def create_tables(self, settings: SettingsT, options: SchemaOptions) -> str:
        """Create the tables if they do not exist; return where they are, for a person."""


def backend_for(
    backends: Mapping[str, StorageBackend[StorageT, SettingsT]], settings: SettingsT
) -> StorageBackend[StorageT, SettingsT]:
    """The backend ``settings.storage_backend`` names."""
    try:
        return backends[settings.storage_backend]
    except KeyError:
        raise ValueError(
            f"STORAGE_BACKEND={settings.storage_backend!r} is not one of {sorted(backends)}"
        ) from None


def sqlite_file(settings: ServiceSettings, default_name: str) -> Path:
    """The SQLite database a service uses: ``SQLITE_PATH``, or ``default_name`` in local_data."""
    return settings.sqlite_path or LOCAL_DATA_DIR / default_name


class SqliteSchema(Protocol):
    async def create_schema(self) -> None: ...

    async def close(self) -> None: ...


async def create_sqlite_tables(storage: SqliteSchema, path: Path) -> str:
    """Create a just-opened SQLite storage's tables, then close it."""
    try:
        await storage.create_schema()
    finally:
        await storage.close()
    return f"SQLite database {path}"


async def create_cassandra_tables(
    settings: ServiceSettings, schema: Callable[[str], Sequence[str]], options: SchemaOptions
) -> str:
    """Run a service's CQL schema (``schema(keyspace)``) on the cluster the settings name."""
    from api.common.storage import cassandra

    config = settings.cassandra()
    await asyncio.to_thread(
        cassandra.create_schema,
        config,
        schema(config.keyspace),
        options.create_keyspace,
        options.replication_factor,
    )
    return f"Cassandra keyspace {config.keyspace}"
