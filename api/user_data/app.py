"""The user-data API's application factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.common.logging_setup import configure_logging
from api.common.openapi import document_max_length
from api.common.service_app import service_app
from api.user_data.routers.service_router import router as service_router
from api.user_data.routers.sms_router import router as sms_router
from api.user_data.settings import UserDataSettings
from api.user_data.storage.factory import open_inbox_store

logger = logging.getLogger(__name__)


def create_app(settings: UserDataSettings | None = None) -> FastAPI:
    """Build the app; storage is opened by its lifespan, not here."""
    settings = settings or UserDataSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level)
        inbox = await open_inbox_store(settings)
        try:
            try:
                await inbox.ping()
            except Exception as error:
                logger.error("the inbox store is not ready: %s", error)
            app.state.inbox = inbox
            logger.info("serving inboxes from %s storage", settings.storage_backend)
            yield
        finally:
            await inbox.close()

    app = service_app(
        title="SMS user data",
        description="Every user's SMS inbox: list it, read a message, add one.",
        settings=settings,
        lifespan=lifespan,
        methods=["GET", "POST"],
    )
    app.include_router(sms_router)
    app.include_router(service_router)
    document_max_length(app, "SmsCreate", "sms_text", settings.max_sms_length)

    return app
