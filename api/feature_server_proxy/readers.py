"""Where the proxy reads online features from: the online store itself, or Feast's feature server.

Both answer with exactly the JSON of Feast's ``POST /get-online-features``, so the web app cannot
tell them apart. The choice is made once, from ``PROXY_SOURCE``:

- ``online_store`` (the default): Feast's SDK in this process, on the feature repo's yaml, reads
  the online store (SQLite or Cassandra) directly. No second HTTP hop: the read costs what the
  store costs.
- ``feature_server``: a call to ``FEATURE_SERVER_URL``, for a proxy that runs where the feature
  repo and the online store's settings are not.
"""

import asyncio
import json
import logging
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import httpx

from api.common.errors import BadGatewayError, ServiceUnavailableError
from api.feature_server_proxy.settings import FeatureProxySettings

if TYPE_CHECKING:
    from feast import FeatureStore

logger = logging.getLogger(__name__)

# Enough of a failed answer to explain it, not enough to flood a log or a client.
_UPSTREAM_TEXT_CHARS = 500
# An id no message has: readiness reads it to reach the online store without finding anything.
_PROBE_ID = "readiness-probe"


class FeatureReader(ABC):
    """Reads allow-listed features of messages; raises the proxy's 502/503 errors."""

    @abstractmethod
    async def read(self, features: Sequence[str], sms_ids: Sequence[str]) -> bytes:
        """Feast's JSON answer for these features of these messages."""

    @abstractmethod
    async def check(self) -> None:
        """Raise ``ServiceUnavailableError`` if reads cannot succeed now."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections."""


class OnlineStoreReader(FeatureReader):
    """The online store through Feast's SDK, in this process.

    A read from SQLite is a local file lookup of a fraction of a millisecond, cheaper than
    handing it to a worker thread, so it runs on the event loop; a read from any other store
    waits on the network and runs in a worker thread.
    """

    def __init__(self, store: "FeatureStore", probe_feature: str) -> None:
        from feast.feature_server_utils import convert_response_to_dict

        self._store = store
        self._to_dict = convert_response_to_dict
        self._probe_feature = probe_feature
        self._store_type = store.config.online_store.type
        self._inline = self._store_type == "sqlite"
        self._unavailable = _store_outages(self._store_type)

    @classmethod
    def open(cls, settings: FeatureProxySettings) -> "OnlineStoreReader":
        """Open the feature repo (blocking: at start-up). ``FEAST_FS_YAML_FILE_PATH``, if set,
        names its yaml, as it does for Feast's own CLI."""
        from feast import FeatureStore

        yaml = settings.feast_fs_yaml_file_path
        store = FeatureStore(repo_path=str(settings.sms_feature_repo), fs_yaml_file=yaml)
        return cls(store, settings.proxy_allowed_features[0])

    def _read_now(self, features: Sequence[str], sms_ids: Sequence[str]) -> bytes:
        response = self._store.get_online_features(
            features=list(features), entity_rows=[{"sms_id": sms_id} for sms_id in sms_ids]
        )
        return json.dumps(self._to_dict(response.proto), separators=(",", ":")).encode()

    async def read(self, features: Sequence[str], sms_ids: Sequence[str]) -> bytes:
        try:
            if self._inline:
                return self._read_now(features, sms_ids)
            return await asyncio.to_thread(self._read_now, features, sms_ids)
        except Exception as error:
            raise self._failure(error) from error

    async def check(self) -> None:
        await self.read([self._probe_feature], [_PROBE_ID])

    async def close(self) -> None:
        # Feast's online stores hold their connections for the life of the store object, and
        # give no call to close them (``FeatureStore.teardown`` would drop the tables).
        pass

    def _failure(self, error: Exception) -> BadGatewayError | ServiceUnavailableError:
        logger.warning("online store (%s) read failed: %r", self._store_type, error)
        if isinstance(error, self._unavailable):
            return ServiceUnavailableError(
                f"the online store ({self._store_type}) cannot be read now",
                code="online_store_unavailable",
            )
        # Feast refused the read itself: a feature on the allow-list that the registry does not
        # have, say. The same 502 that a failure of the feature server gets.
        return BadGatewayError(
            f"the feature store refused the read: {error!r}", code="feature_store_error"
        )


def _store_outages(store_type: str) -> tuple[type[BaseException], ...]:
    """The exceptions by which an online store says it cannot be reached or answer now."""
    outages: tuple[type[BaseException], ...] = (OSError, sqlite3.Error)
    if store_type == "cassandra":
        from cassandra import DriverException
        from cassandra.cluster import NoHostAvailable

        outages += (DriverException, NoHostAvailable)
    return outages


class FeatureServerReader(FeatureReader):
    """Feast's feature server, over HTTP."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    @classmethod
    def open(
        cls, settings: FeatureProxySettings, transport: httpx.AsyncBaseTransport | None = None
    ) -> "FeatureServerReader":
        """``transport`` replaces the network under the client (tests pass a fake one)."""
        return cls(
            httpx.AsyncClient(
                base_url=settings.feature_server_url,
                timeout=settings.feature_server_timeout_seconds,
                transport=transport,
            )
        )

    async def read(self, features: Sequence[str], sms_ids: Sequence[str]) -> bytes:
        body: dict[str, Any] = {"features": list(features), "entities": {"sms_id": list(sms_ids)}}
        try:
            answer = await self._client.post("/get-online-features", json=body)
        except httpx.TimeoutException as error:
            raise ServiceUnavailableError(
                "the feature server did not answer in time", code="feature_server_timeout"
            ) from error
        except httpx.TransportError as error:
            raise ServiceUnavailableError(
                "the feature server cannot be reached", code="feature_server_unavailable"
            ) from error
        if answer.status_code != 200 or not answer.headers.get("content-type", "").startswith(
            "application/json"
        ):
            text = answer.text[:_UPSTREAM_TEXT_CHARS]
            logger.warning("feature server answered %d: %s", answer.status_code, text)
            raise BadGatewayError(
                f"the feature server answered {answer.status_code}",
                code="feature_server_error",
                upstream=text,
            )
        return answer.content

    async def check(self) -> None:
        try:
            answer = await self._client.get("/health")
            answer.raise_for_status()
        except httpx.HTTPError as error:
            raise ServiceUnavailableError(
                f"the feature server is not ready ({error})", code="feature_server_unavailable"
            ) from error

    async def close(self) -> None:
        await self._client.aclose()


def open_reader(
    settings: FeatureProxySettings, transport: httpx.AsyncBaseTransport | None = None
) -> FeatureReader:
    """The reader ``PROXY_SOURCE`` names (blocking: call it at start-up)."""
    if settings.proxy_source == "online_store":
        return OnlineStoreReader.open(settings)
    return FeatureServerReader.open(settings, transport)
