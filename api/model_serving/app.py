"""The model-serving API's application factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.common.client_address import CallerAddressMiddleware
from api.common.logging_setup import configure_logging
from api.common.openapi import adjust_openapi
from api.common.service_app import service_app
from api.model_serving.metrics import ServingMetrics
from api.model_serving.models.catalog import MODEL_CATALOG, load_model
from api.model_serving.openapi import exact_openapi
from api.model_serving.rate_limit import CallerRateLimit
from api.model_serving.routers.model_router import add_model_routes
from api.model_serving.routers.service_router import router as service_router
from api.model_serving.routers.service_router import unknown_version_handler
from api.model_serving.serving import PredictionService
from api.model_serving.settings import ModelServingSettings
from api.model_serving.storage.factory import open_serving_storage
from api.model_serving.storage.interfaces import CallRecord, PredictionCache
from api.model_serving.storage.memory_front import MemoryFrontedCache
from api.model_serving.write_behind import WriteBehind

logger = logging.getLogger(__name__)

DESCRIPTION = """
Spam predictions from every served model version, each under `/model/{version}/`.

Every prediction goes through a cache keyed by endpoint, model version, the exact artifact and
the input, and every call is kept for an hour in a call log you can read back.
"""


def create_app(settings: ModelServingSettings | None = None) -> FastAPI:
    """Build the app; models and storage are opened by its lifespan, not here."""
    settings = settings or ModelServingSettings()
    unknown = [v for v in settings.spam_model_versions if v not in MODEL_CATALOG]
    if unknown:
        raise ValueError(
            f"SPAM_MODEL_VERSIONS names unknown versions {unknown}; known: {list(MODEL_CATALOG)}"
        )
    versions = list(dict.fromkeys(settings.spam_model_versions))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        app.state.models = {
            version: await run_in_threadpool(load_model, version, settings.models_dir)
            for version in versions
        }
        storage = await open_serving_storage(settings)
        try:
            try:
                await storage.ping()
            except Exception as error:
                logger.error("storage is not ready, serving without cache and call log: %s", error)
            metrics = ServingMetrics()
            flush_s = settings.storage_flush_seconds
            cache: PredictionCache = storage.cache
            front: MemoryFrontedCache | None = None
            if settings.prediction_cache_memory_items:
                cache = front = MemoryFrontedCache(
                    storage.cache,
                    settings.prediction_cache_memory_items,
                    settings.cache_ttl_seconds,
                    metrics,
                    flush_s,
                    settings.storage_max_pending,
                )
            call_log: WriteBehind[tuple[str, CallRecord]] = WriteBehind(
                lambda items: storage.call_log.append_many(items),
                metrics,
                "call_log",
                flush_s,
                settings.storage_max_pending,
            )
            app.state.service = PredictionService(storage, metrics, cache, call_log)
            logger.info(
                "serving models %s with %s storage", ", ".join(versions), settings.storage_backend
            )
            try:
                yield
            finally:
                await call_log.close()
                if front is not None:
                    await front.close()
        finally:
            await storage.close()

    app = service_app(
        title="SMS spam model serving",
        description=DESCRIPTION,
        settings=settings,
        lifespan=lifespan,
        methods=["GET", "POST"],
    )
    app.state.rate_limit = (
        CallerRateLimit(settings.rate_limit_per_minute) if settings.rate_limit_per_minute else None
    )
    app.add_exception_handler(StarletteHTTPException, unknown_version_handler(versions))
    # Outermost: every layer inside it sees the caller's address.
    app.add_middleware(CallerAddressMiddleware, trusted_proxies=settings.trusted_proxies)
    for version in versions:
        add_model_routes(app.router, version)
    # After the model routes: a model call is matched before the router of the service's own
    # routes is tried.
    app.include_router(service_router)
    adjust_openapi(app, exact_openapi(app, settings))
    return app
