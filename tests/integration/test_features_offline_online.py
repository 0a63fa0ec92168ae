"""The v2 features are the same offline (the Parquet source behind Feast) and online (the
model API's text_to_features), for every message of the corpus."""

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from analysis import corpus
from api.model_serving.app import create_app
from api.model_serving.settings import ModelServingSettings
from api.model_serving.storage.factory import create_serving_tables
from tests.support.asgi import running

pytestmark = [pytest.mark.integration, pytest.mark.anyio]

BATCH = 200


async def assert_offline_equals_online(store: Path, corpus_csv: Path, tmp_path: Path) -> int:
    offline = pq.read_table(store / "offline_data" / "sms_features2.parquet").to_pydict()
    offline_features = dict(zip(offline["sms_id"], offline["features"], strict=True))
    messages = corpus.read_messages(corpus_csv)
    settings = ModelServingSettings(
        _env_file=None,
        spam_model_versions=["v2"],
        models_dir=store / "models",
        sqlite_path=tmp_path / "serving.db",
        max_batch_size=BATCH,
        max_body_bytes=10_000_000,
        max_text_length=10_000,
    )
    await create_serving_tables(settings)
    async with running(create_app(settings)) as client:
        for start in range(0, len(messages), BATCH):
            chunk = messages[start : start + BATCH]
            response = await client.post(
                "/model/v2/text_to_features/batch",
                json={"texts": [m.text for m in chunk], "skip_cache": True},
            )
            assert response.status_code == 200, response.text
            online = [r["features"] for r in response.json()["results"]]
            for message, features in zip(chunk, online, strict=True):
                assert features == offline_features[message.sms_id], message.sms_id
    return len(messages)


async def test_synthetic_corpus(trained_store: Path, corpus_csv: Path, tmp_path: Path) -> None:
    assert await assert_offline_equals_online(trained_store, corpus_csv, tmp_path) == 400


@pytest.mark.shared_corpus
async def test_real_corpus(real_store: Path, tmp_path: Path) -> None:
    compared = await assert_offline_equals_online(
        real_store, real_store / "raw_data" / "raw_dataset.csv", tmp_path
    )
    print(f"\nv2 features identical offline and online for all {compared} messages")
