"""Entry point: ``uvicorn api.feature_server_proxy.feature_server_proxy_api:app --port 8999``."""

from api.feature_server_proxy.app import create_app

app = create_app()
