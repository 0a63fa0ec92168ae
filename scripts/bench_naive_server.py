"""The naive baseline of ``make bench``: model v3 served the way the original tutorial served it.

A deliberately plain server, used only by the benchmark to measure what the model API's design
buys: per request, a synchronous SQLite cache lookup, the tokenizer, a ``model.predict`` call
(Keras builds its data pipeline on every call), and a synchronous cache write committed before
the answer. It is not part of the product.

    MODELS_DIR=models NAIVE_CACHE_PATH=/tmp/naive.db uvicorn scripts.bench_naive_server:app
"""

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from pydantic import BaseModel

from analysis.paths import MODELS_DIR

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


class NaiveTextInput(BaseModel):
    text: str


class NaivePrediction(BaseModel):
    prediction: dict[str, float]
    from_cache: bool


def create_app() -> FastAPI:
    """The naive server; the model and its cache are opened when it starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        import keras

        from model_artifacts.card import ModelCard, verified_artifact
        from model_artifacts.tokenizer import load_tokenizer

        folder = Path(os.environ.get("MODELS_DIR", MODELS_DIR)) / "model3_2021" / "classifier"
        card = ModelCard.load(folder)
        app.state.model = keras.saving.load_model(
            verified_artifact(card, folder), compile=False, safe_mode=True
        )
        app.state.tokenizer = load_tokenizer(card, folder)
        app.state.labels = card.labels
        app.state.positive = card.details.get("positive_label", card.labels[1])
        database = sqlite3.connect(
            os.environ.get("NAIVE_CACHE_PATH", ":memory:"), check_same_thread=False
        )
        database.execute("CREATE TABLE IF NOT EXISTS cache (digest TEXT PRIMARY KEY, answer TEXT)")
        app.state.database = database
        app.state.lock = threading.Lock()
        try:
            yield
        finally:
            database.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/model/v3/text_to_prediction")
    def text_to_prediction(body: NaiveTextInput, request: Request) -> NaivePrediction:
        import numpy as np

        state = request.app.state
        digest = hashlib.sha256(body.text.encode()).hexdigest()
        with state.lock:
            found = state.database.execute(
                "SELECT answer FROM cache WHERE digest = ?", (digest,)
            ).fetchone()
        if found is not None:
            return NaivePrediction(prediction=json.loads(found[0]), from_cache=True)
        ids = np.asarray([state.tokenizer.encode(body.text)], dtype=np.int32)
        spam = float(state.model.predict(ids, verbose=0).ravel()[0])
        prediction = {
            label: (spam if label == state.positive else 1.0 - spam) for label in state.labels
        }
        with state.lock:
            state.database.execute(
                "INSERT OR REPLACE INTO cache VALUES (?, ?)", (digest, json.dumps(prediction))
            )
            state.database.commit()
        return NaivePrediction(prediction=prediction, from_cache=False)

    return app


app = create_app()
