"""Inboxes on SQLite (the embedded default)."""

import sqlite3
from pathlib import Path
from uuid import UUID

from api.common.storage.sqlite import SqliteDatabase
from api.user_data.storage.interfaces import InboxStore, StoredSms

# ``sms_time`` is the TIMEUUID's own 60-bit timestamp (100 ns ticks), so rows sort exactly as
# Cassandra sorts the TIMEUUID clustering column.
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS smss_by_users (
        user_id TEXT NOT NULL,
        sms_time INTEGER NOT NULL,
        sms_id TEXT NOT NULL,
        sender_id TEXT NOT NULL,
        sms_text TEXT NOT NULL,
        PRIMARY KEY (user_id, sms_time, sms_id)
    ) WITHOUT ROWID""",
)

_COLUMNS = "user_id, sms_id, sender_id, sms_text"


def _row_to_sms(row: tuple[str, str, str, str]) -> StoredSms:
    user_id, sms_id, sender_id, sms_text = row
    return StoredSms(user_id, UUID(sms_id), sender_id, sms_text)


class SqliteInboxStore(InboxStore):
    def __init__(self, database: SqliteDatabase) -> None:
        self._db = database

    @classmethod
    async def open(cls, path: Path) -> "SqliteInboxStore":
        database = SqliteDatabase(path)
        await database.open()
        return cls(database)

    async def create_schema(self) -> None:
        await self._db.execute_script(SCHEMA)

    async def add(self, sms: StoredSms) -> None:
        row = (sms.user_id, sms.sms_id.time, str(sms.sms_id), sms.sender_id, sms.sms_text)

        def write(connection: sqlite3.Connection) -> None:
            with connection:
                connection.execute(
                    "INSERT OR REPLACE INTO smss_by_users"
                    " (user_id, sms_time, sms_id, sender_id, sms_text) VALUES (?, ?, ?, ?, ?)",
                    row,
                )

        await self._db.run(write)

    async def get(self, user_id: str, sms_id: UUID) -> StoredSms | None:
        def read(connection: sqlite3.Connection) -> tuple | None:
            return connection.execute(
                f"SELECT {_COLUMNS} FROM smss_by_users"  # noqa: S608 (fixed column list)
                " WHERE user_id = ? AND sms_time = ? AND sms_id = ?",
                (user_id, sms_id.time, str(sms_id)),
            ).fetchone()

        row = await self._db.run(read)
        return _row_to_sms(row) if row else None

    async def _newest(self, user_id: str, below: UUID | None, limit: int) -> list[StoredSms]:
        def read(connection: sqlite3.Connection) -> list[tuple]:
            if below is None:
                return connection.execute(
                    f"SELECT {_COLUMNS} FROM smss_by_users WHERE user_id = ?"  # noqa: S608
                    " ORDER BY sms_time DESC, sms_id DESC LIMIT ?",
                    (user_id, limit),
                ).fetchall()
            return connection.execute(
                f"SELECT {_COLUMNS} FROM smss_by_users WHERE user_id = ?"  # noqa: S608
                " AND (sms_time < ? OR (sms_time = ? AND sms_id < ?))"
                " ORDER BY sms_time DESC, sms_id DESC LIMIT ?",
                (user_id, below.time, below.time, str(below), limit),
            ).fetchall()

        return [_row_to_sms(row) for row in await self._db.run(read)]

    async def ping(self) -> None:
        def check(connection: sqlite3.Connection) -> None:
            found = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'smss_by_users'"
            ).fetchone()
            if found is None:
                raise RuntimeError(
                    f"table smss_by_users is missing in {self._db.path}; "
                    "run python scripts/initialize_user_api_data.py"
                )

        await self._db.run(check)

    async def close(self) -> None:
        await self._db.close()
