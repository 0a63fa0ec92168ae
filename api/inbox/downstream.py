"""The three services a new message goes through, called over HTTP.

Every failure becomes a ``DownstreamError`` that names the service, except a refusal by the
user-data API of the message itself (a ``MessageRefusedError``), which is the sender's to fix.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from api.inbox.schemas import IncomingSms
from api.inbox.settings import InboxSettings

USER_DATA = "user-data API"
MODEL_SERVING = "model-serving API"
FEATURE_SERVER = "feature server"

# Enough of a failed answer to explain it in a log line or an error body.
_ANSWER_CHARS = 300


class DownstreamError(Exception):
    """``service`` failed: it could not be reached, timed out, or answered with an error."""

    def __init__(self, service: str, problem: str, status: int | None = None) -> None:
        super().__init__(f"{service}: {problem}")
        self.service = service
        self.status = status


class MessageRefusedError(Exception):
    """The user-data API refused the message (an unknown shape, a text too long...)."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"refused with {status}")
        self.status = status
        self.body = body


@dataclass(frozen=True)
class StoredMessage:
    sms_id: str
    date_sent: datetime


class Downstream:
    def __init__(self, client: httpx.AsyncClient, settings: InboxSettings) -> None:
        self._client = client
        self._user_data = settings.user_data_api_url.rstrip("/")
        self._model_serving = settings.model_serving_api_url.rstrip("/")
        self._features = (
            f"{self._model_serving}/model/{settings.features_model_version}/text_to_features"
        )
        self._feature_server = settings.feature_server_url.rstrip("/")
        self._push_source = settings.push_source_name
        # One push in flight at a time: Feast's SQLite online store shares one connection across
        # the feature server's threads, and concurrent writes break each other's transactions.
        self._push_lock = asyncio.Lock()

    async def store(self, sms: IncomingSms, idempotency_key: str) -> StoredMessage:
        """Add the message to the user's inbox; its TIMEUUID and date come back.

        The user-data API stores a message once per ``idempotency_key``, so a request whose
        answer was lost (the connection dropped, or no answer in time) is sent again once: if
        the first one was stored, the answer names that message.
        """
        url = f"{self._user_data}/sms/{sms.user_id}"
        body = {"sender_id": sms.sender_id, "sms_text": sms.sms_text}
        headers = {"Idempotency-Key": idempotency_key}
        try:
            answer = await self._post(USER_DATA, url, body, headers)
        except DownstreamError:
            answer = await self._post(USER_DATA, url, body, headers)
        if answer.status_code == 201:
            stored = answer.json()
            return StoredMessage(stored["sms_id"], datetime.fromisoformat(stored["date_sent"]))
        if 400 <= answer.status_code < 500:
            raise MessageRefusedError(answer.status_code, _json_or_text(answer))
        raise _failed(USER_DATA, answer)

    async def features(self, text: str) -> list[int]:
        """The message's v2 features, from the same extractor the offline sources used."""
        answer = await self._post(MODEL_SERVING, self._features, {"text": text})
        if answer.status_code != 200:
            raise _failed(MODEL_SERVING, answer)
        return answer.json()["features"]

    async def features_of_many(self, texts: list[str]) -> list[list[int]]:
        """``features`` for a list of texts, in one call."""
        answer = await self._post(MODEL_SERVING, f"{self._features}/batch", {"texts": texts})
        if answer.status_code != 200:
            raise _failed(MODEL_SERVING, answer)
        return [result["features"] for result in answer.json()["results"]]

    async def push(self, sms_id: str, features: list[int], date_sent: datetime) -> None:
        """Write the features online and append them offline, as of the time the message was
        sent (the time in its TIMEUUID)."""
        await self.push_many([(sms_id, features, date_sent)])

    async def push_many(self, rows: list[tuple[str, list[int], datetime]]) -> None:
        """``push`` for several messages, in one call. The feature server answers 200, or 202
        when it writes the offline part in batches (``feature_server`` in the store's yaml)."""
        async with self._push_lock:
            answer = await self._post_push(rows)
        if answer.status_code not in (200, 202):
            raise _failed(FEATURE_SERVER, answer)

    async def _post_push(self, rows: list[tuple[str, list[int], datetime]]) -> httpx.Response:
        return await self._post(
            FEATURE_SERVER,
            f"{self._feature_server}/push",
            {
                "push_source_name": self._push_source,
                "df": {
                    "sms_id": [sms_id for sms_id, _, _ in rows],
                    "features": [features for _, features, _ in rows],
                    # One format for every row, microseconds always written: the feature server
                    # parses the column with the format of its first value.
                    "event_timestamp": [
                        sent.isoformat(timespec="microseconds") for _, _, sent in rows
                    ],
                },
                "to": "online_and_offline",
            },
        )

    async def online_ids(self, sms_ids: list[str], feature: str) -> set[str]:
        """Which of ``sms_ids`` have a value of ``feature`` in the online store."""
        answer = await self._post(
            FEATURE_SERVER,
            f"{self._feature_server}/get-online-features",
            {"features": [feature], "entities": {"sms_id": sms_ids}},
        )
        if answer.status_code != 200:
            raise _failed(FEATURE_SERVER, answer)
        body = answer.json()
        columns = dict(zip(body["metadata"]["feature_names"], body["results"], strict=True))
        statuses = columns[feature.split(":", 1)[1]]["statuses"]
        return {
            sms_id for sms_id, found in zip(sms_ids, statuses, strict=True) if found == "PRESENT"
        }

    async def inbox(self, user_id: str, page_size: int = 100) -> list[dict[str, Any]]:
        """Every message in ``user_id``'s inbox, newest first, page by page."""
        messages: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params = {"limit": str(page_size), **({"page_token": token} if token else {})}
            try:
                answer = await self._client.get(f"{self._user_data}/sms/{user_id}", params=params)
            except httpx.HTTPError as error:
                raise DownstreamError(
                    USER_DATA, f"cannot be read ({type(error).__name__})"
                ) from error
            if answer.status_code != 200:
                raise _failed(USER_DATA, answer)
            page = answer.json()
            messages.extend(page["messages"])
            token = page.get("next_page_token")
            if not token:
                return messages

    async def health(self) -> dict[str, str]:
        """Whether each service can do its part: 'ok', or what went wrong.

        The user-data API is asked for its readiness, since it can store nothing while its own
        storage is down; the model API computes features without its cache, and Feast's feature
        server has only a liveness check, so those two are asked whether they are up.
        """
        urls = {
            USER_DATA: f"{self._user_data}/ready",
            MODEL_SERVING: f"{self._model_serving}/health",
            FEATURE_SERVER: f"{self._feature_server}/health",
        }
        report = {}
        for service, url in urls.items():
            try:
                answer = await self._client.get(url)
                report[service] = (
                    "ok" if answer.status_code == 200 else f"HTTP {answer.status_code}"
                )
            except httpx.HTTPError as error:
                report[service] = f"unreachable: {type(error).__name__}"
        return report

    async def _post(
        self, service: str, url: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> httpx.Response:
        try:
            return await self._client.post(url, json=body, headers=headers)
        except httpx.TimeoutException as error:
            raise DownstreamError(service, "did not answer in time") from error
        except httpx.TransportError as error:
            raise DownstreamError(service, f"cannot be reached ({type(error).__name__})") from error


def _failed(service: str, answer: httpx.Response) -> DownstreamError:
    return DownstreamError(
        service, f"answered {answer.status_code}: {answer.text[:_ANSWER_CHARS]}", answer.status_code
    )


def _json_or_text(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return answer.text[:_ANSWER_CHARS]
