"""JSON API routes of the members domain for the secretariat and officials.

Officials read organisation data (members.view); contacts and accounts are personal data
(members.contacts, secretariat only); changes, status and imports need members.manage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Stream

from api.http.headers import NO_STORE
from api.http.params import request_principal
from api.members import service, transfer
from api.members.schemas import (
    ContactOut,
    ImportReportOut,
    MemberAccountOut,
    OrganisationOut,
    OrganisationPage,
    OrganisationUpdate,
    Reactivation,
    StatusChange,
)
from api.pagination import PageRequest
from api.principal import Principal
from api.spreadsheets import CSV_TYPE, XLSX_TYPE

# The import file's limit plus room for the multipart envelope; only the upload routes raise it.
IMPORT_BODY_LIMIT = transfer.MAX_IMPORT_BYTES + 256 * 1024
FILTER_DOC = (
    "絞り込み: q（団体名・フリガナ。ひらがな可）, status, industry（A〜T）, "
    "municipality（熊本県内の市町村名、または「県外」）, size_band, kind, fiscal_year（入会年度）"
)


def download_headers(ascii_name: str, japanese_name: str) -> dict[str, str]:
    """An attachment with a Japanese file name (RFC 6266) and no caching (personal data)."""
    return {
        "Content-Disposition": (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(japanese_name)}"
        ),
        **NO_STORE,
    }


async def csv_download(
    actor: Principal, filters: service.OrganisationFilter, with_contacts: bool
) -> Stream:
    await transfer.record_export(actor, filters, with_contacts, "csv")
    return Stream(
        transfer.export_csv(filters, with_contacts),
        media_type=CSV_TYPE,
        headers=download_headers(*transfer.export_filename(with_contacts, "csv")),
    )


async def xlsx_download(
    actor: Principal, filters: service.OrganisationFilter, with_contacts: bool
) -> Response[bytes]:
    await transfer.record_export(actor, filters, with_contacts, "xlsx")
    return Response(
        await transfer.export_xlsx(filters, with_contacts),
        media_type=XLSX_TYPE,
        headers=download_headers(*transfer.export_filename(with_contacts, "xlsx")),
    )


async def read_upload(upload: UploadFile | None) -> bytes:
    """At most one byte more than the limit: enough for the import to say it is too big."""
    if upload is None or not isinstance(upload, UploadFile):
        return b""
    return await upload.read(transfer.MAX_IMPORT_BYTES + 1)


@dataclass
class ImportUpload:
    """The multipart form of an import: the CSV or XLSX file under `file`."""

    file: UploadFile | None = None


class MembersController(Controller):
    path = "/api/v1/members"
    tags = ["会員団体（事務局）"]

    @get("", opt={"action": "members.view"}, summary="会員団体の一覧", description=FILTER_DOC)
    async def list_members(
        self,
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        industry: FromQuery[str] = "",
        municipality: FromQuery[str] = "",
        size_band: FromQuery[str] = "",
        kind: FromQuery[str] = "",
        fiscal_year: FromQuery[str] = "",
        page: Annotated[int, QueryParameter(ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> OrganisationPage:
        filters = service.OrganisationFilter.of(
            q, status, industry, municipality, size_band, kind, fiscal_year
        )
        result = await service.list_organisations(filters, PageRequest.of(page, per_page))
        return OrganisationPage(
            items=[OrganisationOut.of(view) for view in result.items],
            total=result.total, page=result.page, per_page=result.per_page, pages=result.pages,
        )  # fmt: skip

    @get("/{organisation_id:int}", opt={"action": "members.view"}, summary="会員団体の詳細")
    async def get_member(self, organisation_id: FromPath[int]) -> OrganisationOut:
        return OrganisationOut.of(await service.get_organisation(organisation_id))

    @get(
        "/{organisation_id:int}/contacts",
        opt={"action": "members.contacts"},
        summary="会員団体の担当者（個人情報。事務局のみ）",
    )
    async def get_contacts(self, organisation_id: FromPath[int]) -> Response[list[ContactOut]]:
        view = await service.get_organisation(organisation_id, with_contacts=True)
        return Response([ContactOut.of(c) for c in view.contacts], headers=NO_STORE)

    @get(
        "/{organisation_id:int}/accounts",
        opt={"action": "members.contacts"},
        summary="会員団体のアカウント（事務局のみ）",
    )
    async def get_accounts(
        self, organisation_id: FromPath[int]
    ) -> Response[list[MemberAccountOut]]:
        await service.get_organisation(organisation_id)
        accounts = await service.organisation_accounts(organisation_id)
        return Response([MemberAccountOut.of(a) for a in accounts], headers=NO_STORE)

    @patch(
        "/{organisation_id:int}",
        opt={"action": "members.manage"},
        summary="会員団体の変更",
        description="送った項目だけを変更します。contacts を送ると担当者（1〜5名）を置き換えます。",
    )
    async def update_member(
        self, request: Request, organisation_id: FromPath[int], data: JSONBody[OrganisationUpdate]
    ) -> OrganisationOut:
        current = await service.get_organisation(organisation_id, with_contacts=True)
        values = data.merged_into(service.organisation_form_values(current))
        view = await service.update_organisation(
            request_principal(request), organisation_id, values
        )
        return OrganisationOut.of(view)

    @post(
        "/{organisation_id:int}/suspend",
        opt={"action": "members.manage"},
        status_code=200,
        summary="休止にする（有効な団体のみ）",
    )
    async def suspend(
        self, request: Request, organisation_id: FromPath[int], data: JSONBody[StatusChange]
    ) -> OrganisationOut:
        view = await service.suspend(
            request_principal(request), organisation_id, data.date, data.note
        )
        return OrganisationOut.of(view)

    @post(
        "/{organisation_id:int}/withdraw",
        opt={"action": "members.manage"},
        status_code=200,
        summary="退会を記録する（有効・休止中の団体。取り消せません）",
    )
    async def withdraw(
        self, request: Request, organisation_id: FromPath[int], data: JSONBody[StatusChange]
    ) -> OrganisationOut:
        view = await service.record_withdrawal(
            request_principal(request), organisation_id, data.date, data.note
        )
        return OrganisationOut.of(view)

    @post(
        "/{organisation_id:int}/reactivate",
        opt={"action": "members.manage"},
        status_code=200,
        summary="休止を解除する（休止中の団体のみ）",
    )
    async def reactivate(
        self, request: Request, organisation_id: FromPath[int], data: JSONBody[Reactivation]
    ) -> OrganisationOut:
        view = await service.reactivate(request_principal(request), organisation_id, data.note)
        return OrganisationOut.of(view)

    @get(
        "/export.csv",
        opt={"action": "members.view"},
        summary="一覧のCSV出力（担当者なし。UTF-8 BOM付き）",
        description=FILTER_DOC,
        media_type="text/csv",
    )
    async def export_csv(
        self,
        request: Request,
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        industry: FromQuery[str] = "",
        municipality: FromQuery[str] = "",
        size_band: FromQuery[str] = "",
        kind: FromQuery[str] = "",
        fiscal_year: FromQuery[str] = "",
    ) -> Stream:
        filters = service.OrganisationFilter.of(
            q, status, industry, municipality, size_band, kind, fiscal_year
        )
        return await csv_download(request_principal(request), filters, False)

    @get(
        "/export.xlsx",
        opt={"action": "members.view"},
        summary="一覧のXLSX出力（担当者なし）",
        description=FILTER_DOC,
        media_type=XLSX_TYPE,
    )
    async def export_xlsx(
        self,
        request: Request,
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        industry: FromQuery[str] = "",
        municipality: FromQuery[str] = "",
        size_band: FromQuery[str] = "",
        kind: FromQuery[str] = "",
        fiscal_year: FromQuery[str] = "",
    ) -> Response[bytes]:
        filters = service.OrganisationFilter.of(
            q, status, industry, municipality, size_band, kind, fiscal_year
        )
        return await xlsx_download(request_principal(request), filters, False)

    @get(
        "/export-with-contacts.csv",
        opt={"action": "members.contacts"},
        summary="一覧のCSV出力（担当者を含む。事務局のみ・監査ログに記録）",
        description=FILTER_DOC,
        media_type="text/csv",
    )
    async def export_contacts_csv(
        self,
        request: Request,
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        industry: FromQuery[str] = "",
        municipality: FromQuery[str] = "",
        size_band: FromQuery[str] = "",
        kind: FromQuery[str] = "",
        fiscal_year: FromQuery[str] = "",
    ) -> Stream:
        filters = service.OrganisationFilter.of(
            q, status, industry, municipality, size_band, kind, fiscal_year
        )
        return await csv_download(request_principal(request), filters, True)

    @get(
        "/export-with-contacts.xlsx",
        opt={"action": "members.contacts"},
        summary="一覧のXLSX出力（担当者を含む。事務局のみ・監査ログに記録）",
        description=FILTER_DOC,
        media_type=XLSX_TYPE,
    )
    async def export_contacts_xlsx(
        self,
        request: Request,
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        industry: FromQuery[str] = "",
        municipality: FromQuery[str] = "",
        size_band: FromQuery[str] = "",
        kind: FromQuery[str] = "",
        fiscal_year: FromQuery[str] = "",
    ) -> Response[bytes]:
        filters = service.OrganisationFilter.of(
            q, status, industry, municipality, size_band, kind, fiscal_year
        )
        return await xlsx_download(request_principal(request), filters, True)

    @post(
        "/import",
        opt={"action": "members.manage"},
        status_code=200,
        request_max_body_size=IMPORT_BODY_LIMIT,
        summary="会員名簿の取込（CSV・XLSX）",
        description=(
            "multipart の file にCSV（UTF-8・BOM付き可・Shift_JIS）またはXLSX（上限5MB）を送ります。"
            "列は一覧のCSV出力と同じ見出しです。dry_run=true（既定）は行ごとの結果（作成・更新・"
            "変更なし・エラー）を返すだけで何も登録しません。dry_run=false はすべての行が正しいとき"
            "だけ1つのトランザクションで登録し、1行でも誤りがあれば何も登録せず422を返します。"
        ),
    )
    async def import_members(
        self,
        request: Request,
        data: Annotated[ImportUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        dry_run: FromQuery[bool] = True,
    ) -> ImportReportOut:
        content = await read_upload(data.file)
        file_name = data.file.filename if isinstance(data.file, UploadFile) else ""
        if dry_run:
            return ImportReportOut.of(await transfer.plan_import(content))
        report = await transfer.apply_import(request_principal(request), content, file_name)
        return ImportReportOut.of(report)


ROUTES: list = [MembersController]
