"""`make stack` (scripts/run_stack.py): the whole stack up with one command, and down on Ctrl-C."""

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from analysis.paths import PROJECT_ROOT
from scripts.run_stack import PORTS
from tests.support.feature_store import copy_store

pytestmark = pytest.mark.integration

MESSAGE = {"user_id": "otto", "sender_id": "rosa", "sms_text": "Are you coming to the match?"}


def free_offset() -> int:
    """A port offset at which every port of the stack is free."""
    for offset in range(21000, 40000, 137):
        try:
            for port in PORTS.values():
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port + offset))
        except OSError:
            continue
        return offset
    pytest.skip("no free set of ports for the stack")


def test_one_command_brings_the_stack_up_and_ctrl_c_takes_it_down(
    feature_repo: Path, models_dir: Path, tmp_path: Path
) -> None:
    repo = copy_store(feature_repo, tmp_path / "store", 2020)  # the stack moves it to 2021
    offset = free_offset()
    url = {name: f"http://127.0.0.1:{port + offset}" for name, port in PORTS.items()}
    log = tmp_path / "stack.log"
    with open(log, "w") as out:
        stack = subprocess.Popen(
            [
                sys.executable,
                "scripts/run_stack.py",
                "--no-web",
                f"--port-offset={offset}",
                f"--feature-repo={repo}",
                f"--models-dir={models_dir}",
                f"--data-dir={tmp_path / 'data'}",
            ],
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 240
        while "Ctrl-C stops everything" not in log.read_text():
            assert stack.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)

        for name in ("feature_server", "model_serving", "user_data", "proxy", "inbox"):
            assert httpx.get(f"{url[name]}/health").status_code == 200, name
        assert "backfill" in log.read_text()
        ready = httpx.get(f"{url['inbox']}/ready").json()
        assert ready["ready"] is True
        assert set(ready["services"].values()) == {"ok"}

        # A new message through the webhook, its features through the proxy, v3's verdict.
        receipt = httpx.post(f"{url['inbox']}/sms", json=MESSAGE, timeout=30)
        assert receipt.status_code == 201, receipt.text
        sms_id = receipt.json()["sms_id"]
        online = httpx.post(
            f"{url['proxy']}/get-online-features",
            json={"features": ["sms_features2:features"], "entities": {"sms_id": [sms_id]}},
            timeout=30,
        ).json()
        columns = dict(zip(online["metadata"]["feature_names"], online["results"], strict=True))
        features = columns["features"]["values"][0]
        verdict = httpx.post(
            f"{url['model_serving']}/model/v3/features_to_prediction",
            json={"features": features},
        )
        assert verdict.status_code == 200, verdict.text
        assert verdict.json()["top"]["label"] in ("ham", "spam")
    finally:
        stack.send_signal(signal.SIGINT)
        assert stack.wait(timeout=60) == 0, log.read_text()
    for name in ("feature_server", "model_serving", "user_data", "proxy", "inbox"):
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{url[name]}/health", timeout=2)
