"""Time-based UUIDs: the ids of SMS messages and of logged model calls."""

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from api.common.timeuuid import new_timeuuid, parse_timeuuid, timeuuid_at, timeuuid_datetime


def test_new_timeuuids_are_version_1_unique_and_in_time_order() -> None:
    ids = [new_timeuuid() for _ in range(20_000)]
    assert {u.version for u in ids} == {1}
    assert {u.variant for u in ids} == {uuid.RFC_4122}
    assert len(set(ids)) == len(ids)
    times = [u.time for u in ids]
    assert times == sorted(times)
    assert len(set(times)) == len(times)


def test_a_new_timeuuid_carries_the_current_time_and_a_random_node() -> None:
    before = datetime.now(UTC)
    value = new_timeuuid()
    after = datetime.now(UTC)
    # The UUID keeps 100 ns ticks; the conversion keeps microseconds.
    assert before - timedelta(microseconds=1) <= timeuuid_datetime(value) <= after
    assert value.node & 0x010000000000, "the multicast bit marks a node id that is no MAC address"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_draws_its_own_node_id() -> None:
    parent = new_timeuuid()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its node id and leave at once
        os.write(write_end, str(new_timeuuid().node).encode())
        os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as pipe:
        child_node = int(pipe.read())
    assert child_node != parent.node
    assert new_timeuuid().node == parent.node


def test_timeuuid_at_is_deterministic_and_keeps_its_moment() -> None:
    moment = datetime(2021, 3, 4, 5, 6, 7, 890123, tzinfo=UTC)
    first = timeuuid_at(moment, "fiona-1")
    assert first == timeuuid_at(moment, "fiona-1")
    assert first != timeuuid_at(moment, "fiona-2")
    assert first.version == 1
    assert timeuuid_datetime(first) == moment
    with pytest.raises(ValueError, match="timezone-aware"):
        timeuuid_at(moment.replace(tzinfo=None), "fiona-1")


def test_only_version_1_uuids_are_accepted() -> None:
    value = new_timeuuid()
    assert parse_timeuuid(str(value)) == value
    with pytest.raises(ValueError, match="version 1"):
        parse_timeuuid(str(uuid.uuid4()))
    with pytest.raises(ValueError, match="hexadecimal"):
        parse_timeuuid("not-a-uuid")
    with pytest.raises(ValueError, match="version 1"):
        timeuuid_datetime(uuid.uuid4())
