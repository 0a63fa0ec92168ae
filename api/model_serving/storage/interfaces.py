"""What the model-serving API needs from storage, independent of the backend."""

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True)
class CacheKey:
    """A cached result is valid for one endpoint, one model version, one exact artifact (a
    retrained model has another fingerprint) and one input (by digest)."""

    endpoint: str
    model_version: str
    artifact_fingerprint: str
    input_digest: str


@dataclass(frozen=True)
class CallRecord:
    """One call to the API, as the call log keeps it (for an hour)."""

    call_id: UUID  # a TIMEUUID: it orders the calls and carries their time
    called_at: datetime
    endpoint: str
    model_version: str
    input: str  # the request's input, as JSON
    output: str  # the response's results, as JSON
    items: int
    from_cache: int  # how many of the items came from the cache


class PredictionCache(ABC):
    """Results by ``CacheKey``; entries expire after the configured TTL."""

    @abstractmethod
    async def get_many(self, keys: Sequence[CacheKey]) -> dict[CacheKey, str]:
        """The stored payloads of the keys that are present and fresh."""

    @abstractmethod
    async def put_many(self, entries: Mapping[CacheKey, str]) -> None:
        """Store (or refresh) payloads."""


class CallLog(ABC):
    """Calls per caller and model version, newest first; entries expire after the TTL."""

    @abstractmethod
    async def append_many(self, entries: Sequence[tuple[str, CallRecord]]) -> None:
        """Record calls, each with its caller id."""

    @abstractmethod
    def recent(self, caller_id: str, model_version: str, limit: int) -> AsyncIterator[CallRecord]:
        """The caller's unexpired calls to one model version, newest first, at most ``limit``."""


class ServingStorage(ABC):
    """The backend's stores, opened and closed together."""

    cache: PredictionCache
    call_log: CallLog

    @abstractmethod
    async def ping(self) -> None:
        """Raise if the backend does not answer or its tables are missing."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections."""
