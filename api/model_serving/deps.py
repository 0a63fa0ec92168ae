"""Dependencies of the service routes (the model routes read the ``Request`` themselves).

They are ``async`` on purpose: FastAPI runs a plain ``def`` dependency in a worker thread, and a
thread hop costs more than a cached prediction.
"""

from typing import Annotated

from fastapi import Depends, Request

from api.model_serving.serving import PredictionService


async def get_service(request: Request) -> PredictionService:
    return request.app.state.service


ServiceDep = Annotated[PredictionService, Depends(get_service)]
