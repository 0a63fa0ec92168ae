"""Entry point: ``uvicorn api.user_data.user_api:app --port 8111``."""

from api.user_data.app import create_app

app = create_app()
