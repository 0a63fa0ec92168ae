"""The user-data API's storage backends: the one place where the backend is chosen."""

import asyncio
from pathlib import Path

from api.common.settings import LOCAL_DATA_DIR, ServiceSettings
from api.common.storage.backends import (
    DEFAULT_OPTIONS,
    SchemaOptions,
    StorageBackend,
    backend_for,
)
from api.user_data.settings import UserDataSettings
from api.user_data.storage.interfaces import InboxStore

DEFAULT_SQLITE_PATH = LOCAL_DATA_DIR / "user_data.db"


def sqlite_path(settings: ServiceSettings) -> Path:
    return settings.sqlite_path or DEFAULT_SQLITE_PATH


class SqliteInboxBackend(StorageBackend[InboxStore, UserDataSettings]):
    async def open(self, settings: UserDataSettings) -> InboxStore:
        from api.user_data.storage.sqlite_store import SqliteInboxStore

        return await SqliteInboxStore.open(
            sqlite_path(settings), settings.idempotency_key_ttl_seconds
        )

    async def create_tables(self, settings: UserDataSettings, options: SchemaOptions) -> str:
        from api.user_data.storage.sqlite_store import SqliteInboxStore

        store = await SqliteInboxStore.open(sqlite_path(settings))
        try:
            await store.create_schema()
        finally:
            await store.close()
        return f"SQLite database {sqlite_path(settings)}"


class CassandraInboxBackend(StorageBackend[InboxStore, UserDataSettings]):
    async def open(self, settings: UserDataSettings) -> InboxStore:
        from api.user_data.storage.cassandra_store import CassandraInboxStore

        return await CassandraInboxStore.open(
            settings.cassandra(), settings.idempotency_key_ttl_seconds
        )

    async def create_tables(self, settings: UserDataSettings, options: SchemaOptions) -> str:
        from api.common.storage import cassandra
        from api.user_data.storage.cassandra_store import schema

        config = settings.cassandra()
        await asyncio.to_thread(
            cassandra.create_schema,
            config,
            schema(config.keyspace),
            options.create_keyspace,
            options.replication_factor,
        )
        return f"Cassandra keyspace {config.keyspace}"


BACKENDS: dict[str, StorageBackend[InboxStore, UserDataSettings]] = {
    "sqlite": SqliteInboxBackend(),
    "cassandra": CassandraInboxBackend(),
}


async def open_inbox_store(settings: UserDataSettings) -> InboxStore:
    """Open the configured backend's inbox store (its tables must exist already)."""
    return await backend_for(BACKENDS, settings).open(settings)


async def create_inbox_tables(
    settings: UserDataSettings, options: SchemaOptions = DEFAULT_OPTIONS
) -> str:
    """Create the inbox tables on the configured backend; return where they are."""
    return await backend_for(BACKENDS, settings).create_tables(settings, options)
