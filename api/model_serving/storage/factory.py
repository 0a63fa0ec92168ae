"""The model-serving API's storage backends: the one place where the backend is chosen."""

import asyncio
from pathlib import Path

from api.common.settings import LOCAL_DATA_DIR, ServiceSettings
from api.common.storage.backends import (
    DEFAULT_OPTIONS,
    SchemaOptions,
    StorageBackend,
    backend_for,
)
from api.model_serving.settings import ModelServingSettings
from api.model_serving.storage.interfaces import ServingStorage

DEFAULT_SQLITE_PATH = LOCAL_DATA_DIR / "model_serving.db"


def sqlite_path(settings: ServiceSettings) -> Path:
    return settings.sqlite_path or DEFAULT_SQLITE_PATH


class SqliteServingBackend(StorageBackend[ServingStorage, ModelServingSettings]):
    async def open(self, settings: ModelServingSettings) -> ServingStorage:
        from api.model_serving.storage.sqlite_store import SqliteServingStorage

        return await SqliteServingStorage.open(
            sqlite_path(settings), settings.cache_ttl_seconds, settings.call_log_ttl_seconds
        )

    async def create_tables(self, settings: ModelServingSettings, options: SchemaOptions) -> str:
        from api.model_serving.storage.sqlite_store import SqliteServingStorage

        storage = await SqliteServingStorage.open(
            sqlite_path(settings), settings.cache_ttl_seconds, settings.call_log_ttl_seconds
        )
        try:
            await storage.create_schema()
        finally:
            await storage.close()
        return f"SQLite database {sqlite_path(settings)}"


class CassandraServingBackend(StorageBackend[ServingStorage, ModelServingSettings]):
    async def open(self, settings: ModelServingSettings) -> ServingStorage:
        from api.model_serving.storage.cassandra_store import CassandraServingStorage

        return await CassandraServingStorage.open(
            settings.cassandra(), settings.cache_ttl_seconds, settings.call_log_ttl_seconds
        )

    async def create_tables(self, settings: ModelServingSettings, options: SchemaOptions) -> str:
        from api.common.storage import cassandra
        from api.model_serving.storage.cassandra_store import schema

        config = settings.cassandra()
        await asyncio.to_thread(
            cassandra.create_schema,
            config,
            schema(config.keyspace),
            options.create_keyspace,
            options.replication_factor,
        )
        return f"Cassandra keyspace {config.keyspace}"


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
