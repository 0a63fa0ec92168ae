"""The cache-aware path every model endpoint takes, single items and batches alike.

For a list of inputs: look the keys up in the prediction cache, run the model **once** on the
novel inputs only, answer in the request's order with each item's ``from_cache``, and leave the
cache write and the call-log row to background tasks that run after the response is sent.
Storage failures are logged and counted, never turned into errors: the model still answers.
"""

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import BackgroundTasks
from starlette.concurrency import run_in_threadpool

from api.common.timeuuid import new_timeuuid, timeuuid_datetime
from api.model_serving.metrics import ServingMetrics
from api.model_serving.models.base import SpamModel
from api.model_serving.storage.interfaces import (
    CacheKey,
    CallRecord,
    PredictionCache,
    ServingStorage,
)
from api.model_serving.write_behind import WriteBehind

logger = logging.getLogger(__name__)

Payload = dict[str, Any]

# A model call for a few rows costs less than the hand-off to a worker thread and back, so it
# runs on the event loop; larger batches go to a worker so that the loop keeps serving.
INLINE_ROWS = 8


def digest(value: Any) -> str:
    """A stable digest of a JSON-able input."""
    canonical = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Item:
    payload: Payload
    from_cache: bool


class PredictionService:
    """Runs model calls through the cache and records them in the call log."""

    def __init__(
        self,
        storage: ServingStorage,
        metrics: ServingMetrics,
        cache: PredictionCache,
        call_log: WriteBehind[tuple[str, CallRecord]],
    ) -> None:
        self.storage = storage
        self.metrics = metrics
        self.cache = cache
        self.call_log = call_log

    async def run(
        self,
        *,
        endpoint: str,
        model: SpamModel,
        inputs: Sequence[Any],
        compute: Callable[[list[Any]], list[Payload]],
        skip_cache: bool,
        caller: str,
        background: BackgroundTasks,
    ) -> list[Item]:
        keys = [CacheKey(endpoint, model.version, model.fingerprint, digest(x)) for x in inputs]
        cached = {} if skip_cache else await self._read_cache(keys)

        metrics = self.metrics.route(model.version, endpoint)
        novel: dict[CacheKey, Any] = {}
        for key, value in zip(keys, inputs, strict=True):
            if key not in cached:
                novel.setdefault(key, value)
        computed: dict[CacheKey, Payload] = {}
        if novel:
            rows = list(novel.values())
            with metrics.compute.time():
                if len(rows) <= INLINE_ROWS:
                    payloads = compute(rows)
                else:
                    payloads = await run_in_threadpool(compute, rows)
            computed = dict(zip(novel, payloads, strict=True))

        items = [
            Item(json.loads(cached[key]), True) if key in cached else Item(computed[key], False)
            for key in keys
        ]
        hits = sum(item.from_cache for item in items)
        metrics.cache_hits.inc(hits)
        metrics.cache_misses.inc(len(items) - hits)

        # Storing, and serialising for storage, wait until the response has been sent.
        background.add_task(self._record, caller, endpoint, model.version, inputs, items, computed)
        return items

    async def _read_cache(self, keys: list[CacheKey]) -> dict[CacheKey, str]:
        try:
            return await self.cache.get_many(keys)
        except Exception:
            logger.warning("prediction cache read failed; serving without it", exc_info=True)
            self.metrics.storage_errors.labels("cache_read").inc()
            return {}

    async def _record(
        self,
        caller: str,
        endpoint: str,
        version: str,
        inputs: Sequence[Any],
        items: list[Item],
        computed: dict[CacheKey, Payload],
    ) -> None:
        """The background task of a request: cache its new results and log the call.

        async on purpose: Starlette would run a plain function in a worker thread, away from the
        event loop the writers schedule their flushes on.
        """
        if computed:
            await self._write_cache(computed)
        self._log_call(caller, endpoint, version, inputs, items)

    def _log_call(
        self, caller: str, endpoint: str, version: str, inputs: Sequence[Any], items: list[Item]
    ) -> None:
        # The call's time is the time it is logged: right after its response went out.
        call_id = new_timeuuid()
        record = CallRecord(
            call_id=call_id,
            called_at=timeuuid_datetime(call_id),
            endpoint=endpoint,
            model_version=version,
            input=json.dumps(list(inputs)),
            output=json.dumps([item.payload for item in items]),
            items=len(items),
            from_cache=sum(item.from_cache for item in items),
        )
        self.call_log.submit((caller, record))

    async def _write_cache(self, computed: dict[CacheKey, Payload]) -> None:
        try:
            await self.cache.put_many({key: json.dumps(p) for key, p in computed.items()})
        except Exception:
            logger.warning("prediction cache write failed", exc_info=True)
            self.metrics.storage_errors.labels("cache_write").inc()


def features_payloads(model: SpamModel, texts: list[str]) -> list[Payload]:
    return [{"features": vector} for vector in model.text_to_features(texts)]


def prediction_payloads(model: SpamModel, vectors: list[list[Any]]) -> list[Payload]:
    """One model call for all vectors; each row becomes {prediction, top}."""
    probabilities = model.predict_proba(vectors)
    payloads = []
    for row in probabilities:
        prediction = {label: float(p) for label, p in zip(model.labels, row, strict=True)}
        top_label = max(prediction, key=prediction.__getitem__)
        payloads.append(
            {"prediction": prediction, "top": {"label": top_label, "value": prediction[top_label]}}
        )
    return payloads


def text_prediction_payloads(model: SpamModel, texts: list[str]) -> list[Payload]:
    return prediction_payloads(model, model.text_to_features(texts))
