"""The one place where the model-serving API's storage backend is chosen."""

from pathlib import Path

from api.common.settings import LOCAL_DATA_DIR, ServiceSettings
from api.model_serving.storage.interfaces import ServingStorage

DEFAULT_SQLITE_PATH = LOCAL_DATA_DIR / "model_serving.db"


def sqlite_path(settings: ServiceSettings) -> Path:
    return settings.sqlite_path or DEFAULT_SQLITE_PATH


async def open_serving_storage(
    settings: ServiceSettings, cache_ttl_s: int, call_log_ttl_s: int
) -> ServingStorage:
    """Open the configured backend's stores (the tables must exist already).

    Each backend is imported only when chosen: the SQLite default never loads the Cassandra
    driver.
    """
    if settings.storage_backend == "cassandra":
        from api.model_serving.storage.cassandra_store import CassandraServingStorage

        return await CassandraServingStorage.open(settings.cassandra(), cache_ttl_s, call_log_ttl_s)
    from api.model_serving.storage.sqlite_store import SqliteServingStorage

    return await SqliteServingStorage.open(sqlite_path(settings), cache_ttl_s, call_log_ttl_s)
