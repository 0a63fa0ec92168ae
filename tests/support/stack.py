"""The whole stack as real processes, two ways, for the tests.

- ``running_stack``: ``scripts/run_stack.py`` as a user runs it (``make stack``): one process
  that starts everything, waited for until it says it is up, and stopped with Ctrl-C (SIGINT).
- ``LocalStack``: each service started by the test itself, for the fuzzing, fault and shutdown
  tests: the user-data API, the model API (v1, v2, v3), Feast's feature server, the
  feature-server proxy and the inbox webhook, each on a port of its own that stays the same when
  it is stopped and started again. Storage is the embedded default; ``storage`` adds settings to
  the two services that keep data (the user-data API and the model API), so that a Cassandra
  variant is one more parameter, e.g. ``{"STORAGE_BACKEND": "cassandra", "CASSANDRA_HOSTS":
  "127.0.0.1", "CASSANDRA_PORT": "9042", "CASSANDRA_KEYSPACE": "sms_spam_faults"}``; the
  initialisation scripts then create the keyspace.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT
from scripts.local_services import (
    Service,
    feature_server,
    free_port,
    port_is_free,
    uvicorn_service,
)
from scripts.run_stack import PORTS
from tests.support.feature_store import copy_store

STARTUP_TIMEOUT_S = 300


def free_offset() -> int:
    """A port offset at which every port of the stack is free."""
    for offset in range(21000, 40000, 137):
        if all(port_is_free(port + offset) for port in PORTS.values()):
            return offset
    pytest.skip("no free set of ports for the stack")


@dataclass
class RunningStack:
    process: subprocess.Popen
    url: dict[str, str]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def running_stack(args: list[str], env: dict[str, str], log_dir: Path) -> Iterator[RunningStack]:
    """``run_stack.py ARGS`` on a free port offset, until it says it is up; Ctrl-C at the end.

    Only the start and the stop happen here: a test's own checks run inside the block, so that
    their failure is reported, not hidden behind the shutdown's.
    """
    offset = free_offset()
    url = {name: f"http://127.0.0.1:{port + offset}" for name, port in PORTS.items()}
    log = log_dir / "stack.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "scripts/run_stack.py", f"--port-offset={offset}", *args],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    stack = RunningStack(process, url, log)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while "Ctrl-C stops everything" not in stack.output():
            if process.poll() is not None:
                pytest.fail(f"the stack exited with {process.returncode}:\n{stack.output()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the stack was not up after {STARTUP_TIMEOUT_S} s:\n{stack.output()}")
            time.sleep(0.5)
        yield stack
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


APPS = {
    "users": "api.user_data.user_api:app",
    "models": "api.model_serving.model_serving_api:app",
    "proxy": "api.feature_server_proxy.feature_server_proxy_api:app",
    "inbox": "api.inbox.inbox_api:app",
}
# The order they start in: each after what it calls.
START_ORDER = ("users", "models", "feast", "proxy", "inbox")


def initialise(script: str, env: dict[str, str], *args: str) -> str:
    """Run one of the ``scripts/initialize_*.py`` scripts from the project root with ``env`` as
    its only settings; return what it printed. A failure fails the test with its output."""
    result = subprocess.run(
        [sys.executable, script, *args],
        cwd=PROJECT_ROOT,
        env={**env, "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"{script} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class LocalStack:
    feature_repo: Path  # applied at stage 2020 (the ``feature_repo`` fixture); copied here
    models_dir: Path
    workdir: Path
    storage: dict[str, str] = field(default_factory=dict)
    inbox_settings: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    _running: dict[str, ExitStack] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.repo = copy_store(self.feature_repo, self.workdir / "store", 2021)
        self.ports = {name: free_port() for name in START_ORDER}
        common = {"LOG_LEVEL": "WARNING"}
        self.env: dict[str, dict[str, str]] = {
            "users": {**common, "SQLITE_PATH": str(self.workdir / "users.db"), **self.storage},
            "models": {
                **common,
                "SPAM_MODEL_VERSIONS": "v1,v2,v3",
                "MODELS_DIR": str(self.models_dir),
                "SQLITE_PATH": str(self.workdir / "serving.db"),
                **self.storage,
            },
            "feast": {},
            "proxy": {
                **common,
                "SMS_FEATURE_REPO": str(self.repo),
                "FEATURE_SERVER_URL": self.url("feast"),
            },
            "inbox": {
                **common,
                "USER_DATA_API_URL": self.url("users"),
                "MODEL_SERVING_API_URL": self.url("models"),
                "FEATURE_SERVER_URL": self.url("feast"),
                "OUTBOX_PATH": str(self.workdir / "outbox.db"),
                "RETRY_FIRST_SECONDS": "0.2",
                "RETRY_MAX_SECONDS": "1",
                **self.inbox_settings,
            },
        }
        keyspace = ("--create-keyspace",) if self.storage else ()
        initialise("scripts/initialize_user_api_data.py", self.env["users"], *keyspace)
        initialise("scripts/initialize_model_serving_api_caches.py", self.env["models"], *keyspace)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str) -> Service:
        """Start one service on its port (and wait until it answers)."""
        if name in self._running:
            return self.services[name]
        stack = ExitStack()
        if name == "feast":
            service = stack.enter_context(
                feature_server(self.repo, self.env[name], self.workdir, self.ports[name])
            )
        else:
            service = stack.enter_context(
                uvicorn_service(APPS[name], self.env[name], self.workdir, self.ports[name])
            )
        self._running[name], self.services[name] = stack, service
        return service

    def stop(self, name: str) -> None:
        """Stop one service (SIGTERM, as an orchestrator would); stopping twice is harmless."""
        stack = self._running.pop(name, None)
        if stack is not None:
            stack.close()

    def start_all(self) -> None:
        for name in START_ORDER:
            self.start(name)

    def stop_all(self) -> None:
        for name in reversed(START_ORDER):
            self.stop(name)
