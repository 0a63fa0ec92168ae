"""Making a service's OpenAPI document say exactly what its routes accept.

Some limits are settings (a text's maximum length, a batch's size) or belong to a loaded model
(how many features, in which range); the handlers enforce them with errors of their own codes.
``adjust_openapi`` writes them into the generated document, the way FastAPI's guide extends
OpenAPI, so that a client generated from it sends only what the service accepts.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

OpenApi = dict[str, Any]


def adjust_openapi(app: FastAPI, adjust: Callable[[OpenApi], bool]) -> None:
    """Pass the generated document to ``adjust`` before it is served. ``adjust`` returns False
    when it could not finish yet (a model not loaded): the document is then made again next
    time instead of being kept."""
    generate = app.openapi

    def openapi() -> OpenApi:
        if app.openapi_schema is None:
            schema = generate()
            if not adjust(schema):
                app.openapi_schema = None
            return schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def component(schema: OpenApi, name: str) -> dict[str, Any]:
    """The component schema ``name``; KeyError names what the document has instead."""
    components = schema["components"]["schemas"]
    if name not in components:
        raise KeyError(f"no component {name!r} in the OpenAPI document: {sorted(components)}")
    return components[name]


def document_max_length(app: FastAPI, model: str, field: str, max_length: int) -> None:
    """Document the length limit (a setting) that a handler enforces on ``model.field``."""

    def adjust(schema: OpenApi) -> bool:
        component(schema, model)["properties"][field]["maxLength"] = max_length
        return True

    adjust_openapi(app, adjust)
