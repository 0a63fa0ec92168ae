"""Routes about the service itself: the served models, health, readiness and metrics."""

from fastapi import APIRouter, Request, Response

from api.common.errors import ERROR_RESPONSES, NotFoundError
from api.model_serving.deps import ServiceDep
from api.model_serving.metrics import CONTENT_TYPE
from api.model_serving.models.catalog import MODEL_CATALOG
from api.model_serving.schemas import Health, ModelsList, ModelSummary, Readiness

router = APIRouter(tags=["service"])


@router.get(
    "/models",
    response_model=ModelsList,
    summary="Served models",
    description="The model versions this instance serves, with their key facts.",
)
async def list_models(request: Request) -> ModelsList:
    return ModelsList(
        models=[
            ModelSummary(
                version=version,
                summary=MODEL_CATALOG[version].summary,
                description=model.card.description,
                feature_service=model.card.feature_service,
                artifact_sha256=model.fingerprint,
                metrics=model.card.metrics,
                created_at=model.card.created_at,
            )
            for version, model in request.app.state.models.items()
        ]
    )


@router.get(
    "/health",
    response_model=Health,
    summary="Liveness",
    description="Answers as long as the process serves requests.",
)
async def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness",
    description="200 when every model is loaded and storage answers, else 503.",
    responses={503: {"model": Readiness}},
)
async def ready(request: Request, service: ServiceDep, response: Response) -> Readiness:
    models = {
        v: v in request.app.state.models for v in request.app.state.settings.spam_model_versions
    }
    try:
        await service.storage.ping()
        storage = "ok"
    except Exception as error:
        storage = f"unavailable: {error}"
    readiness = Readiness(
        ready=all(models.values()) and storage == "ok", models=models, storage=storage
    )
    if not readiness.ready:
        response.status_code = 503
    return readiness


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    description="Cache hits and misses and request latency, per version and endpoint.",
)
async def metrics(service: ServiceDep) -> Response:
    return Response(service.metrics.render(), media_type=CONTENT_TYPE)


def unknown_route_router(served_versions: list[str]) -> APIRouter:
    """Answers any other ``/model/...`` path with a 404 that lists the served versions."""
    catch_all = APIRouter(include_in_schema=False, responses=ERROR_RESPONSES)

    @catch_all.api_route("/model/{version}/{rest:path}", methods=["GET", "POST"])
    async def unknown(version: str, rest: str) -> None:
        if version not in served_versions:
            raise NotFoundError(
                f"model version {version!r} is not served; served versions: "
                f"{', '.join(served_versions)}",
                code="unknown_model_version",
                served_versions=served_versions,
            )
        raise NotFoundError(f"model {version} has no endpoint {rest!r}")

    return catch_all
