"""Prometheus metrics of the model-serving API, in a registry of the app's own."""

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Buckets from 0.5 ms to 2.5 s: a cache hit is around a millisecond, a cold batch far more.
_LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

CONTENT_TYPE = CONTENT_TYPE_LATEST


@dataclass(frozen=True)
class RouteMetrics:
    """The series of one model version and endpoint, looked up once instead of per request."""

    cache_hits: Counter
    cache_misses: Counter
    latency: Histogram
    compute: Histogram


class ServingMetrics:
    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], RouteMetrics] = {}
        self.registry = CollectorRegistry()
        labels = ("version", "endpoint")
        self.cache_hits = Counter(
            "spam_cache_hits",
            "Items answered from the prediction cache.",
            labels,
            registry=self.registry,
        )
        self.cache_misses = Counter(
            "spam_cache_misses", "Items computed by the model.", labels, registry=self.registry
        )
        self.latency = Histogram(
            "spam_request_seconds",
            "Time to answer a model request.",
            labels,
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.compute = Histogram(
            "spam_compute_seconds",
            "Time the model (and the feature extractor) took for the novel items of a request.",
            labels,
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.storage_errors = Counter(
            "spam_storage_errors",
            "Storage operations that failed (served without them).",
            ("operation",),
            registry=self.registry,
        )

        queue = ("queue",)
        self.write_behind_pending = Gauge(
            "spam_write_behind_pending",
            "Items waiting to be written to storage (call log, cache).",
            queue,
            registry=self.registry,
        )
        self.write_behind_written = Counter(
            "spam_write_behind_written",
            "Items written to storage by write-behind.",
            queue,
            registry=self.registry,
        )
        self.write_behind_seconds = Histogram(
            "spam_write_behind_seconds",
            "Time of one write-behind storage write (one batch).",
            queue,
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def route(self, version: str, endpoint: str) -> RouteMetrics:
        found = self._routes.get((version, endpoint))
        if found is None:
            found = self._routes[version, endpoint] = RouteMetrics(
                cache_hits=self.cache_hits.labels(version, endpoint),
                cache_misses=self.cache_misses.labels(version, endpoint),
                latency=self.latency.labels(version, endpoint),
                compute=self.compute.labels(version, endpoint),
            )
        return found

    def render(self) -> bytes:
        return generate_latest(self.registry)
