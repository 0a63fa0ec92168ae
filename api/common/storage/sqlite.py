"""SQLite for the embedded default, used from asyncio without blocking the event loop.

One connection per database file, used by one dedicated worker thread: statements run in order,
never concurrently, so there is no locking to get wrong, and the event loop only awaits.
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
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await self._submit(connection.close)
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
