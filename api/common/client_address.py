"""Who is calling: the client address, with X-Forwarded-For believed only from TRUSTED_PROXIES.

``TRUSTED_PROXIES`` is the one list of proxies that may say who the client is. The app applies
it with uvicorn's own ``ProxyHeadersMiddleware``, inside the app, so that ``request.client`` is
the caller by the time a handler reads it.

uvicorn also wraps every app in that middleware, outside it, with a list of its own
(``--forwarded-allow-ips``, by default 127.0.0.1 and ::1), unless it is started with
``--no-proxy-headers``. It then replaces the address of a request from a host on its list with
one read from X-Forwarded-For, before the app sees the request, and the real peer is lost: any
local process could pose as any address. The app cannot undo that, but it can tell: the address
it receives is then one of the header's own hops, which a direct client never sends and a proxy
never writes (a proxy appends the address of the hop before it, not its own). Such a request is
refused with a 400 instead of being served under an identity nobody vouched for.
"""

import ipaddress
import json
import logging
from collections.abc import Iterable, Sequence

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.common.errors import error_body

logger = logging.getLogger(__name__)

UNKNOWN_CALLER = "unknown"


def normalise_proxies(entries: Iterable[str]) -> list[str]:
    """``TRUSTED_PROXIES`` entries ("10.0.0.1", "10.0.0.0/8") as uvicorn's middleware reads
    them; ValueError on anything else, ``*`` included (it would let anyone pose as anyone)."""
    normalised = []
    for entry in (entry.strip() for entry in entries):
        if not entry:
            continue
        if entry == "*":
            raise ValueError("TRUSTED_PROXIES must list proxies; '*' would trust every client")
        if "/" in entry:
            # uvicorn parses networks strictly and silently ignores "10.0.0.1/8"; normalise it.
            normalised.append(str(ipaddress.ip_network(entry, strict=False)))
        else:
            normalised.append(str(ipaddress.ip_address(entry)))
    return normalised


def _hop_hosts(value: str) -> set[str]:
    """The ways a server may read a host out of one X-Forwarded-For entry: the entry itself,
    and the entry without a ``:port`` (``1.2.3.4:5``, ``[::1]:5``)."""
    hop = value.strip()
    hosts = {hop}
    if hop.startswith("[") and "]" in hop:
        hosts.add(hop[1 : hop.index("]")])
    elif hop.count(":") == 1:
        hosts.add(hop.split(":", 1)[0])
    return hosts


def _client_named_in_forwarded_for(scope: Scope) -> bool:
    client = scope.get("client")
    if not client:
        return False
    hosts: set[str] = set()
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            for hop in value.decode("latin1").split(","):
                hosts |= _hop_hosts(hop)
    return client[0] in hosts


class CallerAddressMiddleware:
    """Makes the request's client address its caller, as ``TRUSTED_PROXIES`` allows (see the
    module's docstring), and refuses a request whose address the server already took from
    X-Forwarded-For."""

    def __init__(self, app: ASGIApp, trusted_proxies: Sequence[str]) -> None:
        self._app: ASGIApp = app
        if trusted_proxies:
            self._app = ProxyHeadersMiddleware(app, trusted_hosts=list(trusted_proxies))  # type: ignore[arg-type,assignment]
        self._warned = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _client_named_in_forwarded_for(scope):
            await self._refuse(send)
            return
        await self._app(scope, receive, send)

    async def _refuse(self, send: Send) -> None:
        if not self._warned:
            self._warned = True
            logger.warning(
                "refusing requests whose address the server took from X-Forwarded-For: behind "
                "a proxy, list it in TRUSTED_PROXIES and start uvicorn with --no-proxy-headers"
            )
        body = json.dumps(
            error_body(
                "forwarded_for_not_trusted",
                "X-Forwarded-For is believed only from the proxies in TRUSTED_PROXIES, and the "
                "server had already replaced this request's address with one from it: send the "
                "request without that header (behind a trusted proxy, run uvicorn with "
                "--no-proxy-headers)",
            )
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def caller_id(request: Request) -> str:
    """The caller of ``request``: its client address, once ``CallerAddressMiddleware`` has
    applied ``TRUSTED_PROXIES`` to it."""
    return request.client.host if request.client else UNKNOWN_CALLER
