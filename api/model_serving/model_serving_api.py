"""Entry point: ``uvicorn api.model_serving.model_serving_api:app``."""

from api.model_serving.app import create_app

app = create_app()
