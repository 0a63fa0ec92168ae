"""What every benchmark of `make bench` shares: timing a bounded loop of requests, warm-up
excluded, and interleaving the kinds measured in one run so that a slow spell of the machine
weighs on all of them alike."""

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx


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
