"""The inbox webhook's application factory.

An SMS gateway posts each new message to ``POST /sms`` (``routers/sms_router.py``, which says
what each answer promises). The lifespan opens what the routes use: the outbox of features that
wait to be pushed, the receipts of idempotent requests, the client for the downstream services,
and the task that retries queued pushes.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from api.common.logging_setup import configure_logging
from api.common.openapi import document_max_length
from api.common.service_app import service_app
from api.inbox.delivery import FeatureDelivery
from api.inbox.downstream import Downstream
from api.inbox.routers.service_router import router as service_router
from api.inbox.routers.sms_router import router as sms_router
from api.inbox.settings import InboxSettings
from api.inbox.storage.outbox import Outbox
from api.inbox.storage.receipts import ReceiptLog

logger = logging.getLogger(__name__)


def create_app(
    settings: InboxSettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    run_retries: bool = True,
) -> FastAPI:
    """Build the app. ``transport`` replaces the network under the HTTP client (tests pass a
    fake one); ``run_retries=False`` leaves the outbox to be drained by hand (tests again)."""
    settings = settings or InboxSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        outbox = await Outbox.open(settings.outbox_path)
        try:
            receipts = await ReceiptLog.open(outbox.database, settings.idempotency_key_ttl_seconds)
            async with httpx.AsyncClient(
                timeout=settings.downstream_timeout_seconds, transport=transport
            ) as client:
                downstream = Downstream(client, settings)
                delivery = FeatureDelivery(downstream, outbox, settings)
                # What the routes take through api/inbox/deps.py.
                app.state.downstream = downstream
                app.state.outbox = outbox
                app.state.delivery = delivery
                app.state.receipts = receipts
                app.state.keys_in_flight = set()
                waiting = await outbox.count()
                if waiting:
                    logger.info("%d messages wait for their features to be pushed", waiting)
                retries = asyncio.create_task(delivery.run()) if run_retries else None
                try:
                    yield
                finally:
                    if retries is not None:
                        retries.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await retries
        finally:
            await outbox.close()

    app = service_app(
        title="SMS inbox webhook",
        description="Receives new messages: stores each in its user's inbox and pushes its "
        "features to the feature store.",
        settings=settings,
        lifespan=lifespan,
        methods=["POST"],
    )

    app.include_router(sms_router)
    app.include_router(service_router)
    document_max_length(app, "IncomingSms", "sms_text", settings.max_sms_length)
    return app
