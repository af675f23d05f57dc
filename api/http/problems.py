"""RFC 9457 problem details for the JSON API, with Japanese titles."""

from __future__ import annotations

import copy
import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.plugins import JsonRenderPlugin

from api.errors import DomainError, ValidationFailed

PROBLEM_MEDIA_TYPE = "application/problem+json"
UNREADABLE_BODY = (
    "送信されたデータを読み取れませんでした。文字コード（UTF-8）と形式を確認してください。"
)

log = logging.getLogger("kdx.api")

STATUS_TITLES = {
    400: "リクエストの形式が正しくありません。",
    401: "ログインが必要です。",
    403: "この操作を行う権限がありません。",
    404: "お探しのデータは見つかりませんでした。",
    405: "このメソッドは使用できません。",
    409: "ほかの操作と競合しました。",
    413: "送信されたデータが大きすぎます。",
    415: "このデータ形式には対応していません。",
    422: "入力内容に誤りがあります。",
    429: "試行回数が上限に達しました。しばらくたってから再度お試しください。",
    500: "サーバーで問題が発生しました。時間をおいて再度お試しください。",
}


def problem_body(status: int, detail: str, errors: dict[str, str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": STATUS_TITLES.get(status, detail),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(
    status: int,
    detail: str,
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    headers = dict(headers or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return Response(
        content=problem_body(status, detail, errors),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def describe(exc: Exception) -> tuple[int, str, dict[str, str] | None]:
    """Status, Japanese detail and field errors for any exception."""
    if isinstance(exc, ValidationFailed):
        return exc.status_code, exc.message, exc.errors
    if isinstance(exc, DomainError):
        return exc.status_code, exc.message, None
    if isinstance(exc, UnicodeDecodeError | RecursionError):
        # Raised while decoding a body: bytes that are not UTF-8, or nesting beyond any sense.
        return 400, UNREADABLE_BODY, None
    if isinstance(exc, ValidationException):
        return 400, "パラメーターの形式が正しくありません。", None
    if isinstance(exc, HTTPException):
        status = exc.status_code
        return status, STATUS_TITLES.get(status, "リクエストを処理できませんでした。"), None
    return 500, STATUS_TITLES[500], None


def api_exception_handler(request: Request, exc: Exception) -> Response:
    status, detail, errors = describe(exc)
    if status >= 500:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(status, detail, errors, passed_headers(exc))


def passed_headers(exc: Exception) -> dict[str, str]:
    """Headers an HTTP exception must keep on its answer: Allow on a 405 (RFC 9110, 15.5.6)."""
    if isinstance(exc, HTTPException) and exc.headers and "allow" in exc.headers:
        return {"Allow": exc.headers["allow"]}
    return {}


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details (title and detail in Japanese)",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "field name to its message",
            "additionalProperties": {"type": "string"},
        },
    },
}


def with_problem_details(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with every error response described as the problem details the API
    sends (Litestar describes its own validation error body as application/json), and 204
    responses without content (Litestar gives them a JSON body)."""
    document = copy.deepcopy(document)
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if not isinstance(response, dict):
                    continue
                if str(status)[:1] in ("4", "5"):
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}
                elif str(status) == "204":
                    response.pop("content", None)
    return document


class ProblemAwareJsonRenderPlugin(JsonRenderPlugin):
    """Serves /api/openapi.json with the error responses as the API really answers them."""

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, with_problem_details(openapi_schema))
