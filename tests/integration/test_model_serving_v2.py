"""Model v2 served beside v1: only a wrapper class and a catalog entry, no branch in the API."""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from analysis.features2.tokenizer import SmsTokenizer
from api.model_serving.app import create_app
from api.model_serving.settings import ModelServingSettings
from api.model_serving.storage.factory import create_serving_tables
from tests.support.asgi import running
from tests.support.model_behaviour import BEHAVIOUR_CHECKS, BehaviourCheck

pytestmark = pytest.mark.anyio

SPAM = "WINNER!! Call 0800123456 now, txt CLAIM to 80088, check www.prizes4u.com"


@pytest.fixture
async def app(tmp_path: Path, models_dir: Path) -> FastAPI:
    settings = ModelServingSettings(
        _env_file=None,
        spam_model_versions=["v1", "v2"],
        models_dir=models_dir,
        sqlite_path=tmp_path / "serving.db",
        max_batch_size=5,
    )
    await create_serving_tables(settings)
    return create_app(settings)


@pytest.fixture
def tokenizer(models_dir: Path) -> SmsTokenizer:
    return SmsTokenizer.load(models_dir / "model2_2020" / "tokenizer" / "tokenizer.json")


async def test_both_versions_are_served(client: httpx.AsyncClient) -> None:
    models = (await client.get("/models")).json()["models"]
    assert [m["version"] for m in models] == ["v1", "v2"]
    info = (await client.get("/model/v2/info")).json()
    assert info["feature_service"] == "labeled_sms_2"
    assert info["artifact"]["format"] == "keras"


async def test_v2_text_to_prediction_then_cache(client: httpx.AsyncClient) -> None:
    first = (await client.post("/model/v2/text_to_prediction", json={"text": SPAM})).json()
    assert first["top"]["label"] == "spam"
    assert first["from_cache"] is False
    assert sum(first["prediction"].values()) == pytest.approx(1.0, abs=1e-6)
    second = (await client.post("/model/v2/text_to_prediction", json={"text": SPAM})).json()
    assert second["from_cache"] is True
    assert second["prediction"] == first["prediction"]


async def test_v2_text_to_features_are_the_tokenizers(
    client: httpx.AsyncClient, tokenizer: SmsTokenizer
) -> None:
    body = (await client.post("/model/v2/text_to_features", json={"text": SPAM})).json()
    assert body["features"] == tokenizer.encode(SPAM)
    from_features = await client.post(
        "/model/v2/features_to_prediction", json={"features": body["features"]}
    )
    from_text = await client.post("/model/v2/text_to_prediction", json={"text": SPAM})
    assert from_features.json()["prediction"] == pytest.approx(from_text.json()["prediction"])


async def test_v2_batch_runs_novel_rows_as_one_tensor(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await client.post("/model/v2/text_to_prediction", json={"text": SPAM})
    model = app.state.models["v2"]
    original = model.predict_proba
    calls: list[Any] = []

    def spy(vectors: Any) -> Any:
        calls.append([list(v) for v in vectors])
        return original(vectors)

    monkeypatch.setattr(model, "predict_proba", spy)
    texts = ["lunch at noon?", SPAM, "see you at the cinema", "lunch at noon?"]
    results = (
        await client.post("/model/v2/text_to_prediction/batch", json={"texts": texts})
    ).json()["results"]
    assert [r["from_cache"] for r in results] == [False, True, False, False]
    assert calls == [model.text_to_features(["lunch at noon?", "see you at the cinema"])]
    assert results[0]["prediction"] == results[3]["prediction"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ids: ids[:-1], "takes"),
        (lambda ids: [*ids[:-1], 10**6], "outside the vocabulary"),
        (lambda ids: [*ids[:-1], -1], "outside the vocabulary"),
        (lambda ids: [*ids[:-1], 2.5], "whole number"),
    ],
)
async def test_v2_refuses_features_it_cannot_take(
    client: httpx.AsyncClient, tokenizer: SmsTokenizer, change: Any, message: str
) -> None:
    features = change(tokenizer.encode(SPAM))
    response = await client.post("/model/v2/features_to_prediction", json={"features": features})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "invalid_features"
    assert message in detail["message"]


async def test_v1_still_answers_beside_v2(client: httpx.AsyncClient) -> None:
    response = await client.post("/model/v1/text_to_prediction", json={"text": SPAM})
    assert response.json()["top"]["label"] == "spam"


