"""Inboxes on Cassandra / Astra DB: the table ``smss_by_users``."""

import asyncio
from uuid import UUID

from cassandra.cluster import Session

from api.common.settings import CassandraConfig
from api.common.storage import cassandra
from api.user_data.storage.interfaces import InboxStore, StoredSms


def schema(keyspace: str) -> tuple[str, ...]:
    """The CQL that ``scripts/initialize_user_api_data.py`` runs."""
    return (
        f"""CREATE TABLE IF NOT EXISTS {keyspace}.smss_by_users (
            user_id text,
            sms_id timeuuid,
            sender_id text,
            sms_text text,
            PRIMARY KEY ((user_id), sms_id)
        ) WITH CLUSTERING ORDER BY (sms_id DESC)""",
        f"""CREATE TABLE IF NOT EXISTS {keyspace}.sms_idempotency_keys (
            user_id text,
            idempotency_key text,
            sms_id timeuuid,
            request_digest text,
            PRIMARY KEY ((user_id, idempotency_key))
        ) WITH default_time_to_live = 86400""",
    )


class CassandraInboxStore(InboxStore):
    def __init__(self, session: Session, key_ttl_s: int = 86_400) -> None:
        self._session = session
        self._key_ttl_s = key_ttl_s
        # A lightweight transaction: of two concurrent claims of a key, exactly one applies,
        # and the other reads the winner's row in the answer.
        self._claim = session.prepare(
            "INSERT INTO sms_idempotency_keys (user_id, idempotency_key, sms_id, request_digest)"
            " VALUES (?, ?, ?, ?) IF NOT EXISTS USING TTL ?"
        )
        self._insert = session.prepare(
            "INSERT INTO smss_by_users (user_id, sms_id, sender_id, sms_text) VALUES (?, ?, ?, ?)"
        )
        self._select_one = session.prepare(
            "SELECT user_id, sms_id, sender_id, sms_text FROM smss_by_users"
            " WHERE user_id = ? AND sms_id = ?"
        )
        self._select_first = session.prepare(
            "SELECT user_id, sms_id, sender_id, sms_text FROM smss_by_users"
            " WHERE user_id = ? LIMIT ?"
        )
        self._select_below = session.prepare(
            "SELECT user_id, sms_id, sender_id, sms_text FROM smss_by_users"
            " WHERE user_id = ? AND sms_id < ? LIMIT ?"
        )
        self._ping = session.prepare("SELECT user_id FROM smss_by_users LIMIT 1")

    @classmethod
    async def open(cls, config: CassandraConfig, key_ttl_s: int = 86_400) -> "CassandraInboxStore":
        def connect_and_prepare() -> "CassandraInboxStore":
            session = cassandra.connect(config, config.keyspace)
            try:
                return cls(session, key_ttl_s)
            except Exception as error:
                cassandra.shutdown(session)
                raise RuntimeError(
                    f"cannot prepare the inbox statements in keyspace {config.keyspace} "
                    f"({error}); run python scripts/initialize_user_api_data.py"
                ) from error

        return await asyncio.to_thread(connect_and_prepare)

    async def add(self, sms: StoredSms) -> None:
        await cassandra.execute(
            self._session, self._insert, (sms.user_id, sms.sms_id, sms.sender_id, sms.sms_text)
        )

    async def claim_key(
        self, user_id: str, key: str, sms_id: UUID, request_digest: str
    ) -> tuple[UUID, str]:
        rows = await cassandra.execute(
            self._session, self._claim, (user_id, key, sms_id, request_digest, self._key_ttl_s)
        )
        row = rows[0]
        if row.applied:
            return sms_id, request_digest
        return row.sms_id, row.request_digest

    async def get(self, user_id: str, sms_id: UUID) -> StoredSms | None:
        rows = await cassandra.execute(self._session, self._select_one, (user_id, sms_id))
        return _to_sms(rows[0]) if rows else None

    async def _newest(self, user_id: str, below: UUID | None, limit: int) -> list[StoredSms]:
        if below is None:
            rows = await cassandra.execute(self._session, self._select_first, (user_id, limit))
        else:
            rows = await cassandra.execute(
                self._session, self._select_below, (user_id, below, limit)
            )
        return [_to_sms(row) for row in rows]

    async def ping(self) -> None:
        await cassandra.execute(self._session, self._ping)

    async def close(self) -> None:
        await asyncio.to_thread(cassandra.shutdown, self._session)


def _to_sms(row: object) -> StoredSms:
    return StoredSms(row.user_id, row.sms_id, row.sender_id, row.sms_text)  # type: ignore[attr-defined]
