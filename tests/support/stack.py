"""The whole stack as real processes for the fuzzing, fault and shutdown tests: the user-data
API, the model API (v1, v2, v3), Feast's feature server, the feature-server proxy and the inbox
webhook, each on a port of its own that stays the same when it is stopped and started again.

Storage is the embedded default. ``storage`` adds settings to the two services that keep data
(the user-data API and the model API), so that a Cassandra variant is one more parameter, e.g.
``{"STORAGE_BACKEND": "cassandra", "CASSANDRA_HOSTS": "127.0.0.1", "CASSANDRA_PORT": "9042",
"CASSANDRA_KEYSPACE": "sms_spam_faults"}``; the initialisation scripts then create the keyspace.
"""

import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from analysis.paths import PROJECT_ROOT
from scripts.local_services import Service, feature_server, free_port, uvicorn_service
from tests.support.feature_store import copy_store

APPS = {
    "users": "api.user_data.user_api:app",
    "models": "api.model_serving.model_serving_api:app",
    "proxy": "api.feature_server_proxy.feature_server_proxy_api:app",
    "inbox": "api.inbox.inbox_api:app",
}
# The order they start in: each after what it calls.
START_ORDER = ("users", "models", "feast", "proxy", "inbox")


def initialise(script: str, env: dict[str, str], *args: str) -> None:
    """Run one of the ``scripts/initialize_*.py`` scripts with ``env`` as its settings."""
    subprocess.run(
        [sys.executable, script, *args],
        cwd=PROJECT_ROOT,
        env={**env, "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        check=True,
    )


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
            "proxy": {**common, "FEATURE_SERVER_URL": self.url("feast")},
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
