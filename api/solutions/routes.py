"""JSON API of the solutions directory. The pages under /platform/solutions and
/console/solutions call the same service functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter

from api.http.params import PageNumber, PerPage, request_principal
from api.media import images
from api.media.routes import received_file
from api.pagination import PageRequest
from api.solutions import files, inquiries, service, taxonomy
from api.solutions.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryUpdate,
    FileTextIn,
    InquiryIn,
    InquiryOut,
    InquiryPage,
    ModerationIn,
    SentInquiryOut,
    SolutionFileOut,
    SolutionIn,
    SolutionOut,
    SolutionPage,
    SolutionStatisticsOut,
    VisibilityIn,
)
from api.solutions.service import SolutionFileView, SolutionFilter
from api.solutions.validation import SolutionInput

Months = Annotated[int, QueryParameter(ge=1, le=36)]


async def solution_filter(
    q: FromQuery[str] = "",
    category: FromQuery[str] = "",
    industry: FromQuery[str] = "",
    municipality: FromQuery[str] = "",
    size: FromQuery[str] = "",
    delivery: FromQuery[str] = "",
    price_model: FromQuery[str] = "",
    subsidy: FromQuery[str] = "",
    sort: FromQuery[str] = "updated",
) -> SolutionFilter:
    """The directory's filters from the query string, for the JSON route and the page alike
    (subsidy: 1, true or on)."""
    return SolutionFilter(
        q=q, category=category, industry=industry, municipality=municipality, size=size,
        delivery=delivery, price_model=price_model, subsidy=subsidy in ("1", "true", "on"),
        sort=sort,
    ).cleaned()  # fmt: skip


@dataclass
class FileUpload:
    """The multipart form of an image or a brochure."""

    kind: str = ""
    file: UploadFile | None = None
    text: str = ""


async def store_file(
    request: Request, solution_id: int, kind: str, upload: object, text: object
) -> SolutionFileView:
    """Shared by the API and the page: the upload is read from its spooled file."""
    received = await received_file(upload)
    return await files.add_file(
        request_principal(request), request.app.state.store, solution_id, kind,
        received.filename, received.file, text if isinstance(text, str) else "",
    )  # fmt: skip


class SolutionDirectoryController(Controller):
    path = "/api/v1/solutions"
    tags = ["ソリューション"]

    @get(
        "",
        opt={"action": "solutions.view"},
        dependencies={"filters": Provide(solution_filter)},
        summary="ソリューション一覧（会員向け）",
        description="有効な会員団体の、掲載中のソリューション。sort は updated, newest, title。"
        "一覧にない値のフィルタは無視します。",
    )
    async def list_solutions(
        self,
        request: Request,
        filters: NamedDependency[SolutionFilter],
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> SolutionPage:
        result = await service.list_directory(
            request_principal(request), filters, PageRequest.of(page, per_page)
        )
        return SolutionPage.of(result)

    @get("/{solution_id:int}", opt={"action": "solutions.view"}, summary="ソリューションの詳細")
    async def get_solution(self, request: Request, solution_id: FromPath[int]) -> SolutionOut:
        view = await service.get_solution(request_principal(request), solution_id, count_view=True)
        return SolutionOut.of(view)

    @put(
        "/{solution_id:int}/bookmark",
        opt={"action": "solutions.bookmark"},
        status_code=204,
        summary="ブックマークに追加",
    )
    async def add_bookmark(self, request: Request, solution_id: FromPath[int]) -> None:
        await service.set_bookmark(request_principal(request), solution_id, True)

    @delete(
        "/{solution_id:int}/bookmark",
        opt={"action": "solutions.bookmark"},
        status_code=204,
        summary="ブックマークから削除",
    )
    async def remove_bookmark(self, request: Request, solution_id: FromPath[int]) -> None:
        await service.set_bookmark(request_principal(request), solution_id, False)

    @post(
        "/{solution_id:int}/inquiries",
        opt={"action": "solutions.contact"},
        summary="提供団体への問い合わせ",
        description="提供団体の受信箱に保存し、団体の担当者にメールで届けます。"
        "送信者のメールアドレスは提供団体にだけ知らされます。1日20件まで（超えると429）。",
    )
    async def send_inquiry(
        self, request: Request, solution_id: FromPath[int], data: JSONBody[InquiryIn]
    ) -> SentInquiryOut:
        sent = await inquiries.send_inquiry(
            request.app.state.settings,
            request_principal(request),
            solution_id,
            data.subject,
            data.body,
        )
        return SentInquiryOut(
            id=sent.id, solution_id=sent.solution_id, subject=sent.subject,
            created_at=sent.created_at,
        )  # fmt: skip

    @post(
        "/{solution_id:int}/moderation",
        opt={"action": "solutions.moderate"},
        status_code=200,
        summary="事務局による非公開（理由は提供団体に表示）",
    )
    async def moderate(
        self, request: Request, solution_id: FromPath[int], data: JSONBody[ModerationIn]
    ) -> SolutionOut:
        return SolutionOut.of(
            await service.moderate(request_principal(request), solution_id, data.reason)
        )

    @delete(
        "/{solution_id:int}/moderation",
        opt={"action": "solutions.moderate"},
        status_code=200,
        summary="事務局による非公開の解除",
    )
    async def lift_moderation(self, request: Request, solution_id: FromPath[int]) -> SolutionOut:
        return SolutionOut.of(
            await service.lift_moderation(request_principal(request), solution_id)
        )

    @post(
        "/{solution_id:int}/refresh-request",
        opt={"action": "solutions.moderate"},
        status_code=200,
        summary="提供団体への更新依頼（メール。30日に1回まで）",
        description="提供団体の担当者に、内容の確認と更新をお願いするメールを送ります。"
        "前回の依頼から30日たっていなければ409。",
    )
    async def request_refresh(self, request: Request, solution_id: FromPath[int]) -> SolutionOut:
        view = await service.request_refresh(
            request.app.state.settings, request_principal(request), solution_id
        )
        return SolutionOut.of(view)

    @get(
        "/stale",
        opt={"action": "solutions.moderate"},
        summary="1年以上更新されていない掲載中のソリューション（古い順）",
    )
    async def list_stale(
        self, request: Request, page: PageNumber = 1, per_page: PerPage = 20
    ) -> SolutionPage:
        result = await service.list_stale(
            request_principal(request), PageRequest.of(page, per_page)
        )
        return SolutionPage.of(result)

    @get(
        "/moderated",
        opt={"action": "solutions.moderate"},
        summary="事務局が非公開にしたソリューション",
    )
    async def list_moderated(
        self, request: Request, page: PageNumber = 1, per_page: PerPage = 20
    ) -> SolutionPage:
        result = await service.list_moderated(
            request_principal(request), PageRequest.of(page, per_page)
        )
        return SolutionPage.of(result)


class BookmarkController(Controller):
    path = "/api/v1/bookmarks"
    tags = ["ソリューション"]

    @get("", opt={"action": "solutions.bookmark"}, summary="ブックマークしたソリューション")
    async def list_bookmarks(
        self, request: Request, page: PageNumber = 1, per_page: PerPage = 20
    ) -> SolutionPage:
        result = await service.list_bookmarks(
            request_principal(request), PageRequest.of(page, per_page)
        )
        return SolutionPage.of(result)


class CategoryController(Controller):
    path = "/api/v1/solution-categories"
    tags = ["ソリューション"]

    @get(
        "",
        opt={"action": "solutions.view"},
        summary="ソリューションのカテゴリ",
        description="include_retired=true で使用しなくなったカテゴリも含めます。",
    )
    async def list_categories(self, include_retired: FromQuery[bool] = False) -> list[CategoryOut]:
        found = await taxonomy.list_categories(include_retired=include_retired)
        return [CategoryOut.of(view) for view in found]

    @post("", opt={"action": "solutions.moderate"}, summary="カテゴリの追加（事務局）")
    async def create_category(self, request: Request, data: JSONBody[CategoryIn]) -> CategoryOut:
        return CategoryOut.of(await taxonomy.create_category(request_principal(request), data.name))

    @patch(
        "/{category_id:int}",
        opt={"action": "solutions.moderate"},
        summary="カテゴリの名称・表示順・使用有無の変更（事務局）",
    )
    async def update_category(
        self, request: Request, category_id: FromPath[int], data: JSONBody[CategoryUpdate]
    ) -> CategoryOut:
        view = await taxonomy.update_category(
            request_principal(request), category_id,
            name=data.name, position=data.position, active=data.active,
        )  # fmt: skip
        return CategoryOut.of(view)

    @delete(
        "/{category_id:int}",
        opt={"action": "solutions.moderate"},
        status_code=204,
        summary="使われていないカテゴリの削除（事務局）",
        description="使用中のカテゴリは409。active=false にすると入力欄と絞り込みから外れます。",
    )
    async def delete_category(self, request: Request, category_id: FromPath[int]) -> None:
        await taxonomy.delete_category(request_principal(request), category_id)


class OwnSolutionController(Controller):
    path = "/api/v1/organisation"
    tags = ["自団体（会員）"]

    @get("/solutions", opt={"action": "solutions.manage"}, summary="自団体のソリューション")
    async def list_own(
        self, request: Request, page: PageNumber = 1, per_page: PerPage = 20
    ) -> SolutionPage:
        result = await service.list_own_solutions(
            request_principal(request), PageRequest.of(page, per_page)
        )
        return SolutionPage.of(result)

    @post("/solutions", opt={"action": "solutions.manage"}, summary="ソリューションの登録")
    async def create(self, request: Request, data: JSONBody[SolutionIn]) -> SolutionOut:
        view = await service.create_solution(
            request_principal(request), SolutionInput.from_mapping(data.values())
        )
        return SolutionOut.of(view)

    @get(
        "/solutions/{solution_id:int}",
        opt={"action": "solutions.manage"},
        summary="自団体のソリューション（非公開のものも）",
    )
    async def get_own(self, request: Request, solution_id: FromPath[int]) -> SolutionOut:
        return SolutionOut.of(
            await service.get_own_solution(request_principal(request), solution_id)
        )

    @put(
        "/solutions/{solution_id:int}",
        opt={"action": "solutions.manage"},
        summary="ソリューションの変更（すべての項目を置き換え）",
    )
    async def replace(
        self, request: Request, solution_id: FromPath[int], data: JSONBody[SolutionIn]
    ) -> SolutionOut:
        view = await service.update_solution(
            request_principal(request), solution_id, SolutionInput.from_mapping(data.values())
        )
        return SolutionOut.of(view)

    @post(
        "/solutions/{solution_id:int}/visibility",
        opt={"action": "solutions.manage"},
        status_code=200,
        summary="一覧への掲載・非掲載の切り替え",
    )
    async def set_visibility(
        self, request: Request, solution_id: FromPath[int], data: JSONBody[VisibilityIn]
    ) -> SolutionOut:
        view = await service.set_provider_hidden(
            request_principal(request), solution_id, data.hidden
        )
        return SolutionOut.of(view)

    @delete(
        "/solutions/{solution_id:int}",
        opt={"action": "solutions.manage"},
        status_code=204,
        summary="ソリューションの削除",
    )
    async def delete_own(self, request: Request, solution_id: FromPath[int]) -> None:
        await service.delete_solution(
            request_principal(request), solution_id, request.app.state.store
        )

    @post(
        "/solutions/{solution_id:int}/files",
        opt={"action": "solutions.manage"},
        request_max_body_size=images.UPLOAD_BODY_LIMIT,
        summary="画像・パンフレット（PDF）の追加",
        description="multipart/form-data: kind（image / brochure）、file、text"
        "（画像は代替テキスト・必須、PDFは表示名）。内容で形式を確認し、10MBまで。"
        "画像は6枚、PDFは3つまで。",
    )
    async def add_file(
        self,
        request: Request,
        solution_id: FromPath[int],
        data: Annotated[FileUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> SolutionFileOut:
        view = await store_file(request, solution_id, data.kind, data.file, data.text)
        return SolutionFileOut.of(view)

    @patch(
        "/solutions/{solution_id:int}/files/{file_id:int}",
        opt={"action": "solutions.manage"},
        summary="画像の代替テキスト・パンフレットの表示名の変更",
    )
    async def update_file(
        self,
        request: Request,
        solution_id: FromPath[int],
        file_id: FromPath[int],
        data: JSONBody[FileTextIn],
    ) -> SolutionFileOut:
        view = await files.update_file(request_principal(request), solution_id, file_id, data.text)
        return SolutionFileOut.of(view)

    @delete(
        "/solutions/{solution_id:int}/files/{file_id:int}",
        opt={"action": "solutions.manage"},
        status_code=204,
        summary="画像・パンフレットの削除",
    )
    async def delete_file(
        self, request: Request, solution_id: FromPath[int], file_id: FromPath[int]
    ) -> None:
        await files.delete_file(
            request_principal(request), request.app.state.store, solution_id, file_id
        )

    @get(
        "/solution-statistics",
        opt={"action": "solutions.manage"},
        summary="自団体のソリューションの月別閲覧数・問い合わせ数",
    )
    async def statistics(
        self, request: Request, months: Months = 12
    ) -> list[SolutionStatisticsOut]:
        found = await service.provider_statistics(request_principal(request), months)
        return [SolutionStatisticsOut.of(stats) for stats in found]

    @get("/inquiries", opt={"action": "solutions.manage"}, summary="自団体への問い合わせ")
    async def list_inquiries(
        self, request: Request, page: PageNumber = 1, per_page: PerPage = 20
    ) -> InquiryPage:
        result = await inquiries.list_inbox(
            request_principal(request), PageRequest.of(page, per_page)
        )
        return InquiryPage.of(result)

    @get(
        "/inquiries/{inquiry_id:int}",
        opt={"action": "solutions.manage"},
        summary="問い合わせの詳細（既読にします）",
    )
    async def read_inquiry(self, request: Request, inquiry_id: FromPath[int]) -> InquiryOut:
        return InquiryOut.of(await inquiries.read_inquiry(request_principal(request), inquiry_id))


ROUTES = [
    SolutionDirectoryController,
    BookmarkController,
    CategoryController,
    OwnSolutionController,
]
