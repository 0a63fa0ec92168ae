"""One error format for every service: ``{"detail": {"code": ..., "message": ...}}``.

Handlers raise a subclass of ``ApiError``; ``install_error_handlers`` maps it, FastAPI's own
validation errors and HTTP errors to that format. Anything unexpected is logged with its
traceback and answered with a generic 500 that reveals nothing.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """A failure the client should hear about, with a stable machine-readable code."""

    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.headers = headers
        self.extra = extra


class ForbiddenError(ApiError):
    status_code = 403
    code = "forbidden"


class NotFoundError(ApiError):
    status_code = 404
    code = "not_found"


class UnprocessableError(ApiError):
    status_code = 422
    code = "invalid_input"


def text_too_long(what: str, length: int, limit: int) -> UnprocessableError:
    """The 422 every service gives a text over its configured length (the caller checks)."""
    return UnprocessableError(
        f"{what} has {length} characters; the limit is {limit}", code="text_too_long"
    )


class PayloadTooLargeError(ApiError):
    status_code = 413
    code = "payload_too_large"


class TooManyRequestsError(ApiError):
    status_code = 429
    code = "rate_limited"


class ServiceUnavailableError(ApiError):
    status_code = 503
    code = "service_unavailable"


class BadGatewayError(ApiError):
    status_code = 502
    code = "bad_gateway"


@contextmanager
def storage_unavailable_on_error(store: str, action: str) -> Iterator[None]:
    """Turn a failure of ``store`` during ``action`` into a logged 503 that asks for a retry.

    The ``ApiError``s raised inside pass through: they are answers, not storage failures.
    """
    try:
        yield
    except ApiError:
        raise
    except Exception as error:
        logger.exception("%s failed", action)
        raise ServiceUnavailableError(f"the {store} is unavailable; retry later") from error


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"detail": {"code": code, "message": message, **extra}}


async def api_error_handler(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return JSONResponse(
        error_body(error.code, error.message, **error.extra),
        status_code=error.status_code,
        headers=error.headers,
    )


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"location": list(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
        for e in error.errors()
    ]
    if any(e["type"] == "json_invalid" for e in errors):
        return JSONResponse(
            error_body("malformed_json", "the request body is not valid JSON", errors=errors),
            status_code=400,
        )
    return JSONResponse(
        error_body("invalid_request", "the request does not match the schema", errors=errors),
        status_code=422,
    )


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large"}


_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _allowed_methods(request: Request) -> str:
    """Every method the app's OpenAPI document lists for the request's path. Starlette's own
    405 names only the first route that matched the path: a path served by a GET route and a
    POST route got ``Allow: GET``."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern, _, _ = compile_path(template)
        if pattern.match(request.url.path):
            methods |= {method.upper() for method in operations if method in _HTTP_METHODS}
    return ", ".join(sorted(methods))


async def http_error_handler(request: Request, error: Exception) -> JSONResponse:
    """FastAPI's and Starlette's HTTP errors (404, 405...) in the common format."""
    assert isinstance(error, StarletteHTTPException)
    code = _HTTP_CODES.get(error.status_code, "http_error")
    message = error.detail if isinstance(error.detail, str) else "request failed"
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = _allowed_methods(request)
    return JSONResponse(error_body(code, message), status_code=error.status_code, headers=headers)


async def _unexpected_error(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unhandled error in %s %s", request.method, request.url.path)
    return JSONResponse(error_body("internal_error", "internal server error"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, _unexpected_error)


# For route declarations: documents the error format in OpenAPI.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {
        "description": description,
        "content": {
            "application/json": {
                "example": error_body(code, description),
            }
        },
    }
    for status, code, description in [
        (400, "malformed_json", "The request body is not valid JSON."),
        (404, "not_found", "No such resource (an unknown model version, user message...)."),
        (413, "payload_too_large", "The request body is over the size limit."),
        (422, "invalid_input", "The input does not fit the model or the schema."),
    ]
}
