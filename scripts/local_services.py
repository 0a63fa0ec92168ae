"""Starting the services as real uvicorn processes, as a user would (tests and benchmarks)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from analysis.paths import PROJECT_ROOT

STARTUP_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Service:
    url: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Stop the process (gracefully, then forcibly); stopping twice is harmless."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_for(url: str, process: subprocess.Popen, timeout_s: float = STARTUP_TIMEOUT_S) -> None:
    """Poll ``url`` until it answers 200; fail early if ``process`` exits first."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the process serving {url} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout_s} s")
        time.sleep(0.1)


@contextmanager
def uvicorn_service(
    app: str, env: dict[str, str], log_dir: Path, port: int | None = None
) -> Iterator[Service]:
    """Run ``uvicorn APP`` on a free loopback port until the block ends; wait for /health."""
    port = port or free_port()
    log = log_dir / f"{app.rsplit(':', 1)[0].rsplit('.', 1)[-1]}-{port}.log"
    uvicorn = Path(sys.executable).with_name("uvicorn")
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(uvicorn), app, "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    service = Service(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        try:
            wait_for(f"{service.url}/health", process)
        except RuntimeError as error:
            raise RuntimeError(f"{app}: {error}\n{service.output()}") from error
        yield service
    finally:
        service.stop()
