"""What the user-data API needs from storage, independent of the backend.

An inbox is the table ``smss_by_users``: partition ``user_id``, rows ordered by ``sms_id``, a
TIMEUUID, newest first. Beside it, ``sms_idempotency_keys`` remembers for a day which message
each ``Idempotency-Key`` of a user stored, so that a POST sent again stores nothing twice.

Paging is by keyset: a page token names the last message of the page, and the next page starts
just below it. Both backends page this way, so they agree on every page, and a message that
arrives while a user pages through never shifts what comes next.
"""

import base64
import binascii
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from api.common.timeuuid import timeuuid_datetime


@dataclass(frozen=True)
class StoredSms:
    user_id: str
    sms_id: UUID  # a TIMEUUID: it orders the inbox and carries the date sent
    sender_id: str
    sms_text: str

    @property
    def date_sent(self) -> datetime:
        return timeuuid_datetime(self.sms_id)


class InvalidPageTokenError(ValueError):
    """A page token this API did not issue."""


# A token is the 16 bytes of a version-1 UUID in unpadded URL-safe base64: 22 characters, the
# 9th holding the version (0001) in its top bits and the 11th the RFC variant (10) in its low
# ones. Every string of this form is a token ``decode_page_token`` accepts.
_B64 = "[A-Za-z0-9_-]"
PAGE_TOKEN_PATTERN = f"^{_B64}{{8}}[EFGH]{_B64}[CGKOSWaeimquy26-]{_B64}{{11}}$"


def encode_page_token(last: UUID) -> str:
    return base64.urlsafe_b64encode(last.bytes).decode("ascii").rstrip("=")


def decode_page_token(token: str) -> UUID:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = UUID(bytes=raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidPageTokenError("the page token is not one this API issued") from error
    if value.version != 1:
        raise InvalidPageTokenError("the page token is not one this API issued")
    return value


@dataclass(frozen=True)
class InboxPage:
    messages: list[StoredSms]
    next_page_token: str | None


class InboxStore(ABC):
    @abstractmethod
    async def add(self, sms: StoredSms) -> None:
        """Store a message; storing the same (user_id, sms_id) again replaces it."""

    @abstractmethod
    async def claim_key(
        self, user_id: str, key: str, sms_id: UUID, request_digest: str
    ) -> tuple[UUID, str]:
        """Let idempotency key ``key`` of ``user_id`` name message ``sms_id`` and a request of
        digest ``request_digest``, unless an unexpired claim names another already; return the
        ``(sms_id, request_digest)`` that the key names now. Two concurrent claims of one key
        get the same answer."""

    @abstractmethod
    async def get(self, user_id: str, sms_id: UUID) -> StoredSms | None:
        """One message of one inbox, or None."""

    @abstractmethod
    async def _newest(self, user_id: str, below: UUID | None, limit: int) -> list[StoredSms]:
        """Up to ``limit`` messages, newest first, all older than ``below`` when given."""

    async def page(self, user_id: str, limit: int, page_token: str | None = None) -> InboxPage:
        """A page of an inbox, newest first, with the token of the next page (None at the end)."""
        below = decode_page_token(page_token) if page_token else None
        rows = await self._newest(user_id, below, limit + 1)
        messages = rows[:limit]
        more = len(rows) > limit
        return InboxPage(messages, encode_page_token(messages[-1].sms_id) if more else None)

    @abstractmethod
    async def ping(self) -> None:
        """Raise if storage does not answer or the table is missing."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections."""
