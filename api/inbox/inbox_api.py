"""Entry point: ``uvicorn api.inbox.inbox_api:app --port 8222``."""

from api.inbox.app import create_app

app = create_app()
