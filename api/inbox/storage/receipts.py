"""Receipts by ``Idempotency-Key``: a gateway that sends a message again gets the first answer.

A row is written once a message is accepted (201 or 202) under a key, and kept for
``IDEMPOTENCY_KEY_TTL_SECONDS``; a repeat with the same key and body is answered from it, also
after a restart. Like the outbox, it lives in this instance's own SQLite file.
"""

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from api.common.storage.sqlite import SqliteDatabase

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS receipts (
        idempotency_key TEXT PRIMARY KEY,
        request_digest TEXT NOT NULL,
        status INTEGER NOT NULL,
        receipt TEXT NOT NULL,
        expires_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS receipts_expiry ON receipts (expires_at)",
)

# Expired receipts are ignored at once and deleted in bulk every so many writes.
_PURGE_EVERY_WRITES = 500


@dataclass(frozen=True)
class StoredReceipt:
    request_digest: str
    status: int
    receipt: dict[str, Any]


class ReceiptLog:
    def __init__(
        self, database: SqliteDatabase, ttl_s: float, clock: Callable[[], float] = time.time
    ) -> None:
        self._db = database
        self._ttl_s = ttl_s
        self._clock = clock
        self._writes = 0

    @classmethod
    async def open(cls, database: SqliteDatabase, ttl_s: float) -> "ReceiptLog":
        """The receipts kept in ``database`` (an open SQLite file), their table made if missing."""
        await database.execute_script(SCHEMA)
        return cls(database, ttl_s)

    async def get(self, key: str) -> StoredReceipt | None:
        """The unexpired receipt of ``key``, if any."""
        now = self._clock()

        def read(connection: sqlite3.Connection) -> tuple | None:
            return connection.execute(
                "SELECT request_digest, status, receipt FROM receipts"
                " WHERE idempotency_key = ? AND expires_at > ?",
                (key, now),
            ).fetchone()

        row = await self._db.run(read)
        if row is None:
            return None
        digest, status, receipt = row
        return StoredReceipt(digest, status, json.loads(receipt))

    async def put(self, key: str, receipt: StoredReceipt) -> None:
        now = self._clock()
        self._writes += 1
        purge = self._writes % _PURGE_EVERY_WRITES == 0
        row = (
            key,
            receipt.request_digest,
            receipt.status,
            json.dumps(receipt.receipt),
            now + self._ttl_s,
        )

        def write(connection: sqlite3.Connection) -> None:
            with connection:
                connection.execute("INSERT OR REPLACE INTO receipts VALUES (?, ?, ?, ?, ?)", row)
                if purge:
                    connection.execute("DELETE FROM receipts WHERE expires_at <= ?", (now,))

        await self._db.run(write)
