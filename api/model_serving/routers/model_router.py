"""The routes of every served model version, all added by ``add_model_routes``.

The routes know nothing about any particular model: they validate the request, hand the work
to the ``PredictionService`` with the version's ``SpamModel``, and shape the answer. Serving a
new version adds a catalog entry, never a branch here.

Three choices keep a cached answer close to the cost of a trivial endpoint (``make bench``
compares the two; docs/performance.md has the figures):

- the routes go straight onto the app's router instead of an included ``APIRouter`` per
  version: FastAPI matches an included router's routes twice (to pick the router, then inside
  it), a cost of the same order as the rest of a cache hit;
- the handlers take the ``Request`` and build their ``Call`` themselves, without a dependency;
- they return a ``JSONResponse`` of the dict they built, so FastAPI does not validate it again
  against the ``response_model``, which still documents it.
"""

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, create_model

from api.common.client_address import caller_id
from api.common.errors import (
    ERROR_RESPONSES,
    ServiceUnavailableError,
    TooManyRequestsError,
    UnprocessableError,
    text_too_long,
)
from api.model_serving.models.base import InvalidFeaturesError, SpamModel
from api.model_serving.openapi import features_input_name
from api.model_serving.rate_limit import CallerRateLimit
from api.model_serving.schemas import (
    CallLogEntry,
    FeaturesBatchInput,
    FeaturesBatchResult,
    FeaturesInput,
    FeaturesResult,
    PredictionBatchResult,
    PredictionResult,
    TextBatchInput,
    TextInput,
)
from api.model_serving.serving import (
    Item,
    PredictionService,
    features_payloads,
    prediction_payloads,
    text_prediction_payloads,
)
from api.model_serving.settings import ModelServingSettings
from model_artifacts.card import ModelCard

