"""SQLite for the embedded default, used from asyncio without blocking the event loop.

One connection per database file, used by one dedicated worker thread: statements run in order,
never concurrently, so there is no locking to get wrong, and the event loop only awaits.

One exception, for the hottest read: ``read_point`` looks a row up by primary key on the event
loop itself, through a second, read-only connection. In WAL mode a reader never waits for the
writer, and such a lookup takes tens of microseconds; handing it to the worker thread and back
costs several times that (see INLINE_ROWS in api/model_serving/serving.py for the measurement).
"""

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


class SqliteDatabase:
    """An SQLite file opened for a service's stores."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None  # used on the event loop's thread only

    async def open(self) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"sqlite-{self.path.name}"
        )
        self._connection = await self._submit(self._connect)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=5000")
        return connection

    async def _submit(self, work: Callable[[], T]) -> T:
        if self._executor is None:
            raise RuntimeError("the database is not open")
        return await asyncio.get_running_loop().run_in_executor(self._executor, work)

    def read_point(self, query: str, parameters: tuple) -> tuple | None:
        """One row by primary key, read on the calling thread (see the module's docstring)."""
        if self._connection is None:
            raise RuntimeError("the database is not open")
        if self._reader is None:
            self._reader = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        return self._reader.execute(query, parameters).fetchone()

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(connection)`` on the database thread and return its result."""
        connection = self._connection
        if connection is None:
            raise RuntimeError("the database is not open")
        return await self._submit(lambda: work(connection))

    async def execute_script(self, statements: Iterable[str]) -> None:
        """Run DDL statements in one transaction (used by the initialisation scripts)."""

        def apply(connection: sqlite3.Connection) -> None:
            with connection:
                connection.execute("BEGIN")
                for statement in statements:
                    connection.execute(statement)

        await self.run(apply)

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await self._submit(connection.close)
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
