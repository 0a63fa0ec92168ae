"""The model-serving API's storage backends: the one place where the backend is chosen."""

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
from api.model_serving.settings import ModelServingSettings
from api.model_serving.storage.interfaces import ServingStorage

if TYPE_CHECKING:
    from api.model_serving.storage.sqlite_store import SqliteServingStorage

SQLITE_FILE = "model_serving.db"


class SqliteServingBackend(StorageBackend[ServingStorage, ModelServingSettings]):
    async def open(self, settings: ModelServingSettings) -> "SqliteServingStorage":
        from api.model_serving.storage.sqlite_store import SqliteServingStorage

        return await SqliteServingStorage.open(
            sqlite_file(settings, SQLITE_FILE),
            settings.cache_ttl_seconds,
            settings.call_log_ttl_seconds,
        )

    async def create_tables(self, settings: ModelServingSettings, options: SchemaOptions) -> str:
        return await create_sqlite_tables(
            await self.open(settings), sqlite_file(settings, SQLITE_FILE)
        )


class CassandraServingBackend(StorageBackend[ServingStorage, ModelServingSettings]):
    async def open(self, settings: ModelServingSettings) -> ServingStorage:
        from api.model_serving.storage.cassandra_store import CassandraServingStorage

        return await CassandraServingStorage.open(
            settings.cassandra(), settings.cache_ttl_seconds, settings.call_log_ttl_seconds
        )

    async def create_tables(self, settings: ModelServingSettings, options: SchemaOptions) -> str:
        from api.model_serving.storage.cassandra_store import schema

        return await create_cassandra_tables(settings, schema, options)


BACKENDS: dict[str, StorageBackend[ServingStorage, ModelServingSettings]] = {
    "sqlite": SqliteServingBackend(),
    "cassandra": CassandraServingBackend(),
}


async def open_serving_storage(settings: ModelServingSettings) -> ServingStorage:
    """Open the configured backend's cache and call log (the tables must exist already)."""
    return await backend_for(BACKENDS, settings).open(settings)


async def create_serving_tables(
    settings: ModelServingSettings, options: SchemaOptions = DEFAULT_OPTIONS
) -> str:
    """Create the prediction cache and call log tables on the configured backend."""
    return await backend_for(BACKENDS, settings).create_tables(settings, options)
