"""Domain errors. Services raise these; the HTTP layers map them to status codes and messages."""

from __future__ import annotations


class DomainError(Exception):
    status_code = 400
    title = "リクエストを処理できませんでした。"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.title)
        self.message = message or self.title


class ValidationFailed(DomainError):
    """Bad input; `errors` maps a field name to its Japanese message."""

    status_code = 422
    title = "入力内容に誤りがあります。"

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        super().__init__(message)
        self.errors = errors


class NotAuthenticated(DomainError):
    status_code = 401
    title = "ログインが必要です。"


class PermissionDenied(DomainError):
    status_code = 403
    title = "この操作を行う権限がありません。"


class NotFound(DomainError):
    status_code = 404
    title = "お探しのページまたはデータは見つかりませんでした。"


class Conflict(DomainError):
    status_code = 409
    title = "ほかの操作と競合しました。"


class TooManyAttempts(DomainError):
    status_code = 429
    title = "試行回数が上限に達しました。しばらくたってから再度お試しください。"


class Unavailable(DomainError):
    """A backing service (the search) cannot answer now; the rest of the site works."""

    status_code = 503
    title = "この機能は一時的に利用できません。しばらくたってから再度お試しください。"
