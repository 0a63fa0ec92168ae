"""Starting the services as real uvicorn processes, as a user would (tests, benchmarks, demo)."""

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
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{app} exited at start-up:\n{service.output()}")
            try:
                if httpx.get(f"{service.url}/health", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{app} did not answer in {STARTUP_TIMEOUT_S} s:\n{service.output()}"
                )
            time.sleep(0.1)
        yield service
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
