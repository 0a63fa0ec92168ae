"""The stack's start-up refuses ports it cannot have: taken ones before it starts anything, and a
health check answered by another program than the one it started."""

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT
from api.model_serving.models.catalog import MODEL_CATALOG
from scripts.local_services import free_port, local_service
from scripts.run_stack import PORTS
from tests.support.stack import free_offset

pytestmark = pytest.mark.integration


class AlwaysHealthy(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def another_program_on(port: int) -> Iterator[None]:
    """A server of the test's own on ``port`` that answers 200 to every GET."""
    server = http.server.HTTPServer(("127.0.0.1", port), AlwaysHealthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def test_a_health_check_answered_by_another_program_is_refused(tmp_path: Path) -> None:
    port = free_port()
    # The process started for the port never listens; the test's own server answers there.
    idle = [sys.executable, "-c", "import time; time.sleep(60)"]
    with (
        another_program_on(port),
        pytest.raises(RuntimeError, match=f"port {port} answered, but another program"),
        local_service("idle", idle, port, {}, tmp_path),
    ):
        pass


def test_a_server_of_its_own_is_accepted(tmp_path: Path) -> None:
    port = free_port()
    server = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    with local_service("files", server, port, {}, tmp_path, health_path="/") as service:
        assert service.process.poll() is None


def test_the_stack_starts_nothing_when_one_of_its_ports_is_taken(tmp_path: Path) -> None:
    # What the stack checks before anything else: the offline sources and the models exist.
    repo, offline, models = tmp_path / "store", tmp_path / "offline_data", tmp_path / "models"
    repo.mkdir()
    offline.mkdir()
    for source in ("sms_features1.parquet", "sms_labels.parquet", "sms_features2.parquet"):
        (offline / source).touch()
    for spec in MODEL_CATALOG.values():
        (models / spec.folder).mkdir(parents=True)
        (models / spec.folder / "metadata.json").touch()
    offset = free_offset()
    taken = PORTS["user_data"] + offset
    with another_program_on(taken):
        result = subprocess.run(
            [
                sys.executable,
                "scripts/run_stack.py",
                "--no-web",
                f"--port-offset={offset}",
                f"--feature-repo={repo}",
                f"--models-dir={models}",
                f"--data-dir={tmp_path / 'data'}",
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"user_data {taken}" in result.stderr
    assert "--port-offset" in result.stderr
    assert "The stack is up" not in result.stdout
    # Nothing was prepared or started: no log folder, no table.
    assert not (tmp_path / "data").exists()
