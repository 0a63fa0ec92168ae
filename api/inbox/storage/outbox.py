"""The outbox: messages already in an inbox whose features are not pushed yet.

A row is written when the model API or the feature server fails after the message was stored,
and deleted once its features are pushed; each row's retries back off exponentially. The outbox
is this instance's own SQLite file, on purpose: it is a spool of the few messages that wait, and
as a queue on Cassandra it would leave a tombstone for every message delivered.

It keeps the text, not the features: when the model API was the one down, they are computed
again on the retry, by whatever model version is then served.
"""

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from api.common.storage.sqlite import SqliteDatabase

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS pending_pushes (
        sms_id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL,
        sms_text TEXT NOT NULL,
        date_sent TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        next_attempt_at REAL NOT NULL,
        last_error TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS pending_pushes_due ON pending_pushes (next_attempt_at)",
)


@dataclass(frozen=True)
class PendingPush:
    sms_id: str
    user_id: str
    sms_text: str
    date_sent: datetime
    attempts: int = 0


class Outbox:
    def __init__(self, database: SqliteDatabase) -> None:
        self._db = database

    @classmethod
    async def open(cls, path: Path) -> "Outbox":
        database = SqliteDatabase(path)
        await database.open()
        await database.execute_script(SCHEMA)
        return cls(database)

    @property
    def database(self) -> SqliteDatabase:
        """The instance's SQLite file, which the receipts share."""
        return self._db

    async def close(self) -> None:
        await self._db.close()

    async def put(self, item: PendingPush, next_attempt_at: float, error: str) -> None:
        """Add ``item``, or record another failed attempt of it."""
        row = (
            item.sms_id,
            item.user_id,
            item.sms_text,
            item.date_sent.isoformat(),
            item.attempts,
            next_attempt_at,
            error,
        )

        def write(connection: sqlite3.Connection) -> None:
            with connection:
                connection.execute(
                    "INSERT OR REPLACE INTO pending_pushes VALUES (?, ?, ?, ?, ?, ?, ?)", row
                )

        await self._db.run(write)

    async def due(self, now: float, limit: int) -> list[PendingPush]:
        """The items whose next attempt is due, the longest-waiting first."""

        def read(connection: sqlite3.Connection) -> list[tuple]:
            return connection.execute(
                "SELECT sms_id, user_id, sms_text, date_sent, attempts FROM pending_pushes"
                " WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
                (now, limit),
            ).fetchall()

        return [
            PendingPush(sms_id, user_id, text, datetime.fromisoformat(sent), attempts)
            for sms_id, user_id, text, sent, attempts in await self._db.run(read)
        ]

    async def next_attempt_at(self) -> float | None:
        def read(connection: sqlite3.Connection) -> float | None:
            return connection.execute("SELECT MIN(next_attempt_at) FROM pending_pushes").fetchone()[
                0
            ]

        return await self._db.run(read)

    async def delete(self, sms_id: str) -> None:
        def write(connection: sqlite3.Connection) -> None:
            with connection:
                connection.execute("DELETE FROM pending_pushes WHERE sms_id = ?", (sms_id,))

        await self._db.run(write)

    async def count(self) -> int:
        def read(connection: sqlite3.Connection) -> int:
            return connection.execute("SELECT COUNT(*) FROM pending_pushes").fetchone()[0]

        return await self._db.run(read)
