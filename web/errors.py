"""Accessible error pages in Japanese for the web side (the API answers with problem details)."""

from __future__ import annotations

import logging

from litestar import Request, Response
from litestar.response import Template

from api.http.problems import describe, passed_headers
from web.rendering import page

log = logging.getLogger("kdx.web")

ERROR_TITLES = {
    400: "リクエストの形式が正しくありません",
    401: "ログインが必要です",
    403: "アクセスする権限がありません",
    404: "ページが見つかりません",
    405: "この方法ではアクセスできません",
    413: "送信されたデータが大きすぎます",
    429: "しばらくたってから再度お試しください",
    500: "サーバーで問題が発生しました",
}


def html_exception_handler(request: Request, exc: Exception) -> Response | Template:
    status, detail, _ = describe(exc)
    if status >= 500:
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    title = ERROR_TITLES.get(status, "エラーが発生しました")
    template = "errors/401.html" if status == 401 else "errors/error.html"
    return page(
        request,
        template,
        status_code=status,
        headers={"Cache-Control": "no-store", **passed_headers(exc)},
        title=title,
        detail=detail,
        status=status,
        next_path=request.url.path if request.method == "GET" else "/",
    )
