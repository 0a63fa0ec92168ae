"""Starting the services as real uvicorn processes, as a user would (tests and benchmarks)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from analysis.paths import PROJECT_ROOT

STARTUP_TIMEOUT_S = 60.0


# Every port free_port has handed out in this process.
_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A loopback port nothing listens on, never one this process handed out before.

    The port is not held: a caller that picks a port for a server it starts later (to restart
    it on the same port, say) must not see the kernel offer it again to the next caller.
    """
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def port_is_free(port: int) -> bool:
    """Whether nothing listens on ``port`` on loopback (so a server of ours can bind it)."""
    with socket.socket() as probe:
        # As servers do: a port whose old connections linger in TIME_WAIT is free to listen on.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Service:
    url: str
    process: subprocess.Popen
    log: Path
    ready_s: float = 0.0
    """Seconds from starting the process to its first 200 on the health path (cold start)."""

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


def listens_on(process: subprocess.Popen, port: int) -> bool:
    """Whether ``process``, or a process it started, is what listens on TCP ``port``.

    A server that cannot bind its port may take a moment to exit, and meanwhile another program
    on that port answers the health check: this tells the two apart.
    """
    try:
        root = psutil.Process(process.pid)
        family = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return False
    for member in family:
        try:
            connections = member.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if any(
            c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port for c in connections
        ):
            return True
    return False


@contextmanager
def local_service(
    name: str,
    args: list[str],
    port: int,
    env: Mapping[str, str],
    log_dir: Path,
    health_path: str = "/health",
) -> Iterator[Service]:
    """Run ``args`` (a server listening on ``port``) until the block ends; wait until
    ``health_path`` answers 200, and check that the answer came from that server.

    Its output goes to ``log_dir/NAME-PORT.log``, which a startup failure quotes.
    """
    log = log_dir / f"{name}-{port}.log"
    started = time.perf_counter()
    with open(log, "w") as out:
        process = subprocess.Popen(
            args,
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    service = Service(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        try:
            wait_for(f"{service.url}{health_path}", process)
            if not listens_on(process, port):
                raise RuntimeError(
                    f"port {port} answered, but another program listens there, "
                    "not the process started for it"
                )
        except RuntimeError as error:
            raise RuntimeError(f"{name}: {error}\n{service.output()}") from error
        service.ready_s = time.perf_counter() - started
        yield service
    finally:
        service.stop()


@contextmanager
def uvicorn_service(
    app: str,
    env: Mapping[str, str],
    log_dir: Path,
    port: int | None = None,
    options: tuple[str, ...] = (),
) -> Iterator[Service]:
    """Run ``uvicorn APP`` on a free loopback port until the block ends; ``options`` are
    uvicorn's own (none: as the README starts the services)."""
    port = port or free_port()
    uvicorn = Path(sys.executable).with_name("uvicorn")
    args = [str(uvicorn), app, "--host", "127.0.0.1", "--port", str(port), *options]
    with local_service(app.rsplit(":", 1)[0].rsplit(".", 1)[-1], args, port, env, log_dir) as svc:
        yield svc


@contextmanager
def feature_server(
    repo: Path,
    env: Mapping[str, str],
    log_dir: Path,
    port: int | None = None,
    fs_yaml: Path | None = None,
) -> Iterator[Service]:
    """Run Feast's feature server (``feast -c REPO [-f FS_YAML] serve``) on a free loopback port.

    ``--max-requests 0`` keeps its one worker for good: by default Feast recycles it after about
    a thousand requests, and requests in flight then fail.
    """
    port = port or free_port()
    feast = Path(sys.executable).with_name("feast")
    args = [str(feast), "-c", str(repo)]
    if fs_yaml is not None:
        args += ["-f", str(fs_yaml)]
    args += ["serve", "--host", "127.0.0.1", "--port", str(port)]
    args += ["--max-requests", "0", "--no-access-log"]
    with local_service("feature_server", args, port, env, log_dir) as svc:
        yield svc
