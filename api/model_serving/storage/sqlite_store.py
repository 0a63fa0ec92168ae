"""The model-serving stores on SQLite (the embedded default)."""

import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from api.common.storage.sqlite import SqliteDatabase
from api.model_serving.storage.interfaces import (
    CacheKey,
    CallLog,
    CallRecord,
    PredictionCache,
    ServingStorage,
)

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS prediction_cache (
        endpoint TEXT NOT NULL,
        model_version TEXT NOT NULL,
        artifact_fingerprint TEXT NOT NULL,
        input_digest TEXT NOT NULL,
        payload TEXT NOT NULL,
        expires_at REAL NOT NULL,
        PRIMARY KEY (endpoint, model_version, artifact_fingerprint, input_digest)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS call_log (
        caller_id TEXT NOT NULL,
        called_at_us INTEGER NOT NULL,
        call_id TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        model_version TEXT NOT NULL,
        input TEXT NOT NULL,
        output TEXT NOT NULL,
        items INTEGER NOT NULL,
        from_cache INTEGER NOT NULL,
        expires_at REAL NOT NULL,
        PRIMARY KEY (caller_id, model_version, called_at_us, call_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS call_log_expiry ON call_log (expires_at)",
    "CREATE INDEX IF NOT EXISTS prediction_cache_expiry ON prediction_cache (expires_at)",
)

_SELECT_PAYLOAD = (
    "SELECT payload FROM prediction_cache WHERE endpoint = ? AND model_version = ?"
    " AND artifact_fingerprint = ? AND input_digest = ? AND expires_at > ?"
)
INLINE_LOOKUPS = 8

# Expired rows are invisible to reads at once; they are deleted in bulk every so many writes.
_PURGE_EVERY_WRITES = 500

# Rows per INSERT statement. The sqlite3 module releases the GIL around every statement it steps,
# and under load the event loop holds the GIL: a writer thread that steps once per row (as
# ``executemany`` does) waits for the GIL once per row, and fell behind the requests it records.
# One statement per few hundred rows waits once for all of them (the rates are measured by
# ``make bench``). 500 rows of 10 columns stay far below SQLite's limit of 32,766 variables.
_ROWS_PER_STATEMENT = 500


def _insert_rows(
    connection: sqlite3.Connection, insert: str, columns: int, rows: Sequence[tuple]
) -> None:
    """``insert`` ("INSERT ... INTO table") for every row, a few hundred rows per statement, in
    one transaction."""
    placeholders = "(" + ", ".join("?" * columns) + ")"
    with connection:
        connection.execute("BEGIN")
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            part = rows[start : start + _ROWS_PER_STATEMENT]
            connection.execute(
                f"{insert} VALUES {', '.join([placeholders] * len(part))}",
                [value for row in part for value in row],
            )


Clock = Callable[[], float]


class _Purger:
    def __init__(self, table: str) -> None:
        self._table = table
        self._writes = 0

    def after_write(self, connection: sqlite3.Connection, now: float) -> None:
        self._writes += 1
        if self._writes % _PURGE_EVERY_WRITES == 0:
            connection.execute(f"DELETE FROM {self._table} WHERE expires_at <= ?", (now,))  # noqa: S608 (fixed name)


def _key_values(key: CacheKey) -> tuple[str, str, str, str]:
    return (key.endpoint, key.model_version, key.artifact_fingerprint, key.input_digest)


class SqlitePredictionCache(PredictionCache):
    def __init__(self, database: SqliteDatabase, ttl_s: float, clock: Clock = time.time) -> None:
        self._db = database
        self._ttl_s = ttl_s
        self._clock = clock
        self._purger = _Purger("prediction_cache")

    async def get_many(self, keys: Sequence[CacheKey]) -> dict[CacheKey, str]:
        now = self._clock()
        unique = list(dict.fromkeys(keys))

        def read(lookup: Callable[[str, tuple], tuple | None]) -> dict[CacheKey, str]:
            found = {}
            for key in unique:
                row = lookup(_SELECT_PAYLOAD, (*_key_values(key), now))
                if row is not None:
                    found[key] = row[0]
            return found

        # A few point lookups are quicker on the event loop than a trip to the worker thread;
        # a large batch of them goes to the worker so that the loop keeps serving.
        if len(unique) <= INLINE_LOOKUPS:
            return read(self._db.read_point)
        return await self._db.run(
            lambda connection: read(lambda q, p: connection.execute(q, p).fetchone())
        )

    async def put_many(self, entries: Mapping[CacheKey, str]) -> None:
        now = self._clock()
        items = list(entries.items())

        def write(connection: sqlite3.Connection) -> None:
            expires_at = now + self._ttl_s
            rows = [(*_key_values(key), payload, expires_at) for key, payload in items]
            _insert_rows(connection, "INSERT OR REPLACE INTO prediction_cache", 6, rows)
            self._purger.after_write(connection, now)

        await self._db.run(write)


class SqliteCallLog(CallLog):
    def __init__(self, database: SqliteDatabase, ttl_s: float, clock: Clock = time.time) -> None:
        self._db = database
        self._ttl_s = ttl_s
        self._clock = clock
        self._purger = _Purger("call_log")

    async def append_many(self, entries: Sequence[tuple[str, CallRecord]]) -> None:
        now = self._clock()

        def write(connection: sqlite3.Connection) -> None:
            expires_at = now + self._ttl_s
            rows = [
                (
                    caller_id,
                    int(record.called_at.timestamp() * 1_000_000),
                    str(record.call_id),
                    record.endpoint,
                    record.model_version,
                    record.input,
                    record.output,
                    record.items,
                    record.from_cache,
                    expires_at,
                )
                for caller_id, record in entries
            ]
            # OR REPLACE: a batch written again after a failure does not fail on its own rows.
            _insert_rows(connection, "INSERT OR REPLACE INTO call_log", 10, rows)
            self._purger.after_write(connection, now)

        await self._db.run(write)

    async def recent(
        self, caller_id: str, model_version: str, limit: int
    ) -> AsyncIterator[CallRecord]:
        now = self._clock()

        def read(connection: sqlite3.Connection) -> list[tuple]:
            return connection.execute(
                "SELECT called_at_us, call_id, endpoint, model_version, input, output, items,"
                " from_cache FROM call_log WHERE caller_id = ? AND model_version = ?"
                " AND expires_at > ? ORDER BY called_at_us DESC, call_id DESC LIMIT ?",
                (caller_id, model_version, now, limit),
            ).fetchall()

        for (
            called_at_us,
            call_id,
            endpoint,
            version,
            input_,
            output,
            items,
            cached,
        ) in await self._db.run(read):
            yield CallRecord(
                call_id=UUID(call_id),
                called_at=datetime.fromtimestamp(called_at_us / 1_000_000, UTC),
                endpoint=endpoint,
                model_version=version,
                input=input_,
                output=output,
                items=items,
                from_cache=cached,
            )


class SqliteServingStorage(ServingStorage):
    def __init__(
        self,
        database: SqliteDatabase,
        cache_ttl_s: float,
        call_log_ttl_s: float,
        clock: Clock = time.time,
    ) -> None:
        self._db = database
        self.cache = SqlitePredictionCache(database, cache_ttl_s, clock)
        self.call_log = SqliteCallLog(database, call_log_ttl_s, clock)

    @classmethod
    async def open(
        cls, path: Path, cache_ttl_s: float, call_log_ttl_s: float, clock: Clock = time.time
    ) -> "SqliteServingStorage":
        database = SqliteDatabase(path)
        await database.open()
        return cls(database, cache_ttl_s, call_log_ttl_s, clock)

    async def create_schema(self) -> None:
        await self._db.execute_script(SCHEMA)

    async def ping(self) -> None:
        def check(connection: sqlite3.Connection) -> None:
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            missing = {"prediction_cache", "call_log"} - tables
            if missing:
                raise RuntimeError(
                    f"tables {sorted(missing)} are missing in {self._db.path}; "
                    "run python scripts/initialize_model_serving_api_caches.py"
                )

        await self._db.run(check)

    async def close(self) -> None:
        await self._db.close()
