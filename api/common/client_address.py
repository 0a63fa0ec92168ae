"""Who is calling: the client address, trusting X-Forwarded-For only from known proxies."""

import ipaddress
from collections.abc import Iterable

from starlette.requests import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    """Turn "10.0.0.1" or "10.0.0.0/8" entries into networks; raise ValueError on junk."""
    return tuple(
        ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()
    )


def _is_trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def caller_id(request: Request, trusted_proxies: tuple[Network, ...]) -> str:
    """The address of the client that made ``request``.

    The TCP peer is the caller, unless it is a trusted proxy: then X-Forwarded-For is read from
    the right, skipping trusted proxies, and the first other address is the caller. A header
    sent by anyone else is ignored, so a client cannot pose as another by forging it.
    """
    peer = request.client.host if request.client else "unknown"
    if not trusted_proxies or not _is_trusted(peer, trusted_proxies):
        return peer
    forwarded = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(forwarded):
        if not _is_trusted(hop, trusted_proxies):
            return hop
    return forwarded[0] if forwarded else peer
