"""Inboxes on SQLite (the embedded default)."""

import sqlite3
import time
from collections.abc import Callable
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
    """CREATE TABLE IF NOT EXISTS sms_idempotency_keys (
        user_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        sms_id TEXT NOT NULL,
        request_digest TEXT NOT NULL,
        expires_at REAL NOT NULL,
        PRIMARY KEY (user_id, idempotency_key)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS sms_idempotency_keys_expiry ON sms_idempotency_keys (expires_at)",
)
TABLES = ("smss_by_users", "sms_idempotency_keys")

# Expired keys are ignored at once and deleted in bulk every so many claims.
_PURGE_EVERY_CLAIMS = 500

_COLUMNS = "user_id, sms_id, sender_id, sms_text"

Clock = Callable[[], float]


def _row_to_sms(row: tuple[str, str, str, str]) -> StoredSms:
    user_id, sms_id, sender_id, sms_text = row
    return StoredSms(user_id, UUID(sms_id), sender_id, sms_text)


class SqliteInboxStore(InboxStore):
    def __init__(
        self, database: SqliteDatabase, key_ttl_s: float = 86_400, clock: Clock = time.time
    ) -> None:
        self._db = database
        self._key_ttl_s = key_ttl_s
        self._clock = clock
        self._claims = 0

    @classmethod
    async def open(cls, path: Path, key_ttl_s: float = 86_400) -> "SqliteInboxStore":
        database = SqliteDatabase(path)
        await database.open()
        return cls(database, key_ttl_s)

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

    async def claim_key(
        self, user_id: str, key: str, sms_id: UUID, request_digest: str
    ) -> tuple[UUID, str]:
        now = self._clock()
        self._claims += 1
        purge = self._claims % _PURGE_EVERY_CLAIMS == 0

        def claim(connection: sqlite3.Connection) -> tuple[str, str]:
            # IMMEDIATE takes the write lock before the read: another process on the same file
            # cannot claim the key between the two.
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(
                    "DELETE FROM sms_idempotency_keys WHERE user_id = ? AND idempotency_key = ?"
                    " AND expires_at <= ?",
                    (user_id, key, now),
                )
                connection.execute(
                    "INSERT OR IGNORE INTO sms_idempotency_keys VALUES (?, ?, ?, ?, ?)",
                    (user_id, key, str(sms_id), request_digest, now + self._key_ttl_s),
                )
                if purge:
                    connection.execute(
                        "DELETE FROM sms_idempotency_keys WHERE expires_at <= ?", (now,)
                    )
                return connection.execute(
                    "SELECT sms_id, request_digest FROM sms_idempotency_keys"
                    " WHERE user_id = ? AND idempotency_key = ?",
                    (user_id, key),
                ).fetchone()

        claimed_id, claimed_digest = await self._db.run(claim)
        return UUID(claimed_id), claimed_digest

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
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            missing = sorted(set(TABLES) - tables)
            if missing:
                raise RuntimeError(
                    f"tables {missing} are missing in {self._db.path}; "
                    "run python scripts/initialize_user_api_data.py"
                )

        await self._db.run(check)

    async def close(self) -> None:
        await self._db.close()
