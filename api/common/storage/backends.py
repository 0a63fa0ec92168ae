"""The storage backends a service can run on, as one table per service.

Each service's ``storage/factory.py`` maps every ``STORAGE_BACKEND`` value to a ``StorageBackend``
that knows how to open the service's storage and how to create its tables. The app opens
storage through it and the initialisation script creates tables through it, so the choice of
backend is written once per service. A backend imports its driver only when it is used: the
SQLite default never loads the Cassandra driver.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from api.common.settings import ServiceSettings

StorageT = TypeVar("StorageT")
SettingsT = TypeVar("SettingsT", bound=ServiceSettings)


@dataclass(frozen=True)
class SchemaOptions:
    """How to create tables. The keyspace options apply to Cassandra; Astra DB keyspaces are
    created in its console."""

    create_keyspace: bool = False
    replication_factor: int = 1


DEFAULT_OPTIONS = SchemaOptions()


class StorageBackend(ABC, Generic[StorageT, SettingsT]):
    """Opens one service's storage on one backend, and creates its tables there."""

    @abstractmethod
    async def open(self, settings: SettingsT) -> StorageT:
        """The service's storage, ready to use (its tables must exist already)."""

    @abstractmethod
    async def create_tables(self, settings: SettingsT, options: SchemaOptions) -> str:
        """Create the tables if they do not exist; return where they are, for a person."""


def backend_for(
    backends: Mapping[str, StorageBackend[StorageT, SettingsT]], settings: SettingsT
) -> StorageBackend[StorageT, SettingsT]:
    """The backend ``settings.storage_backend`` names."""
    try:
        return backends[settings.storage_backend]
    except KeyError:
        raise ValueError(
            f"STORAGE_BACKEND={settings.storage_backend!r} is not one of {sorted(backends)}"
        ) from None
