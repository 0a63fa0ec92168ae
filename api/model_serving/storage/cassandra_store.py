"""The model-serving stores on Cassandra / Astra DB.

Statements are prepared once, when the storage opens; every request runs them asynchronously.
Expiry is Cassandra's own: each write carries a TTL.
"""

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence

from cassandra.cluster import Session
from cassandra.query import BatchStatement, BatchType, PreparedStatement

from api.common.settings import CassandraConfig
from api.common.storage import cassandra
from api.common.timeuuid import timeuuid_datetime
from api.model_serving.storage.interfaces import (
    CacheKey,
    CallLog,
    CallRecord,
    PredictionCache,
    ServingStorage,
)

# Call-log rows per single-partition batch: a few tens of kilobytes each.
_ROWS_PER_BATCH = 100


def schema(keyspace: str) -> tuple[str, ...]:
    """The CQL that ``scripts/initialize_model_serving_api_caches.py`` runs."""
    return (
        f"""CREATE TABLE IF NOT EXISTS {keyspace}.prediction_cache (
            endpoint text,
            model_version text,
            artifact_fingerprint text,
            input_digest text,
            payload text,
            PRIMARY KEY ((endpoint, model_version, artifact_fingerprint, input_digest))
        )""",
        f"""CREATE TABLE IF NOT EXISTS {keyspace}.call_log (
            caller_id text,
            call_id timeuuid,
            endpoint text,
            model_version text,
            input text,
            output text,
            items int,
            from_cache int,
            PRIMARY KEY ((caller_id, model_version), call_id)
        ) WITH CLUSTERING ORDER BY (call_id DESC) AND default_time_to_live = 3600""",
    )


class CassandraPredictionCache(PredictionCache):
    def __init__(self, session: Session, ttl_s: int) -> None:
        self._session = session
        self._ttl_s = ttl_s
        self._select = session.prepare(
            "SELECT payload FROM prediction_cache WHERE endpoint = ? AND model_version = ?"
            " AND artifact_fingerprint = ? AND input_digest = ?"
        )
        self._insert = session.prepare(
            "INSERT INTO prediction_cache (endpoint, model_version, artifact_fingerprint,"
            " input_digest, payload) VALUES (?, ?, ?, ?, ?) USING TTL ?"
        )

    async def get_many(self, keys: Sequence[CacheKey]) -> dict[CacheKey, str]:
        # One single-partition read per key, all in flight at once: the Cassandra way to read
        # several partitions (an IN over partition keys would load one coordinator instead).
        unique = list(dict.fromkeys(keys))
        results = await asyncio.gather(
            *(
                cassandra.execute(
                    self._session,
                    self._select,
                    (k.endpoint, k.model_version, k.artifact_fingerprint, k.input_digest),
                )
                for k in unique
            )
        )
        return {key: rows[0].payload for key, rows in zip(unique, results, strict=True) if rows}

    async def put_many(self, entries: Mapping[CacheKey, str]) -> None:
        await asyncio.gather(
            *(
                cassandra.execute(
                    self._session,
                    self._insert,
                    (
                        k.endpoint,
                        k.model_version,
                        k.artifact_fingerprint,
                        k.input_digest,
                        payload,
                        self._ttl_s,
                    ),
                )
                for k, payload in entries.items()
            )
        )


class CassandraCallLog(CallLog):
    def __init__(self, session: Session, ttl_s: int) -> None:
        self._session = session
        self._ttl_s = ttl_s
        self._insert = session.prepare(
            "INSERT INTO call_log (caller_id, call_id, endpoint, model_version, input, output,"
            " items, from_cache) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?"
        )
        self._select = session.prepare(
            "SELECT call_id, endpoint, model_version, input, output, items, from_cache"
            " FROM call_log WHERE caller_id = ? AND model_version = ? LIMIT ?"
        )

    async def append_many(self, entries: Sequence[tuple[str, CallRecord]]) -> None:
        # A partition is one caller's calls to one version. Its rows go in unlogged batches of
        # that partition alone, which Cassandra applies as one mutation (no batch log, and no
        # batch-size warning, which concerns batches across partitions); the partitions are
        # written concurrently. Under load one busy caller sends hundreds of rows per flush,
        # and one statement per row cost the event loop a callback each.
        partitions: dict[tuple[str, str], list[CallRecord]] = {}
        for caller_id, record in entries:
            partitions.setdefault((caller_id, record.model_version), []).append(record)
        statements: list[BatchStatement | PreparedStatement] = []
        arguments: list[tuple] = []
        for (caller_id, _), records in partitions.items():
            for start in range(0, len(records), _ROWS_PER_BATCH):
                rows = [self._row(caller_id, r) for r in records[start : start + _ROWS_PER_BATCH]]
                if len(rows) == 1:
                    statements.append(self._insert)
                    arguments.append(rows[0])
                    continue
                batch = BatchStatement(batch_type=BatchType.UNLOGGED)
                for row in rows:
                    batch.add(self._insert, row)
                statements.append(batch)
                arguments.append(())
        await asyncio.gather(
            *(
                cassandra.execute(self._session, statement, values)
                for statement, values in zip(statements, arguments, strict=True)
            )
        )

    def _row(self, caller_id: str, record: CallRecord) -> tuple:
        return (
            caller_id,
            record.call_id,
            record.endpoint,
            record.model_version,
            record.input,
            record.output,
            record.items,
            record.from_cache,
            self._ttl_s,
        )

    async def recent(
        self, caller_id: str, model_version: str, limit: int
    ) -> AsyncIterator[CallRecord]:
        rows = await cassandra.execute(
            self._session, self._select, (caller_id, model_version, limit)
        )
        for row in rows:
            yield CallRecord(
                call_id=row.call_id,
                called_at=timeuuid_datetime(row.call_id),
                endpoint=row.endpoint,
                model_version=row.model_version,
                input=row.input,
                output=row.output,
                items=row.items,
                from_cache=row.from_cache,
            )


class CassandraServingStorage(ServingStorage):
    def __init__(self, session: Session, cache_ttl_s: int, call_log_ttl_s: int) -> None:
        self._session = session
        self.cache = CassandraPredictionCache(session, cache_ttl_s)
        self.call_log = CassandraCallLog(session, call_log_ttl_s)
        self._ping = session.prepare("SELECT caller_id FROM call_log LIMIT 1")

    @classmethod
    async def open(
        cls, config: CassandraConfig, cache_ttl_s: int, call_log_ttl_s: int
    ) -> "CassandraServingStorage":
        def connect_and_prepare() -> "CassandraServingStorage":
            session = cassandra.connect(config, config.keyspace)
            try:
                return cls(session, cache_ttl_s, call_log_ttl_s)
            except Exception as error:
                cassandra.shutdown(session)
                raise RuntimeError(
                    f"cannot prepare the model-serving statements in keyspace {config.keyspace}"
                    f" ({error}); run python scripts/initialize_model_serving_api_caches.py"
                ) from error

        return await asyncio.to_thread(connect_and_prepare)

    async def ping(self) -> None:
        await cassandra.execute(self._session, self._ping)

    async def close(self) -> None:
        await asyncio.to_thread(cassandra.shutdown, self._session)
