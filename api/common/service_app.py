"""What every service's app has in common: the error format, CORS, the body limit, `/health`."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel, Field

from api.common.body_limit import BodySizeLimitMiddleware
from api.common.errors import install_error_handlers
from api.common.settings import HttpServiceSettings


class Health(BaseModel):
    status: str = Field(examples=["ok"])


def service_app(
    *,
    title: str,
    description: str,
    settings: HttpServiceSettings,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]],
    methods: list[str],
) -> FastAPI:
    """A FastAPI app with the common error format, a CORS allow-list for ``methods`` (only the
    ``CORS_ALLOW_ORIGINS`` origins), the request-body limit and a liveness route.

    A middleware the caller adds afterwards wraps all of these (Starlette puts the last one added
    outermost)."""
    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_allow_origins,
        allow_methods=methods,
        allow_headers=["Content-Type"],
    )
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)

    @app.get(
        "/health",
        response_model=Health,
        tags=["service"],
        summary="Liveness",
        description="200 as long as the process serves requests.",
    )
    async def health() -> Health:
        return Health(status="ok")

    return app
