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
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool

from api.common.errors import (
    ERROR_RESPONSES,
    ForbiddenError,
    ServiceUnavailableError,
    UnprocessableError,
    error_body,
)
from api.common.logging_setup import configure_logging
from api.common.service_app import service_app
from api.feature_server_proxy.readers import FeatureReader, open_reader
from api.feature_server_proxy.schemas import OnlineFeaturesRequest
from api.feature_server_proxy.settings import FeatureProxySettings

logger = logging.getLogger(__name__)

_PROXY_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    403: {
        "description": "A feature that is not on the allow-list.",
        "content": {
            "application/json": {
                "example": error_body("feature_not_allowed", "sms_labels:label is not served")
            }
        },
    },
    502: {"description": "The feature store refused the read, or the feature server failed."},
    503: {"description": "The online store or the feature server cannot be read now."},
}


def create_app(
    settings: FeatureProxySettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the app; its lifespan opens the reader ``PROXY_SOURCE`` names. ``transport``
    replaces the network under the client to the feature server (tests pass a fake one)."""
    settings = settings or FeatureProxySettings()
    allowed = frozenset(settings.proxy_allowed_features)

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

    @app.post(
        "/get-online-features",
        summary="Online features",
        description="Feast's `get-online-features`, restricted: the answer has one column per "
        "feature plus `sms_id`, in no promised order, so map them by `metadata.feature_names`.",
        responses=_PROXY_ERRORS,
        tags=["features"],
    )
    async def get_online_features(body: OnlineFeaturesRequest, request: Request) -> Response:
        refused = [feature for feature in body.features if feature not in allowed]
        if refused:
            raise ForbiddenError(
                f"not served by this proxy: {', '.join(refused)}",
                code="feature_not_allowed",
                allowed=sorted(allowed),
            )
        count = len(body.entities.sms_id)
        if count > settings.proxy_max_entities:
            raise UnprocessableError(
                f"{count} messages asked for; the limit is {settings.proxy_max_entities}",
                code="too_many_entities",
            )
        reader: FeatureReader = request.app.state.reader
        answer = await reader.read(body.features, body.entities.sms_id)
        return Response(answer, media_type="application/json")

    @app.get(
        "/ready",
        tags=["service"],
        summary="Readiness",
        description="200 when a read from the source (the online store, or the feature server's "
        "health check) succeeds, else 503.",
    )
    async def ready(request: Request, response: Response) -> dict[str, str | bool]:
        try:
            await request.app.state.reader.check()
        except ServiceUnavailableError as error:
            response.status_code = 503
            return {"ready": False, "source": settings.proxy_source, "status": str(error)}
        return {"ready": True, "source": settings.proxy_source, "status": "ok"}

    return app
