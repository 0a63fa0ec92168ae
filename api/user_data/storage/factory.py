"""The user-data API's storage backends: the one place where the backend is chosen."""

from typing import TYPE_CHECKING

from api.common.storage.backends import (
    DEFAULT_OPTIONS,
    SchemaOptions,
    StorageBackend,
    backend_for,
    create_cassandra_tables,
    create_sqlite_tables,
    sqlite_file,
)
from api.user_data.settings import UserDataSettings
from api.user_data.storage.interfaces import InboxStore

if TYPE_CHECKING:
    from api.user_data.storage.sqlite_store import SqliteInboxStore

SQLITE_FILE = "user_data.db"


class SqliteInboxBackend(StorageBackend[InboxStore, UserDataSettings]):
    async def open(self, settings: UserDataSettings) -> "SqliteInboxStore":
        from api.user_data.storage.sqlite_store import SqliteInboxStore

        return await SqliteInboxStore.open(
            sqlite_file(settings, SQLITE_FILE), settings.idempotency_key_ttl_seconds
        )

    async def create_tables(self, settings: UserDataSettings, options: SchemaOptions) -> str:
        return await create_sqlite_tables(
            await self.open(settings), sqlite_file(settings, SQLITE_FILE)
        )


class CassandraInboxBackend(StorageBackend[InboxStore, UserDataSettings]):
    async def open(self, settings: UserDataSettings) -> InboxStore:
        from api.user_data.storage.cassandra_store import CassandraInboxStore

        return await CassandraInboxStore.open(
            settings.cassandra(), settings.idempotency_key_ttl_seconds
        )

    async def create_tables(self, settings: UserDataSettings, options: SchemaOptions) -> str:
        from api.user_data.storage.cassandra_store import schema

        return await create_cassandra_tables(settings, schema, options)


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
