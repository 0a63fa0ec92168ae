"""The one place where the user-data API's storage backend is chosen."""

from pathlib import Path

from api.common.settings import LOCAL_DATA_DIR, ServiceSettings
from api.user_data.settings import UserDataSettings
from api.user_data.storage.interfaces import InboxStore

DEFAULT_SQLITE_PATH = LOCAL_DATA_DIR / "user_data.db"


def sqlite_path(settings: ServiceSettings) -> Path:
    return settings.sqlite_path or DEFAULT_SQLITE_PATH


async def open_inbox_store(settings: UserDataSettings) -> InboxStore:
    """Open the configured backend (its table must exist already); the SQLite default never
    loads the Cassandra driver."""
    if settings.storage_backend == "cassandra":
        from api.user_data.storage.cassandra_store import CassandraInboxStore

        return await CassandraInboxStore.open(
            settings.cassandra(), settings.idempotency_key_ttl_seconds
        )
    from api.user_data.storage.sqlite_store import SqliteInboxStore

    return await SqliteInboxStore.open(sqlite_path(settings), settings.idempotency_key_ttl_seconds)
