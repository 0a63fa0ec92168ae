"""The feature-server proxy's application factory.

The web app (architecture II) reads online features through this service instead of from Feast's
feature server, which is not built to face browsers: it also writes (``/push``,
``/write-to-online-store``) and materializes, sends no CORS headers, reads every view (the labels
too), and answers a request for a feature it does not know with a 500. The proxy passes on one
call, ``POST /get-online-features``, for allow-listed features of messages named by ``sms_id``,
checks it before anything reaches Feast, and returns Feast's answer unchanged.
"""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response

from api.common.errors import (
    ERROR_RESPONSES,
    BadGatewayError,
    ForbiddenError,
    ServiceUnavailableError,
    UnprocessableError,
    error_body,
)
from api.common.logging_setup import configure_logging
from api.common.service_app import service_app
from api.feature_server_proxy.schemas import OnlineFeaturesRequest
from api.feature_server_proxy.settings import FeatureProxySettings

logger = logging.getLogger(__name__)

# Enough of a failed answer to explain it, not enough to flood a log or a client.
_UPSTREAM_TEXT_CHARS = 500

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
    502: {"description": "The feature server answered with an error."},
    503: {"description": "The feature server cannot be reached or did not answer in time."},
}


def create_app(
    settings: FeatureProxySettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Build the app. ``transport`` replaces the network under the client to the feature server
    (tests pass a fake one); by default the client connects to ``FEATURE_SERVER_URL``."""
    settings = settings or FeatureProxySettings()
    allowed = frozenset(settings.proxy_allowed_features)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        async with httpx.AsyncClient(
            base_url=settings.feature_server_url,
            timeout=settings.feature_server_timeout_seconds,
            transport=transport,
        ) as client:
            app.state.feature_server = client
            logger.info("proxying online features of %s", settings.feature_server_url)
            yield

    app = service_app(
        title="SMS feature-server proxy",
        description="Online features of SMS messages, read from Feast's feature server for the "
        "web app: only allow-listed features, only by `sms_id`.",
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
        answer = await _forward(request.app.state.feature_server, body)
        return Response(answer.content, media_type="application/json")

    @app.get(
        "/ready",
        tags=["service"],
        summary="Readiness",
        description="200 when the feature server answers its health check, else 503.",
    )
    async def ready(request: Request, response: Response) -> dict[str, str | bool]:
        try:
            answer = await request.app.state.feature_server.get("/health")
            answer.raise_for_status()
        except httpx.HTTPError as error:
            response.status_code = 503
            return {"ready": False, "feature_server": f"unavailable: {error}"}
        return {"ready": True, "feature_server": "ok"}

    return app


async def _forward(client: httpx.AsyncClient, body: OnlineFeaturesRequest) -> httpx.Response:
    try:
        answer = await client.post("/get-online-features", json=body.model_dump())
    except httpx.TimeoutException as error:
        raise ServiceUnavailableError(
            "the feature server did not answer in time", code="feature_server_timeout"
        ) from error
    except httpx.TransportError as error:
        raise ServiceUnavailableError(
            "the feature server cannot be reached", code="feature_server_unavailable"
        ) from error
    if answer.status_code != 200 or not answer.headers.get("content-type", "").startswith(
        "application/json"
    ):
        text = answer.text[:_UPSTREAM_TEXT_CHARS]
        logger.warning("feature server answered %d: %s", answer.status_code, text)
        raise BadGatewayError(
            f"the feature server answered {answer.status_code}",
            code="feature_server_error",
            upstream=text,
        )
    return answer
