"""The feature-server proxy's application factory.

The web app (architecture II) reads online features through this service instead of from Feast's
feature server, which is not built to face browsers: it also writes (``/push``,
``/write-to-online-store``) and materializes, sends no CORS headers, reads every view (the labels
too), and answers a request for a feature it does not know with a 500. The proxy answers one
call, ``POST /get-online-features``, for allow-listed features of messages named by ``sms_id``,
checks it before anything reaches Feast, and answers with Feast's own JSON: read from the online
store in this process, or from the feature server (``readers.py``).
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from api.common.logging_setup import configure_logging
from api.common.service_app import service_app
from api.feature_server_proxy.readers import open_reader
from api.feature_server_proxy.routers.features_router import router as features_router
from api.feature_server_proxy.routers.service_router import router as service_router
from api.feature_server_proxy.settings import FeatureProxySettings

logger = logging.getLogger(__name__)


def create_app(
    settings: FeatureProxySettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the app; its lifespan opens the reader ``PROXY_SOURCE`` names. ``transport``
    replaces the network under the client to the feature server (tests pass a fake one)."""
    settings = settings or FeatureProxySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        reader = await run_in_threadpool(open_reader, settings, transport)
        app.state.reader = reader
        logger.info("serving online features from the %s", settings.proxy_source)
        try:
            yield
        finally:
            await reader.close()

    app = service_app(
        title="SMS feature-server proxy",
        description="Online features of SMS messages for the web app, as Feast's feature "
        "server gives them: only allow-listed features, only by `sms_id`.",
        settings=settings,
        lifespan=lifespan,
        methods=["POST"],
    )

    app.include_router(features_router)
    app.include_router(service_router)
    return app
