"""JSON routes of membership applications under /api/v1: the public application and screening."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Stream

from api.applications import service
from api.applications.schemas import (
    ApplicationOut,
    ApplicationPage,
    ApplicationSubmit,
    ApplicationSummaryOut,
    ChecklistIn,
    ChecklistUpdate,
    ChecklistVersionOut,
    CheckOut,
    DecisionIn,
    SubmitOut,
)
from api.http.params import request_principal
from api.pagination import PageRequest
from api.settings import Settings

# Evidence uploads may exceed the app-wide 1 MiB body limit; the service enforces
# settings.evidence_max_bytes (10 MB by default) and says so next to the field.
EVIDENCE_BODY_LIMIT = 32 * 1024 * 1024


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def evidence_upload(value: object) -> service.EvidenceUpload | None:
    """An uploaded file from a form field (an empty file input sends an empty string)."""
    filename = getattr(value, "filename", None)
    file = getattr(value, "file", None)
    if not filename or file is None:
        return None
    return service.EvidenceUpload(filename=str(filename), file=file)


def evidence_response(found: service.EvidenceFile, store: object) -> Stream:
    """Stream the file back with its original name (never shown inline: always a download)."""
    ascii_name = found.name.encode("ascii", "ignore").decode() or "evidence"
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.name)}"
    return Stream(
        content=store.open(found.key),  # type: ignore[attr-defined]
        media_type=found.content_type or "application/octet-stream",
        headers={
            "Content-Disposition": disposition,
            "Content-Length": str(found.size),
            "Cache-Control": "no-store",
        },
    )


@dataclass
class EvidenceFormOperation(Operation):
    """Documents the multipart body that the handler reads itself."""

    def __post_init__(self) -> None:
        text = Schema(type=OpenAPIType.STRING)
        self.request_body = RequestBody(
            required=True,
            content={
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        required=["method", "source", "result"],
                        properties={
                            "method": Schema(
                                type=OpenAPIType.STRING,
                                enum=list(service.CHECK_METHODS),
                                description="確認の方法",
                            ),
                            "source": Schema(
                                type=OpenAPIType.STRING, description="確認先（200文字以内）"
                            ),
                            "result": Schema(
                                type=OpenAPIType.STRING,
                                enum=list(service.CHECK_RESULTS),
                                description="確認の結果",
                            ),
                            "notes": text,
                            "evidence": Schema(
                                type=OpenAPIType.STRING,
                                format=OpenAPIFormat.BINARY,
                                description="証跡ファイル（任意。PDF・PNG・JPEG）",
                            ),
                        },
                    )
                )
            },
        )


class ApplicationsController(Controller):
    path = "/api/v1/applications"
    tags = ["入会申込と審査"]

    @post(
        "",
        opt={"action": "application.submit"},
        summary="入会申込の送信（公開）",
        description=(
            "入会申込フォーム（/join）と同じ項目・同じ検査で入会を申し込みます。"
            "法人番号または名称が既存の会員や審査中の申込と重複する場合は422で項目ごとに理由を返します。"
            "受付時に申込担当者へ確認メールを送ります。submission_key を指定すると、同じキーの再送は"
            "新しい申込を作らず最初の受付番号を返します（200）。"
            "ブラウザーのセッションから送る場合は Cookie kdx_csrf の値を X-CSRF-Token ヘッダーで送ってください。"
        ),
        status_code=201,
    )
    async def submit(
        self, request: Request, data: JSONBody[ApplicationSubmit]
    ) -> Response[SubmitOut]:
        result = await service.submit_application(_settings(request), data.as_values())
        return Response(SubmitOut.of(result), status_code=201 if result.created else 200)

    @get(
        "",
        opt={"action": "applications.view"},
        summary="入会申込の一覧（審査キュー）",
        description="受付の古い順。status は pending（審査中、既定）, submitted, info_requested, "
        "approved, rejected, all。age_days は受付からの経過日数です。",
    )
    async def list_applications(
        self,
        status: FromQuery[str] = "pending",
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> ApplicationPage:
        result = await service.list_applications(status, PageRequest.of(page, per_page))
        return ApplicationPage(
            items=[ApplicationSummaryOut.of(item) for item in result.items],
            total=result.total,
            page=result.page,
            per_page=result.per_page,
            pages=result.pages,
        )

    @get(
        "/{application_id:int}",
        opt={"action": "applications.view"},
        summary="入会申込の詳細",
        description="申込内容（申込担当者の連絡先を含む）、チェックリストの記入内容と版、"
        "反社会的勢力の確認の記録、判定を返します。",
    )
    async def get_application(self, application_id: FromPath[int]) -> ApplicationOut:
        return ApplicationOut.of(await service.get_application(application_id))

    @post(
        "/{application_id:int}/checklist",
        opt={"action": "applications.screen"},
        summary="審査チェックリストの記入",
        description="現在の版のチェックリストの全項目について ok/ng とメモを記録します。"
        "記入した人・日時・版が記録されます。",
        status_code=200,
    )
    async def record_checklist(
        self, request: Request, application_id: FromPath[int], data: JSONBody[ChecklistIn]
    ) -> ApplicationOut:
        answers = {key: {"answer": a.answer, "note": a.note} for key, a in data.answers.items()}
        view = await service.record_checklist(
            request_principal(request), application_id, data.version, answers
        )
        return ApplicationOut.of(view)

    @post(
        "/{application_id:int}/antisocial-checks",
        opt={"action": "applications.screen"},
        summary="反社会的勢力の確認の記録",
        description="multipart/form-data で method（police, center, media, registry, other）、"
        "source（確認先）、result（clear=該当なし, review=要確認, match=該当あり）、notes と、"
        "任意の証跡ファイル evidence（PDF・PNG・JPEG。中身で判定、上限は設定 evidence_max_bytes）を送ります。",
        request_max_body_size=EVIDENCE_BODY_LIMIT,
        operation_class=EvidenceFormOperation,
        status_code=201,
    )
    async def record_check(self, request: Request, application_id: FromPath[int]) -> CheckOut:
        # The form is read by hand: a body that is not multipart (JSON, urlencoded) then gets the
        # same per-field 422 as an incomplete form instead of a parser error.
        form = await request.form()
        values = {name: form.get(name, "") for name in ("method", "source", "result", "notes")}
        check = await service.record_antisocial_check(
            _settings(request), request.app.state.store, request_principal(request), application_id,
            {k: v if isinstance(v, str) else "" for k, v in values.items()},
            evidence_upload(form.get("evidence")),
        )  # fmt: skip
        return CheckOut.of(check)

    @get(
        "/{application_id:int}/evidence",
        opt={"action": "applications.view"},
        summary="証跡ファイルのダウンロード",
        description="check_id を省略すると、証跡ファイルのある最新の確認のファイルを返します。",
    )
    async def evidence(
        self,
        request: Request,
        application_id: FromPath[int],
        check_id: Annotated[int | None, QueryParameter(ge=1)] = None,
    ) -> Stream:
        found = await service.evidence_file(application_id, check_id)
        return evidence_response(found, request.app.state.store)

    @post(
        "/{application_id:int}/decision",
        opt={"action": "applications.screen"},
        summary="判定（承認・却下・追加情報の依頼）",
        description="approve: チェックリストが全項目OKで記入済み、最新の反社チェックが「該当なし」の"
        "ときだけ承認でき、会員団体を作成して申込担当者を会員管理者として招待します（1トランザクション）。"
        "設定により、最新の反社チェックを記録した人とは別の人だけが承認できます。"
        "reject: 理由を申込者にメールで伝えます。承認済みの申込は却下できません（409）。"
        "request_info: 依頼内容と修正用リンクを申込者にメールで送ります。",
        status_code=200,
    )
    async def decide(
        self, request: Request, application_id: FromPath[int], data: JSONBody[DecisionIn]
    ) -> ApplicationOut:
        text = data.reason if data.decision == service.Decision.REJECT else data.message
        view = await service.decide(
            _settings(request), request_principal(request), application_id, data.decision, text
        )
        return ApplicationOut.of(view)


class ChecklistController(Controller):
    path = "/api/v1/screening-checklist"
    tags = ["入会申込と審査"]

    @get(
        "",
        opt={"action": "applications.view"},
        summary="審査チェックリスト（現在の版）",
        description="審査に使う現在の版の項目を返します。",
    )
    async def current(self) -> ChecklistVersionOut:
        return ChecklistVersionOut.of(await service.current_checklist())

    @post(
        "",
        opt={"action": "checklist.manage"},
        summary="審査チェックリストの更新（新しい版の作成）",
        description="項目の一覧を保存すると新しい版になります。記入済みの申込は記入した版を保持します。",
        status_code=201,
    )
    async def update(
        self, request: Request, data: JSONBody[ChecklistUpdate]
    ) -> ChecklistVersionOut:
        view = await service.save_checklist(request_principal(request), data.items)
        return ChecklistVersionOut.of(view)


ROUTES = [ApplicationsController, ChecklistController]
