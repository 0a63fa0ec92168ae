"""Faults during a stream of webhook posts, every service a real process: the user-data API, the
model API and the feature server are each stopped and started again, and answers are lost after
the write (between the gateway and the webhook, and between the webhook and the user-data API).

The gateway here behaves as an SMS gateway does: every message has its own Idempotency-Key, and a
message that was not accepted (a 503, a lost answer) is sent again later with the same key. At
the end every message must be accepted once, stored once, and have its features online.
"""

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.fault_proxy import AnswerDroppingProxy, answer_dropping_proxy
from tests.support.stack import LocalStack

pytestmark = pytest.mark.integration

MESSAGES = 60
USER = "fiona"
SETTLE_TIMEOUT_S = 120.0  # the bound on waiting for the last messages and features


@dataclass
class Gateway:
    """Posts messages to the webhook and sends again, with the same key, what was not accepted."""

    url: str
    pending: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> message
    receipts: dict[str, dict] = field(default_factory=dict)  # key -> the accepted answer
    attempts: int = 0
    lost_answers: int = 0
    refused: int = 0  # 503s: not stored, to be sent again

    def post(self, message: dict[str, str]) -> None:
        self.pending[str(uuid.uuid4())] = message
        self.retry_pending()

    def retry_pending(self) -> None:
        for key, message in list(self.pending.items()):
            self.attempts += 1
            try:
                answer = httpx.post(
                    f"{self.url}/sms", json=message, headers={"Idempotency-Key": key}, timeout=30
                )
            except httpx.TransportError:
                self.lost_answers += 1
                continue
            if answer.status_code in (201, 202):
                self.receipts[key] = answer.json()
                del self.pending[key]
            else:
                assert answer.status_code == 503, answer.text
                self.refused += 1


def online(stack: LocalStack, sms_ids: list[str]) -> set[str]:
    answer = httpx.post(
        f"{stack.url('feast')}/get-online-features",
        json={"features": ["sms_features2:features"], "entities": {"sms_id": sms_ids}},
        timeout=30,
    ).json()
    columns = dict(zip(answer["metadata"]["feature_names"], answer["results"], strict=True))
    statuses = columns["features"]["statuses"]
    return {i for i, status in zip(sms_ids, statuses, strict=True) if status == "PRESENT"}


@pytest.fixture
def stack(feature_repo: Path, models_dir: Path, tmp_path: Path) -> Iterator[LocalStack]:
    running = LocalStack(feature_repo, models_dir, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


def test_no_message_is_lost_or_duplicated_through_faults(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        answer_dropping_proxy(stack.ports["users"]) as to_users,
        answer_dropping_proxy(stack.ports["inbox"]) as to_inbox,
    ):
        stack.env["inbox"]["USER_DATA_API_URL"] = to_users.url
        stack.start_all()
        gateway = Gateway(to_inbox.url)
        faults = fault_schedule(stack, to_users, to_inbox)
        injected = 0
        for index in range(MESSAGES):
            for fault in faults.pop(index, []):
                fault()
                injected += 1
            gateway.post({"user_id": USER, "sender_id": "gateway", "sms_text": f"Fault {index}"})
            time.sleep(0.05)
        assert not faults, "every fault is injected during the stream"
        stack.start_all()  # whatever the schedule left stopped

        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while gateway.pending and time.monotonic() < deadline:
            time.sleep(0.5)
            gateway.retry_pending()
        accepted = {r["sms_id"]: r for r in gateway.receipts.values()}

        inbox = httpx.get(f"{stack.url('users')}/sms/{USER}", params={"limit": 100}).json()
        texts = [m["sms_text"] for m in inbox["messages"] if m["sender_id"] == "gateway"]
        stored = {m["sms_id"] for m in inbox["messages"] if m["sender_id"] == "gateway"}
        while len(present := online(stack, sorted(accepted))) < len(accepted):
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)

    duplicated = len(texts) - len(set(texts))
    lost = MESSAGES - len(set(texts))
    with capsys.disabled():
        print(
            f"\nfaults: {MESSAGES} messages posted in {gateway.attempts} attempts, "
            f"{injected} faults injected ({to_users.dropped + to_inbox.dropped} answers dropped "
            f"after the write, {gateway.refused} refusals with 503); accepted {len(accepted)}, "
            f"stored {len(set(texts))}, online {len(present)}, lost {lost}, "
            f"duplicated {duplicated}"
        )
    assert gateway.pending == {}
    assert len(accepted) == MESSAGES
    assert lost == 0
    assert duplicated == 0
    assert stored == set(accepted)  # each receipt names the one stored copy
    assert present == set(accepted)


def fault_schedule(
    stack: LocalStack, to_users: AnswerDroppingProxy, to_inbox: AnswerDroppingProxy
) -> dict[int, list[Callable[[], None]]]:
    """Which faults start and end before which message."""
    return {
        5: [lambda: to_users.drop_next("POST")],
        8: [lambda: to_inbox.drop_next("POST")],
        10: [lambda: stack.stop("users")],
        16: [lambda: stack.start("users")],
        22: [lambda: stack.stop("models")],
        28: [lambda: stack.start("models")],
        34: [lambda: stack.stop("feast")],
        40: [lambda: stack.start("feast")],
        46: [lambda: to_users.drop_next("POST"), lambda: to_inbox.drop_next("POST")],
    }
