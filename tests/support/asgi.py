"""Driving an app built by its factory, in process, under its real lifespan."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

# asgi-lifespan waits 5 s by default; loading the Keras models, or flushing what is pending at
# shutdown, can take longer on a busy machine.
TIMEOUTS_S = {"startup_timeout": 120, "shutdown_timeout": 60}


@asynccontextmanager
async def running(
    app: FastAPI, client: tuple[str, int] = ("127.0.0.1", 50000)
) -> AsyncIterator[httpx.AsyncClient]:
    """Start the app's lifespan and yield an HTTP client that calls it from ``client``.

    The lifespan runs through the ASGI lifespan protocol, as uvicorn runs it, so a failing
    startup fails here the same way.
    """
    async with LifespanManager(app, **TIMEOUTS_S):
        transport = httpx.ASGITransport(app=app, client=client)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http