@pytest.mark.parametrize("check", BEHAVIOUR_CHECKS, ids=lambda check: check.__name__)
async def test_v2_behaviour(app: FastAPI, client: httpx.AsyncClient, check: BehaviourCheck) -> None:
    model = app.state.models["v2"]
    check(lambda texts: model.predict_proba(model.text_to_features(texts))[:, 1])


def test_the_card_names_the_tokenizer_it_needs(models_dir: Path) -> None:
    card = json.loads((models_dir / "model2_2020" / "classifier" / "metadata.json").read_text())
    assert card["details"]["tokenizer"]["file"] == "../tokenizer/tokenizer.json"
    assert len(card["details"]["tokenizer"]["sha256"]) == 64


async def test_a_changed_tokenizer_is_refused(tmp_path: Path, models_dir: Path) -> None:
    import shutil

    copy = tmp_path / "models"
    shutil.copytree(models_dir, copy)
    tokenizer_file = copy / "model2_2020" / "tokenizer" / "tokenizer.json"
    data = json.loads(tokenizer_file.read_text())
    data["vocabulary"] = list(reversed(data["vocabulary"]))
    tokenizer_file.write_text(json.dumps(data))
    from api.model_serving.models.catalog import load_model

    with pytest.raises(ValueError, match="not the tokenizer"):
        load_model("v2", copy)


async def test_v3_reads_the_same_features_as_v2_and_is_served_by_configuration_alone(
    tmp_path: Path, models_dir: Path
) -> None:
    settings = ModelServingSettings(
        _env_file=None,
        spam_model_versions=["v1", "v2", "v3"],
        models_dir=models_dir,
        sqlite_path=tmp_path / "three.db",
    )
    await create_serving_tables(settings)
    async with running(create_app(settings)) as client:
        models = (await client.get("/models")).json()["models"]
        assert [m["version"] for m in models] == ["v1", "v2", "v3"]
        info = (await client.get("/model/v3/info")).json()
        assert info["feature_service"] == "labeled_sms_2"
        assert info["details"]["hyperparameters"]["network"] == "embedding_bag"
        assert info["details"]["hyperparameters"]["members"] == 5
        # Architecture II: the features come from elsewhere (the online store); here, from v2.
        features = (await client.post("/model/v2/text_to_features", json={"text": SPAM})).json()[
            "features"
        ]
        v3 = await client.post("/model/v3/features_to_prediction", json={"features": features})
        assert v3.status_code == 200
        assert v3.json()["top"]["label"] == "spam"
        wrong = await client.post("/model/v3/features_to_prediction", json={"features": [1, 2]})
        assert wrong.status_code == 422


async def test_v2_documents_its_own_feature_vector(
    client: httpx.AsyncClient, tokenizer: SmsTokenizer
) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    vector = schemas["FeaturesInputV2"]["properties"]["features"]
    assert vector["minItems"] == vector["maxItems"] == tokenizer.max_seq_length
    assert vector["items"] == {
        "type": "integer",
        "minimum": 0,
        "maximum": tokenizer.vocabulary_size - 1,
    }
    (example,) = vector["examples"]
    assert len(example) == tokenizer.max_seq_length
    answer = await client.post("/model/v2/features_to_prediction", json={"features": example})
    assert answer.status_code == 200
    batch = schemas["FeaturesBatchInputV2"]["properties"]["features"]
    assert batch["items"] == {k: vector[k] for k in ("type", "minItems", "maxItems", "items")}
    assert (batch["minItems"], batch["maxItems"]) == (1, 5)


def test_the_label_order_comes_from_the_model_card(models_dir: Path) -> None:
    import keras

    from api.model_serving.models.keras_tokens import KerasTokenModel
    from model_artifacts.card import ModelCard
    from model_artifacts.tokenizer import load_tokenizer

    folder = models_dir / "model2_2020" / "classifier"
    card = ModelCard.load(folder)
    assert card.details["positive_label"] == "spam"
    network = keras.saving.load_model(folder / card.artifact.file, compile=False)
    tokenizer = load_tokenizer(card, folder)
    served = KerasTokenModel("v2", card, network, tokenizer)
    reversed_card = card.model_copy(update={"labels": ["spam", "ham"]})
    reversed_order = KerasTokenModel("v2", reversed_card, network, tokenizer)
    vectors = served.text_to_features([SPAM, "see you at noon"])
    as_served, as_reversed = served.predict_proba(vectors), reversed_order.predict_proba(vectors)
    assert as_reversed[:, 0] == pytest.approx(as_served[:, 1])  # spam, wherever the card puts it
    assert as_reversed[:, 1] == pytest.approx(as_served[:, 0])
