"""A loopback HTTP/1.1 proxy that loses answers on purpose: the fault "the request was served,
its answer never arrived".

It passes each request to the upstream server and reads the whole answer; for a request it was
told to drop, it then closes the client's connection without sending a byte of it. The client
sees what a network failure after the write looks like (httpx raises ``RemoteProtocolError``),
while the upstream server has done the work. It runs on its own event loop in a thread, so a
test can use it from synchronous code around real processes.
"""

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

_HEAD_END = b"\r\n\r\n"


async def _read_message(reader: asyncio.StreamReader) -> bytes | None:
    """One HTTP/1.1 message (head and body, by Content-Length or chunked), or None at EOF."""
    try:
        head = await reader.readuntil(_HEAD_END)
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin1").split("\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:] if line)
    }
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size_line = await reader.readuntil(b"\r\n")
            size = int(size_line.split(b";")[0].strip(), 16)
            chunk = await reader.readexactly(size + 2)
            body += size_line + chunk
            if size == 0:
                return head + body
    length = int(headers.get("content-length", "0"))
    return head + (await reader.readexactly(length) if length else b"")


@dataclass
class AnswerDroppingProxy:
    """Forwards to ``127.0.0.1:upstream_port``; ``drop_next`` loses the answers of requests."""

    upstream_port: int
    port: int = 0
    dropped: int = 0
    forwarded: int = 0
    _to_drop: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def drop_next(self, method: str = "POST", count: int = 1) -> None:
        """Lose the answers of the next ``count`` requests with ``method``."""
        with self._lock:
            self._to_drop[method] = self._to_drop.get(method, 0) + count

    def _should_drop(self, request: bytes) -> bool:
        method = request.split(b" ", 1)[0].decode("latin1")
        with self._lock:
            if self._to_drop.get(method, 0) > 0:
                self._to_drop[method] -= 1
                return True
            return False

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(
                "127.0.0.1", self.upstream_port
            )
        except OSError:  # the upstream server is down: so is this hop
            writer.close()
            return
        try:
            while (request := await _read_message(reader)) is not None:
                drop = self._should_drop(request)
                upstream_writer.write(request)
                await upstream_writer.drain()
                answer = await _read_message(upstream_reader)
                if answer is None or drop:
                    if drop:
                        self.dropped += 1
                    break
                self.forwarded += 1
                writer.write(answer)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            for stream in (writer, upstream_writer):
                stream.close()
                with contextlib.suppress(ConnectionError):
                    await stream.wait_closed()


@contextmanager
def answer_dropping_proxy(upstream_port: int) -> Iterator[AnswerDroppingProxy]:
    """Run an ``AnswerDroppingProxy`` in front of ``upstream_port`` until the block ends."""
    proxy = AnswerDroppingProxy(upstream_port)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    server: asyncio.Server | None = None

    async def start() -> None:
        nonlocal server
        server = await asyncio.start_server(proxy._serve, "127.0.0.1", 0)
        proxy.port = server.sockets[0].getsockname()[1]
        started.set()

    thread = threading.Thread(target=loop.run_forever, name="answer-dropping-proxy", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    started.wait(timeout=10)
    try:
        yield proxy
    finally:

        async def stop() -> None:
            if server is not None:
                server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
