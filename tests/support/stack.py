"""`scripts/run_stack.py` as a user runs it, for the tests: a real process, started on ports of
its own, waited for, and stopped with Ctrl-C (SIGINT)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from analysis.paths import PROJECT_ROOT
from scripts.local_services import port_is_free
from scripts.run_stack import PORTS

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
