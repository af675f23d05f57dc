"""The secretariat's member tools: list, detail and edit, status changes, export and import.

Officials see the list and the organisation data (members.view); contacts and accounts are
personal data for the secretariat (members.contacts); changes need members.manage.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Annotated

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Stream, Template

from api import clock
from api.dates import format_fiscal_year
from api.errors import ValidationFailed
from api.http.headers import NO_STORE_HTMX
from api.members import routes as member_api
from api.members import service, transfer
from api.members.reference import INDUSTRY_LABELS
from api.pagination import PageRequest
from api.spreadsheets import CSV_TYPE, XLSX_TYPE
from storage import ObjectNotFound, new_key
from web.forms import form_values, organisation_labels
from web.rendering import page, signed_in_principal, wants_fragment

PageNumber = Annotated[int, QueryParameter(ge=1, le=100000)]
IMPORT_KEY = re.compile(r"^imports/[0-9a-f]{32}\.(csv|xlsx)$")
STATUS_FORMS = ("suspend", "withdraw", "reactivate")
CONTACT_HEADINGS = tuple(
    (prefix, f"担当者{index + 1}") for index, prefix in enumerate(service.CONTACT_PREFIXES)
)
STATUS_LABELS = {
    "suspend_date": "休止日",
    "suspend_note": "休止の理由・メモ",
    "suspend_confirm": "休止の確認",
    "withdraw_date": "退会日",
    "withdraw_note": "退会の理由・メモ",
    "withdraw_confirm": "退会の確認",
    "reactivate_note": "再開のメモ",
    "reactivate_confirm": "再開の確認",
}


def _filters(
    q: str, status: str, industry: str, municipality: str, size_band: str, kind: str,
    fiscal_year: str,
) -> service.OrganisationFilter:  # fmt: skip
    return service.OrganisationFilter.of(
        q, status, industry, municipality, size_band, kind, fiscal_year
    )


# --- the list ----------------------------------------------------------------------------------


@get("/console/members", opt={"action": "members.view"}, include_in_schema=False)
async def members(
    request: Request,
    q: FromQuery[str] = "",
    status: FromQuery[str] = "",
    industry: FromQuery[str] = "",
    municipality: FromQuery[str] = "",
    size_band: FromQuery[str] = "",
    kind: FromQuery[str] = "",
    fiscal_year: FromQuery[str] = "",
    page_number: PageNumber = 1,
) -> Template:
    filters = _filters(q, status, industry, municipality, size_band, kind, fiscal_year)
    result = await service.list_organisations(filters, PageRequest.of(page_number))
    fragment = wants_fragment(request)
    template = "console/_members_table.html" if fragment else "console/members.html"
    years = [] if fragment else await service.joined_fiscal_years()
    return page(
        request, template, headers=NO_STORE_HTMX, result=result, params=filters.params(),
        industry_options=[(code, f"{code} {label}") for code, label in INDUSTRY_LABELS.items()],
        fiscal_year_options=[(str(y), f"{y}年度（{format_fiscal_year(y)}）") for y in years],
    )  # fmt: skip


def _export_route(path: str, action: str, with_contacts: bool, extension: str) -> HTTPRouteHandler:
    async def export(
        request: Request,
        q: FromQuery[str] = "",
        status: FromQuery[str] = "",
        industry: FromQuery[str] = "",
        municipality: FromQuery[str] = "",
        size_band: FromQuery[str] = "",
        kind: FromQuery[str] = "",
        fiscal_year: FromQuery[str] = "",
    ) -> Response[bytes] | Stream:
        filters = _filters(q, status, industry, municipality, size_band, kind, fiscal_year)
        if extension == "csv":
            return await member_api.csv_download(
                signed_in_principal(request), filters, with_contacts
            )
        return await member_api.xlsx_download(signed_in_principal(request), filters, with_contacts)

    export.__name__ = f"export_{'contacts_' if with_contacts else ''}{extension}"
    return get(path, opt={"action": action}, include_in_schema=False, name=export.__name__)(export)


export_csv = _export_route("/console/members/export.csv", "members.view", False, "csv")
export_xlsx = _export_route("/console/members/export.xlsx", "members.view", False, "xlsx")
export_contacts_csv = _export_route(
    "/console/members/export-with-contacts.csv", "members.contacts", True, "csv"
)
export_contacts_xlsx = _export_route(
    "/console/members/export-with-contacts.xlsx", "members.contacts", True, "xlsx"
)


# --- one organisation --------------------------------------------------------------------------


async def _detail_page(
    request: Request, organisation_id: int, status_code: int = 200, **context: object
) -> Template:
    principal = signed_in_principal(request)
    with_contacts = principal.can("members.contacts")
    organisation = await service.get_organisation(organisation_id, with_contacts=with_contacts)
    accounts = await service.organisation_accounts(organisation_id) if with_contacts else []
    context.setdefault("done", "")
    context.setdefault("values", {})
    return page(
        request, "console/member_detail.html", status_code=status_code, headers=NO_STORE_HTMX,
        organisation=organisation, accounts=accounts, with_contacts=with_contacts,
        status_labels=STATUS_LABELS,
        today=service.today().isoformat(), **context,
    )  # fmt: skip


@get(
    "/console/members/{organisation_id:int}",
    opt={"action": "members.view"},
    include_in_schema=False,
)
async def member_detail(
    request: Request, organisation_id: FromPath[int], done: FromQuery[str] = ""
) -> Template:
    return await _detail_page(request, organisation_id, done=done)


def _status_route(transition: str) -> HTTPRouteHandler:
    async def change(request: Request, organisation_id: FromPath[int]) -> Response | Template:
        values, _ = await form_values(request)
        actor = signed_in_principal(request)
        try:
            if values.get(f"{transition}_confirm") != "yes":
                await service.get_organisation(organisation_id)  # an unknown id is a 404
                raise ValidationFailed(
                    {f"{transition}_confirm": "内容を確認のうえ、確認のチェックを入れてください。"}
                )
            note = values.get(f"{transition}_note", "")
            if transition == "suspend":
                await service.suspend(actor, organisation_id, values.get("suspend_date"), note)
            elif transition == "withdraw":
                await service.record_withdrawal(
                    actor, organisation_id, values.get("withdraw_date"), note
                )
            else:
                await service.reactivate(actor, organisation_id, note)
        except ValidationFailed as exc:
            # The service names "date", "note" and "status"; the page's fields carry the form.
            errors = {
                (key if key == "status" or key.startswith(transition) else f"{transition}_{key}"): message
                for key, message in exc.errors.items()
            }  # fmt: skip
            return await _detail_page(
                request, organisation_id, 422, errors=errors, values=values, open_form=transition
            )
        return Redirect(f"/console/members/{organisation_id}?done={transition}", status_code=303)

    change.__name__ = f"{transition}_member"
    return post(
        f"/console/members/{{organisation_id:int}}/{transition}",
        opt={"action": "members.manage"},
        include_in_schema=False,
        name=change.__name__,
    )(change)


suspend_member = _status_route("suspend")
withdraw_member = _status_route("withdraw")
reactivate_member = _status_route("reactivate")


async def _edit_page(
    request: Request, organisation_id: int, status_code: int = 200, **context: object
) -> Template:
    organisation = await service.get_organisation(organisation_id, with_contacts=True)
    context.setdefault("values", service.organisation_form_values(organisation))
    return page(
        request, "console/member_edit.html", status_code=status_code, headers=NO_STORE_HTMX,
        organisation=organisation, contact_headings=CONTACT_HEADINGS,
        labels=organisation_labels(*CONTACT_HEADINGS), **context,
    )  # fmt: skip


@get(
    "/console/members/{organisation_id:int}/edit",
    opt={"action": "members.manage"},
    include_in_schema=False,
)
async def edit_member(request: Request, organisation_id: FromPath[int]) -> Template:
    return await _edit_page(request, organisation_id)


@post(
    "/console/members/{organisation_id:int}/edit",
    opt={"action": "members.manage"},
    include_in_schema=False,
)
async def update_member(request: Request, organisation_id: FromPath[int]) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await service.update_organisation(signed_in_principal(request), organisation_id, values)
    except ValidationFailed as exc:
        return await _edit_page(request, organisation_id, 422, errors=exc.errors, values=values)
    return Redirect(f"/console/members/{organisation_id}?done=saved", status_code=303)


# --- import ------------------------------------------------------------------------------------


def _import_page(request: Request, status_code: int = 200, **context: object) -> Template:
    context.setdefault("report", None)
    context.setdefault("key", "")
    context.setdefault("file_name", "")
    return page(
        request, "console/members_import.html", status_code=status_code, headers=NO_STORE_HTMX,
        columns=transfer.ORGANISATION_COLUMNS, contact_columns=transfer.CONTACT_COLUMNS,
        max_megabytes=transfer.MAX_IMPORT_BYTES // (1024 * 1024), **context,
    )  # fmt: skip


@get("/console/members/import", opt={"action": "members.manage"}, include_in_schema=False)
async def import_form(
    request: Request,
    done: FromQuery[str] = "",
    created: Annotated[int, QueryParameter(ge=0, le=100000)] = 0,
    updated: Annotated[int, QueryParameter(ge=0, le=100000)] = 0,
    unchanged: Annotated[int, QueryParameter(ge=0, le=100000)] = 0,
) -> Template:
    applied = {"create": created, "update": updated, "unchanged": unchanged}
    return _import_page(request, applied=applied if done == "applied" else None)


async def _forget_old_uploads(request: Request) -> None:
    """Dry runs that were never applied leave their file: clear those older than a day."""
    store = request.app.state.store
    limit = clock.now() - timedelta(days=1)
    for key in await store.keys("imports/"):
        try:
            stat = await store.stat(key)
        except ObjectNotFound:
            continue
        if stat.modified_at is not None and stat.modified_at < limit:
            await store.delete(key)


@post(
    "/console/members/import",
    opt={"action": "members.manage"},
    include_in_schema=False,
    request_max_body_size=member_api.IMPORT_BODY_LIMIT,
)
async def import_dry_run(request: Request) -> Template:
    form = await request.form()
    upload = form.get("file")
    content = await member_api.read_upload(upload if isinstance(upload, UploadFile) else None)
    if not content:
        return _import_page(
            request, 422, errors={"file": "取り込むファイル（CSVまたはExcel）を選んでください。"}
        )
    file_name = upload.filename if isinstance(upload, UploadFile) else ""
    report = await transfer.plan_import(content)
    key = ""
    if report.is_valid:
        # The apply step reads this very file again (and checks it again) from the store.
        await _forget_old_uploads(request)
        extension = transfer.file_extension(content)
        key = new_key("imports", extension)
        await request.app.state.store.put(
            key, io.BytesIO(content), len(content),
            XLSX_TYPE if extension == "xlsx" else CSV_TYPE,
        )  # fmt: skip
    status_code = 200 if report.is_valid else 422
    return _import_page(
        request, status_code, report=report, key=key, file_name=(file_name or "")[:200]
    )


@post("/console/members/import/apply", opt={"action": "members.manage"}, include_in_schema=False)
async def import_apply(request: Request) -> Response | Template:
    values, _ = await form_values(request)
    key = values.get("key", "")
    file_name = values.get("file_name", "")[:200]
    store = request.app.state.store
    content = b""
    if IMPORT_KEY.match(key):
        try:
            content = await store.read_all(key)
        except ObjectNotFound:
            content = b""
    if not content:
        return _import_page(
            request, 422,
            errors={"file": "取込の確認結果の有効期限が切れました。もう一度ファイルを選んで確認してください。"},
        )  # fmt: skip
    try:
        report = await transfer.apply_import(signed_in_principal(request), content, file_name)
    except transfer.ImportInvalid as exc:
        # The database changed since the dry run: show the new result; nothing was written.
        return _import_page(request, 422, report=exc.report, key="", file_name=file_name)
    await store.delete(key)
    counts = report.counts
    return Redirect(
        "/console/members/import?done=applied"
        f"&created={counts['create']}&updated={counts['update']}&unchanged={counts['unchanged']}",
        status_code=303,
    )


@get(
    ["/console/members/import/template.csv", "/console/members/import/template.xlsx"],
    opt={"action": "members.manage"},
    include_in_schema=False,
)
async def import_template(request: Request) -> Response[bytes]:
    if request.url.path.endswith(".xlsx"):
        return Response(
            await transfer.template_xlsx(),
            media_type=XLSX_TYPE,
            headers=member_api.download_headers("members-template.xlsx", "会員名簿_取込用.xlsx"),
        )
    return Response(
        transfer.template_csv(),
        media_type=CSV_TYPE,
        headers=member_api.download_headers("members-template.csv", "会員名簿_取込用.csv"),
    )


ROUTES = [
    members,
    export_csv,
    export_xlsx,
    export_contacts_csv,
    export_contacts_xlsx,
    import_form,
    import_dry_run,
    import_apply,
    import_template,
    member_detail,
    edit_member,
    update_member,
    suspend_member,
    withdraw_member,
    reactivate_member,
]
