"""What every benchmark of `make bench` shares: the temporary copy of the data it runs on,
timing a bounded loop of requests, warm-up excluded, and interleaving the kinds measured in one
run so that a slow spell of the machine weighs on all of them alike."""

import functools
import importlib.metadata
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from analysis.paths import FEATURE_REPO_DIR, OFFLINE_DATA_DIR, PROJECT_ROOT

# Settings of the caller's environment that would point Feast at another store than the copy.
FEAST_LOCATION_SETTINGS = ("FEAST_FS_YAML_FILE_PATH", "FEATURE_REPO_DIR_ENV_VAR")
# The feature-store stage every bench serves: both feature views and the push source.
BENCH_STAGE = "2021"


def copy_feature_store(
    workdir: Path, feature_repo: Path = FEATURE_REPO_DIR, offline: Path = OFFLINE_DATA_DIR
) -> Path:
    """Copy the feature repo's definitions (not its registry or online store) and its offline
    sources into ``workdir``, where the repo's yamls find them; return the repo's copy."""
    repo = workdir / feature_repo.name
    shutil.copytree(feature_repo, repo, ignore=shutil.ignore_patterns("data", "__pycache__"))
    shutil.copytree(offline, workdir / "offline_data")
    return repo


def run_setup(command: list[str], env: dict[str, str]) -> None:
    """Run a setup step from the project root with the caller's environment and ``env`` (Feast's
    location settings left out); raise with the step's output if it fails."""
    done = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in FEAST_LOCATION_SETTINGS},
            **env,
        },
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed ({done.returncode}):\n"
            + (done.stdout + done.stderr)[-4000:]
        )


def feast_cli(
    repo: Path, *args: str, env: dict[str, str] | None = None, fs_yaml: Path | None = None
) -> None:
    """Run the Feast CLI on a copied repo at the bench's stage (``fs_yaml`` picks the store)."""
    feast = str(Path(sys.executable).with_name("feast"))
    chosen = ["-f", str(fs_yaml)] if fs_yaml else []
    run_setup(
        [feast, "-c", str(repo), *chosen, *args],
        {**(env or {}), "FEAST_STORE_STAGE": BENCH_STAGE},
    )


def initialise_tables(script: str, env: dict[str, str], *args: str) -> None:
    """Create a service's tables with its initialisation script (``scripts/initialize_*.py``)."""
    run_setup([sys.executable, script, *args], env)


@dataclass
class Result:
    name: str
    latencies_s: list[float]
    elapsed_s: float

    def percentile_ms(self, q: float) -> float:
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    @property
    def throughput(self) -> float:
        return len(self.latencies_s) / self.elapsed_s


def measure(name: str, send: Callable[[int], httpx.Response], requests: int, warmup: int) -> Result:
    for i in range(warmup):
        send(-1 - i).raise_for_status()
    latencies = []
    started = time.perf_counter()
    for i in range(requests):
        t0 = time.perf_counter()
        response = send(i)
        latencies.append(time.perf_counter() - t0)
        response.raise_for_status()
    return Result(name, latencies, time.perf_counter() - started)


def _shifted(send: Callable[[int], httpx.Response], offset: int, i: int) -> httpx.Response:
    return send(offset + i)


def interleaved(
    kinds: dict[str, Callable[[int], httpx.Response]], requests: int, warmup: int, rounds: int = 5
) -> list[Result]:
    """Measure every kind in turns (``rounds`` slices each), so that a slow spell of the
    machine weighs on all of them alike instead of on whichever ran during it."""
    results = {name: Result(name, [], 0.0) for name in kinds}
    per_round = requests // rounds
    for round_number in range(rounds):
        for name, send in kinds.items():
            part = measure(
                name,
                functools.partial(_shifted, send, round_number * per_round),
                per_round,
                warmup if round_number == 0 else 0,
            )
            results[name].latencies_s.extend(part.latencies_s)
            results[name].elapsed_s += part.elapsed_s
    return list(results.values())


@dataclass
class Row:
    """One line of the performance table: a measure beside the baseline it is judged against.

    ``ratio`` and ``verdict`` are ``None`` for rows that are reported without a goal.
    """

    section: str
    measure: str
    p50_ms: float | None
    p99_ms: float | None
    throughput: float | None
    baseline: str = ""
    ratio: str = ""
    goal: str = ""
    verdict: str | None = None
    unit: str = "req/s"

    @classmethod
    def of(cls, section: str, result: Result, **extra: Any) -> "Row":
        return cls(
            section,
            result.name,
            result.percentile_ms(0.5),
            result.percentile_ms(0.99),
            result.throughput,
            **extra,
        )


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


TABLE_HEADER = ("measure", "p50 ms", "p99 ms", "throughput", "baseline (same run)", "ratio", "goal")


def table_lines(rows: list[Row]) -> list[str]:
    """The rows as Markdown tables (readable as plain text too), one per section, the sections
    in the order they first appear."""
    lines: list[str] = []
    section = None
    order = list(dict.fromkeys(row.section for row in rows))
    for row in sorted(rows, key=lambda row: order.index(row.section)):
        if row.section != section:
            section = row.section
            lines += ["", f"### {section}", ""]
            lines.append("| " + " | ".join(TABLE_HEADER) + " |")
            lines.append("|" + "|".join(["---"] + ["---:"] * 3 + ["---"] * 3) + "|")
        goal = f"{row.goal}: **{row.verdict}**" if row.verdict else row.goal
        throughput = _number(row.throughput, 0)
        cells = (
            row.measure,
            _number(row.p50_ms, 3),
            _number(row.p99_ms, 3),
            f"{throughput} {row.unit}" if throughput else "",
            row.baseline,
            row.ratio,
            goal,
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


@dataclass
class Startup:
    """A service's cold start (process start to its first 200 on ``/health``) and its resident
    memory once warm."""

    service: str
    ready_s: float
    rss_mb: float


def print_report(rows: list[Row], startups: list[Startup]) -> None:
    """What one part of the bench prints when it runs alone: its rows, then each server's cold
    start and memory."""
    print("\n".join(table_lines(rows)))
    for startup in startups:
        print(f"{startup.service}: ready in {startup.ready_s:.1f} s, RSS {startup.rss_mb:.0f} MiB")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB (Linux ``/proc``)."""
    total_kb = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            pending += [int(child) for child in task.read_text().split()]
    return total_kb / 1024


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


KEY_LIBRARIES = (
    "feast",
    "fastapi",
    "uvicorn",
    "httpx",
    "tensorflow-cpu",
    "keras",
    "scikit-learn",
    "cassandra-driver",
)


def environment() -> dict[str, str]:
    """When and where the bench ran: date, machine, load, Python and the key libraries."""
    facts = {
        "date (UTC)": datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        "CPU": f"{os.cpu_count()} x {_cpu_model()}",
        "load average at the start (1, 5, 15 min)": " ".join(
            f"{value:.2f}" for value in os.getloadavg()
        ),
        "OS": platform.platform(),
        "python": platform.python_version(),
    }
    for package in KEY_LIBRARIES:
        try:
            facts[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            facts[package] = "not installed"
    return facts
