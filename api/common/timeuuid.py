"""Time-based UUIDs (Cassandra's TIMEUUID, UUID version 1) and the moments they carry."""

import hashlib
import os
import secrets
import uuid
from datetime import UTC, datetime, timedelta

# A version-1 UUID of the RFC's variant, written as usual: what ``parse_timeuuid`` accepts and
# what the APIs document.
TIMEUUID_PATTERN = (
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-1[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
)

# UUID v1 counts 100 ns intervals since the Gregorian calendar's start, 1582-10-15.
_GREGORIAN_EPOCH = datetime(1582, 10, 15, tzinfo=UTC)


# This process's node id and clock sequence, drawn at random as RFC 9562 allows (the multicast
# bit marks the node as not a MAC address), and drawn again in a forked child so that workers
# forked from one parent never share them. Given both, ``uuid.uuid1`` builds the UUID in Python
# from a timestamp it keeps strictly increasing, several times faster than asking libuuid, which
# it does without them.
_node = 0
_clock_seq = 0


def _draw_process_identity() -> None:
    global _node, _clock_seq
    _node = secrets.randbits(48) | 0x010000000000
    _clock_seq = secrets.randbits(14)


_draw_process_identity()
os.register_at_fork(after_in_child=_draw_process_identity)


def new_timeuuid() -> uuid.UUID:
    """A new version-1 UUID; successive calls in one process never repeat, and two processes
    differ by their random node id."""
    return uuid.uuid1(node=_node, clock_seq=_clock_seq)


def timeuuid_datetime(value: uuid.UUID) -> datetime:
    """The UTC moment encoded in a version-1 UUID (microsecond precision)."""
    if value.version != 1:
        raise ValueError(f"{value} is not a time-based (version 1) UUID")
    return _GREGORIAN_EPOCH + timedelta(microseconds=value.time // 10)


def timeuuid_at(moment: datetime, seed: str) -> uuid.UUID:
    """A version-1 UUID for ``moment`` whose other bits come from ``seed``.

    The same moment and seed always give the same UUID, so data loaded with it (the sample
    inboxes) can be loaded again without making duplicates.
    """
    if moment.tzinfo is None:
        raise ValueError("the moment must be timezone-aware")
    ticks = (moment - _GREGORIAN_EPOCH) // timedelta(microseconds=1) * 10
    digest = hashlib.blake2b(seed.encode("utf-8"), digest_size=8).digest()
    clock_seq = int.from_bytes(digest[:2], "big") & 0x3FFF
    node = int.from_bytes(digest[2:8], "big") | 0x010000000000  # multicast bit: not a real MAC
    return uuid.UUID(
        fields=(
            ticks & 0xFFFFFFFF,
            (ticks >> 32) & 0xFFFF,
            ((ticks >> 48) & 0x0FFF) | 0x1000,
            0x80 | (clock_seq >> 8),
            clock_seq & 0xFF,
            node,
        )
    )


def parse_timeuuid(text: str) -> uuid.UUID:
    """The version-1 UUID written in ``text``; ValueError for anything else."""
    value = uuid.UUID(text)
    if value.version != 1:
        raise ValueError(f"{text} is not a time-based (version 1) UUID")
    return value