# A model call may also be refused by the per-caller limit (RATE_LIMIT_PER_MINUTE).
MODEL_CALL_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    429: {
        "description": "The caller made RATE_LIMIT_PER_MINUTE calls in the last minute; "
        "`Retry-After` says how many seconds to wait.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}

TEXT_TO_FEATURES = "text_to_features"
FEATURES_TO_PREDICTION = "features_to_prediction"
TEXT_TO_PREDICTION = "text_to_prediction"


def _check_texts(texts: list[str], settings: ModelServingSettings) -> None:
    _check_batch_size(len(texts), settings)
    for position, text in enumerate(texts):
        if len(text) > settings.max_text_length:
            raise text_too_long(f"text {position}", len(text), settings.max_text_length)


def _check_batch_size(size: int, settings: ModelServingSettings) -> None:
    if size == 0:
        raise UnprocessableError("the batch is empty", code="empty_batch")
    if size > settings.max_batch_size:
        raise UnprocessableError(
            f"the batch has {size} items; the limit is {settings.max_batch_size}",
            code="batch_too_large",
        )


def _check_vectors(model: SpamModel, vectors: list[list[float]]) -> list[list[Any]]:
    checked = []
    for position, vector in enumerate(vectors):
        try:
            checked.append(model.check_features(vector))
        except InvalidFeaturesError as error:
            raise UnprocessableError(
                f"feature vector {position}: {error}",
                code="invalid_features",
                expected=model.card.feature_names,
            ) from error
    return checked


def _echo(items: list[Item], inputs: list[Any], echo: bool) -> list[dict[str, Any]]:
    return [
        {**item.payload, "from_cache": item.from_cache, **({"input": x} if echo else {})}
        for item, x in zip(items, inputs, strict=True)
    ]


@dataclass(frozen=True)
class Call:
    """What every model route needs about the request it serves."""

    model: SpamModel
    service: PredictionService
    settings: ModelServingSettings
    caller: str
    rate_limit: CallerRateLimit | None


def _texts(call: Call, texts: list[str]) -> list[str]:
    _check_texts(texts, call.settings)
    return texts


def _vectors(call: Call, vectors: list[list[float]]) -> list[list[Any]]:
    _check_batch_size(len(vectors), call.settings)
    return _check_vectors(call.model, vectors)


@dataclass(frozen=True)
class Operation:
    """One kind of model work, served as a single route and as a ``/batch`` route."""

    endpoint: str
    single_input: type[TextInput] | type[FeaturesInput]
    batch_input: type[TextBatchInput] | type[FeaturesBatchInput]
    single_result: type[FeaturesResult] | type[PredictionResult]
    batch_result: type[FeaturesBatchResult] | type[PredictionBatchResult]
    prepare: Callable[[Call, list[Any]], list[Any]]  # validate; return the model's inputs
    compute: Callable[[SpamModel, list[Any]], list[dict[str, Any]]]
    summary: str
    description: str


OPERATIONS = (
    Operation(
        TEXT_TO_FEATURES,
        TextInput,
        TextBatchInput,
        FeaturesResult,
        FeaturesBatchResult,
        _texts,
        features_payloads,
        summary="Text to features",
        description="The features the model computes from a text: the same extractor that "
        "wrote the offline sources it was trained on.",
    ),
    Operation(
        FEATURES_TO_PREDICTION,
        FeaturesInput,
        FeaturesBatchInput,
        PredictionResult,
        PredictionBatchResult,
        _vectors,
        prediction_payloads,
        summary="Features to prediction",
        description="Label probabilities from a feature vector; its length and values must "
        "fit the model (see its `info`).",
    ),
    Operation(
        TEXT_TO_PREDICTION,
        TextInput,
        TextBatchInput,
        PredictionResult,
        PredictionBatchResult,
        _texts,
        text_prediction_payloads,
        summary="Text to prediction",
        description="Label probabilities for a text: features and model in one call.",
    ),
)


def add_model_routes(router: APIRouter, version: str) -> None:
    """Add the routes of one model version, under ``/model/{version}``, to the app's router."""
    prefix = f"/model/{version}"
    tags: list[str | Enum] = [f"model {version}"]

    def context(request: Request) -> Call:
        state = request.app.state
        return Call(
            model=state.models[version],
            service=state.service,
            settings=state.settings,
            caller=caller_id(request),
            rate_limit=state.rate_limit,
        )

    async def run(
        operation: Operation, call: Call, body: Any, background: BackgroundTasks
    ) -> list[dict[str, Any]]:
        inputs = body.inputs()
        model_inputs = operation.prepare(call, inputs)
        if call.rate_limit is not None:
            wait_s = call.rate_limit.admit(call.caller)
            if wait_s is not None:
                raise TooManyRequestsError(
                    f"more than {call.settings.rate_limit_per_minute} calls in a minute; "
                    f"send again in {wait_s} s",
                    headers={"Retry-After": str(wait_s)},
                )
        with call.service.metrics.route(version, operation.endpoint).latency.time():
            items = await call.service.run(
                endpoint=operation.endpoint,
                model=call.model,
                inputs=model_inputs,
                compute=partial(operation.compute, call.model),
                skip_cache=body.skip_cache,
                caller=call.caller,
                background=background,
            )
        return _echo(items, inputs, body.echo_input)

    # This version's own request models for feature vectors, documented with its vector.
    own_models: dict[type[BaseModel], type[BaseModel]] = {
        FeaturesInput: create_model(features_input_name(version), __base__=FeaturesInput),
        FeaturesBatchInput: create_model(
            features_input_name(version, batch=True), __base__=FeaturesBatchInput
        ),
    }

    def add_routes(operation: Operation) -> None:
        single_input = own_models.get(operation.single_input, operation.single_input)
        batch_input = own_models.get(operation.batch_input, operation.batch_input)

        @router.post(
            f"{prefix}/{operation.endpoint}",
            response_model=operation.single_result,
            summary=operation.summary,
            description=f"Model {version}. {operation.description}",
            name=f"{operation.endpoint}_{version}",
            tags=tags,
            responses=MODEL_CALL_RESPONSES,
        )
        async def single(
            body: single_input,  # type: ignore[valid-type]
            request: Request,
            background: BackgroundTasks,
        ) -> JSONResponse:
            results = await run(operation, context(request), body, background)
            return JSONResponse(results[0])

        @router.post(
            f"{prefix}/{operation.endpoint}/batch",
            response_model=operation.batch_result,
            summary=f"{operation.summary} (batch)",
            description=f"Model {version}. `{operation.endpoint}` for a list, in order: cached "
            "items come from the cache, and all the novel ones go to the model in one call.",
            name=f"{operation.endpoint}_batch_{version}",
            tags=tags,
            responses=MODEL_CALL_RESPONSES,
        )
        async def batch(
            body: batch_input,  # type: ignore[valid-type]
            request: Request,
            background: BackgroundTasks,
        ) -> JSONResponse:
            results = await run(operation, context(request), body, background)
            return JSONResponse({"results": results})

    for operation in OPERATIONS:
        add_routes(operation)

    @router.get(
        f"{prefix}/recent_call_log",
        response_class=StreamingResponse,
        summary="Your recent calls",
        description=f"Your calls to model {version} in the last hour, newest first, streamed as "
        "a JSON array. You are identified by your address.",
        responses={
            **ERROR_RESPONSES,
            200: {"model": list[CallLogEntry], "content": {"application/json": {}}},
        },
        name=f"recent_call_log_{version}",
        tags=tags,
    )
    async def recent_call_log(
        request: Request,
        limit: Annotated[int | None, Query(gt=0, description="At most this many calls.")] = None,
    ) -> StreamingResponse:
        call = context(request)
        service, settings = call.service, call.settings
        rows = min(limit or settings.call_log_max_rows, settings.call_log_max_rows)
        await service.call_log.flush()  # so that the caller's latest calls are included
        records = service.storage.call_log.recent(call.caller, version, rows)
        # Read the first row before answering, so a storage failure is a clean 503 and not a
        # broken 200 stream.
        try:
            first = await anext(records, None)
        except Exception as error:
            service.metrics.storage_errors.labels("call_log_read").inc()
            raise ServiceUnavailableError("the call log is unavailable") from error

        async def body() -> AsyncIterator[bytes]:
            yield b"["
            record = first
            separator = b""
            while record is not None:
                entry = CallLogEntry(
                    call_id=str(record.call_id),
                    called_at=record.called_at,
                    endpoint=record.endpoint,
                    model_version=record.model_version,
                    input=json.loads(record.input),
                    output=json.loads(record.output),
                    items=record.items,
                    from_cache=record.from_cache,
                )
                yield separator + entry.model_dump_json().encode()
                separator = b","
                record = await anext(records, None)
            yield b"]"

        return StreamingResponse(body(), media_type="application/json")

    @router.get(
        f"{prefix}/info",
        response_model=ModelCard,
        summary="Model card",
        description=f"Everything recorded about model {version}: features, labels, metrics, "
        "training data and library versions.",
        name=f"info_{version}",
        tags=tags,
        responses=ERROR_RESPONSES,
    )
    async def info(request: Request) -> ModelCard:
        return context(request).model.card
