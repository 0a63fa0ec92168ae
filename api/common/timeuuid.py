"""Time-based UUIDs (Cassandra's TIMEUUID, UUID version 1) and the moments they carry."""

import uuid
from datetime import UTC, datetime, timedelta

# UUID v1 counts 100 ns intervals since the Gregorian calendar's start, 1582-10-15.
_GREGORIAN_EPOCH = datetime(1582, 10, 15, tzinfo=UTC)


def new_timeuuid() -> uuid.UUID:
    """A new version-1 UUID; successive calls in one process never repeat."""
    return uuid.uuid1()


def timeuuid_datetime(value: uuid.UUID) -> datetime:
    """The UTC moment encoded in a version-1 UUID (microsecond precision)."""
    if value.version != 1:
        raise ValueError(f"{value} is not a time-based (version 1) UUID")
    return _GREGORIAN_EPOCH + timedelta(microseconds=value.time // 10)
