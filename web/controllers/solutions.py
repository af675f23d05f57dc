"""Pages of the solutions directory: members browse, bookmark and contact providers, and keep
their own organisation's solutions; the secretariat moderates and keeps the categories.

Thin: every rule is in api.solutions (service, inquiries, taxonomy), which the JSON API calls too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from api.articles.markdown import render_markdown
from api.articles.service import published_case_studies
from api.errors import Conflict, NotFound, TooManyAttempts, ValidationFailed
from api.http.headers import NO_STORE_HTMX
from api.http.params import PageNumber
from api.media import images
from api.members.reference import INDUSTRY_LABELS, KUMAMOTO_MUNICIPALITIES, SIZE_LABELS
from api.pagination import PageRequest
from api.solutions import files, inquiries, service, taxonomy
from api.solutions.reference import DELIVERY_LABELS, PRICE_MODEL_LABELS
from api.solutions.routes import solution_filter, store_file
from api.solutions.service import SORTS, SolutionFilter
from api.solutions.validation import SolutionInput
from web.controllers.media import stream_object
from web.forms import at_file_field, form_values
from web.rendering import page, signed_in_principal, wants_fragment

DIRECTORY = "/platform/solutions"
OWN = "/platform/organisation/solutions"
INBOX = "/platform/inquiries"
CONSOLE = "/console/solutions"
CATEGORIES = "/console/solution-categories"
MULTI_FIELDS = ("category_ids", "industries", "municipalities", "sizes", "delivery")
FORM_LABELS = {
    "title": "名称",
    "summary": "概要",
    "description": "詳しい説明",
    "category_ids": "カテゴリ",
    "industries": "対象業種",
    "municipalities": "対応地域",
    "sizes": "対象企業規模",
    "price_model": "料金体系",
    "price_text": "料金の目安",
    "delivery": "提供形態",
    "subsidy_eligible": "IT導入補助金",
    "website": "紹介ページのURL",
    "case_study_ids": "関連する導入事例",
}


async def _form(request: Request) -> dict[str, Any]:
    single, multi = await form_values(request)
    values: dict[str, Any] = dict(single)
    for name in MULTI_FIELDS:
        values[name] = multi.get(name, [])
    return values


def _choices() -> dict[str, Any]:
    return {
        "industry_choices": list(INDUSTRY_LABELS.items()),
        "size_choices": list(SIZE_LABELS.items()),
        "delivery_choices": list(DELIVERY_LABELS.items()),
        "price_choices": list(PRICE_MODEL_LABELS.items()),
        "municipalities": KUMAMOTO_MUNICIPALITIES,
        "sorts": list(SORTS.items()),
    }


async def _category_choices(
    solution: service.SolutionView | None = None,
) -> list[tuple[str, str]]:
    """The categories to choose from; a retired one a solution already has stays on its form."""
    choices = [(str(c.id), c.name) for c in await taxonomy.list_categories()]
    if solution is not None:
        shown = {value for value, _ in choices}
        choices += [(str(cid), name) for cid, name in solution.categories if str(cid) not in shown]
    return choices


# --- the directory -------------------------------------------------------------------------------


@get(
    DIRECTORY,
    opt={"action": "solutions.view"},
    dependencies={"filters": Provide(solution_filter)},
    include_in_schema=False,
)
async def directory(
    request: Request, filters: NamedDependency[SolutionFilter], page_number: PageNumber = 1
) -> Template:
    result = await service.list_directory(
        signed_in_principal(request), filters, PageRequest.of(page_number)
    )
    template = "solutions/_results.html" if wants_fragment(request) else "solutions/directory.html"
    return page(
        request, template, headers={"Vary": "HX-Request"}, result=result, filters=filters,
        params=filters.as_query(), category_choices=await _category_choices(), **_choices(),
    )  # fmt: skip


@get(f"{DIRECTORY}/{{solution_id:int}}", opt={"action": "solutions.view"}, include_in_schema=False)
async def detail(
    request: Request, solution_id: FromPath[int], done: FromQuery[str] = ""
) -> Template:
    # Coming back after one's own action (a bookmark, an inquiry) is not another view.
    return await _detail_page(request, solution_id, done=done, count_view=not done)


async def _detail_page(
    request: Request, solution_id: int, status_code: int = 200, count_view: bool = False,
    **context: Any,
) -> Template:  # fmt: skip
    principal = signed_in_principal(request)
    solution = await service.get_solution(principal, solution_id, count_view=count_view)
    context.setdefault("done", "")
    return page(
        request, "solutions/detail.html", status_code=status_code, headers=NO_STORE_HTMX,
        solution=solution, description_html=render_markdown(solution.description),
        own=solution.organisation_id == principal.organisation_id,
        moderator=service.is_secretariat(principal), **context,
    )  # fmt: skip


@post(
    f"{DIRECTORY}/{{solution_id:int}}/bookmark",
    opt={"action": "solutions.bookmark"},
    include_in_schema=False,
)
async def bookmark(request: Request, solution_id: FromPath[int]) -> Response:
    values, _ = await form_values(request)
    on = values.get("on") == "1"
    await service.set_bookmark(signed_in_principal(request), solution_id, on)
    back = values.get("back", "")
    if back == "bookmarks":
        return Redirect("/platform/bookmarks?done=removed", status_code=303)
    return Redirect(
        f"{DIRECTORY}/{solution_id}?done={'bookmarked' if on else 'unbookmarked'}",
        status_code=303,
    )


@get("/platform/bookmarks", opt={"action": "solutions.bookmark"}, include_in_schema=False)
async def bookmarks(
    request: Request, done: FromQuery[str] = "", page_number: PageNumber = 1
) -> Template:
    result = await service.list_bookmarks(signed_in_principal(request), PageRequest.of(page_number))
    return page(
        request,
        "solutions/bookmarks.html",
        headers=NO_STORE_HTMX,
        result=result,
        params={},
        done=done,
    )


# --- contacting a provider -----------------------------------------------------------------------


async def _contact_page(
    request: Request, solution_id: int, values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, status_code: int = 200,
) -> Template:  # fmt: skip
    solution = await service.get_solution(signed_in_principal(request), solution_id)
    return page(
        request, "solutions/contact.html", status_code=status_code, headers=NO_STORE_HTMX,
        solution=solution, values=values or {}, errors=errors or {},
        max_subject=inquiries.MAX_SUBJECT, max_body=inquiries.MAX_BODY,
    )  # fmt: skip


@get(
    f"{DIRECTORY}/{{solution_id:int}}/contact",
    opt={"action": "solutions.contact"},
    include_in_schema=False,
)
async def contact_form(request: Request, solution_id: FromPath[int]) -> Template:
    return await _contact_page(request, solution_id)


@post(
    f"{DIRECTORY}/{{solution_id:int}}/contact",
    opt={"action": "solutions.contact"},
    include_in_schema=False,
)
async def send_contact(request: Request, solution_id: FromPath[int]) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await inquiries.send_inquiry(
            request.app.state.settings, signed_in_principal(request), solution_id,
            values.get("subject", ""), values.get("body", ""),
        )  # fmt: skip
    except ValidationFailed as exc:
        return await _contact_page(request, solution_id, values, exc.errors, 422)
    except TooManyAttempts as exc:
        # Over the daily limit: the message stays in the form to send later.
        return await _contact_page(request, solution_id, values, {"body": exc.message}, 429)
    return Redirect(f"{DIRECTORY}/{solution_id}?done=sent", status_code=303)


# --- the provider's own solutions ----------------------------------------------------------------


@get(OWN, opt={"action": "solutions.manage"}, include_in_schema=False)
async def own_list(
    request: Request, done: FromQuery[str] = "", page_number: PageNumber = 1
) -> Template:
    principal = signed_in_principal(request)
    result = await service.list_own_solutions(principal, PageRequest.of(page_number))
    return page(
        request, "solutions/own.html", headers=NO_STORE_HTMX, result=result, params={}, done=done,
        unread=await inquiries.unread_count(principal),
    )  # fmt: skip


async def _form_page(
    request: Request, values: dict[str, Any], errors: dict[str, str] | None = None,
    solution: service.SolutionView | None = None,
) -> Template:  # fmt: skip
    return page(
        request, "solutions/form.html", status_code=422 if errors else 200, headers=NO_STORE_HTMX,
        values=values, errors=errors or {}, solution=solution, labels=FORM_LABELS,
        category_choices=await _category_choices(solution),
        case_study_choices=[
            (str(article_id), title)
            for article_id, (_, title) in (await published_case_studies()).items()
        ],
        **_choices(),
    )  # fmt: skip


@get(f"{OWN}/new", opt={"action": "solutions.manage"}, include_in_schema=False)
async def new_form(request: Request) -> Template:
    service.own_organisation_id(signed_in_principal(request))
    return await _form_page(request, {"all_kumamoto": True})


@post(OWN, opt={"action": "solutions.manage"}, include_in_schema=False)
async def create(request: Request) -> Response | Template:
    values = await _form(request)
    try:
        created = await service.create_solution(
            signed_in_principal(request), SolutionInput.from_mapping(values)
        )
    except ValidationFailed as exc:
        return await _form_page(request, values, exc.errors)
    return Redirect(f"{OWN}/{created.id}/files?done=created", status_code=303)


@get(f"{OWN}/{{solution_id:int}}/edit", opt={"action": "solutions.manage"}, include_in_schema=False)
async def edit_form(request: Request, solution_id: FromPath[int]) -> Template:
    solution = await service.get_own_solution(signed_in_principal(request), solution_id)
    return await _form_page(request, solution.form_values(), solution=solution)


@post(f"{OWN}/{{solution_id:int}}", opt={"action": "solutions.manage"}, include_in_schema=False)
async def update(request: Request, solution_id: FromPath[int]) -> Response | Template:
    principal = signed_in_principal(request)
    values = await _form(request)
    try:
        await service.update_solution(principal, solution_id, SolutionInput.from_mapping(values))
    except ValidationFailed as exc:
        solution = await service.get_own_solution(principal, solution_id)
        return await _form_page(request, values, exc.errors, solution)
    return Redirect(f"{DIRECTORY}/{solution_id}?done=saved", status_code=303)


@post(
    f"{OWN}/{{solution_id:int}}/visibility",
    opt={"action": "solutions.manage"},
    include_in_schema=False,
)
async def visibility(request: Request, solution_id: FromPath[int]) -> Response:
    values, _ = await form_values(request)
    hidden = values.get("hidden") == "1"
    await service.set_provider_hidden(signed_in_principal(request), solution_id, hidden)
    return Redirect(f"{OWN}?done={'hidden' if hidden else 'shown'}", status_code=303)


@get(
    f"{OWN}/{{solution_id:int}}/delete", opt={"action": "solutions.manage"}, include_in_schema=False
)
async def delete_confirm(request: Request, solution_id: FromPath[int]) -> Template:
    solution = await service.get_own_solution(signed_in_principal(request), solution_id)
    return page(request, "solutions/delete.html", headers=NO_STORE_HTMX, solution=solution)


@post(
    f"{OWN}/{{solution_id:int}}/delete", opt={"action": "solutions.manage"}, include_in_schema=False
)
async def delete(request: Request, solution_id: FromPath[int]) -> Response:
    await service.delete_solution(
        signed_in_principal(request), solution_id, request.app.state.store
    )
    return Redirect(f"{OWN}?done=deleted", status_code=303)


@get("/platform/organisation/solution-statistics", opt={"action": "solutions.manage"},
     include_in_schema=False)  # fmt: skip
async def statistics(request: Request) -> Template:
    found = await service.provider_statistics(signed_in_principal(request))
    months = found[0].months if found else []
    return page(request, "solutions/statistics.html", headers=NO_STORE_HTMX, stats=found,
                months=[m.month for m in months])  # fmt: skip


@get(INBOX, opt={"action": "solutions.manage"}, include_in_schema=False)
async def inbox(request: Request, page_number: PageNumber = 1) -> Template:
    result = await inquiries.list_inbox(signed_in_principal(request), PageRequest.of(page_number))
    return page(request, "solutions/inbox.html", headers=NO_STORE_HTMX, result=result, params={})


@get(f"{INBOX}/{{inquiry_id:int}}", opt={"action": "solutions.manage"}, include_in_schema=False)
async def inquiry(request: Request, inquiry_id: FromPath[int]) -> Template:
    found = await inquiries.read_inquiry(signed_in_principal(request), inquiry_id)
    return page(request, "solutions/inquiry.html", headers=NO_STORE_HTMX, inquiry=found)


# --- images and brochures ------------------------------------------------------------------------

FILE_FIELDS = {"image": "image_file", "brochure": "brochure_file"}
FILE_NOTICES = {
    "created": "ソリューションを登録しました。続けて画像やパンフレット（PDF）を追加できます。",
    "added": "ファイルを追加しました。",
    "saved": "変更を保存しました。",
    "deleted": "ファイルを削除しました。",
}


async def _files_page(
    request: Request, solution_id: int, status_code: int = 200, **context: Any
) -> Template:
    solution = await service.get_own_solution(signed_in_principal(request), solution_id)
    context.setdefault("values", {})
    context.setdefault("failed_id", None)
    return page(
        request, "solutions/files.html", status_code=status_code, headers=NO_STORE_HTMX,
        solution=solution, max_images=files.MAX_IMAGES, max_brochures=files.MAX_BROCHURES,
        max_megabytes=images.MAX_UPLOAD_BYTES // (1024 * 1024),
        done_message=FILE_NOTICES.get(str(request.query_params.get("done", ""))), **context,
    )  # fmt: skip


@get(
    f"{OWN}/{{solution_id:int}}/files", opt={"action": "solutions.manage"}, include_in_schema=False
)
async def files_page(request: Request, solution_id: FromPath[int]) -> Template:
    return await _files_page(request, solution_id)


@post(
    f"{OWN}/{{solution_id:int}}/files",
    opt={"action": "solutions.manage"},
    include_in_schema=False,
    request_max_body_size=images.UPLOAD_BODY_LIMIT,
)
async def add_file(request: Request, solution_id: FromPath[int]) -> Response | Template:
    form = await request.form()
    sent = form.get("kind")
    kind = sent if isinstance(sent, str) and sent in FILE_FIELDS else "image"
    text = form.get("alt_text" if kind == "image" else "title")
    try:
        await store_file(request, solution_id, kind, form.get(FILE_FIELDS[kind]), text)
    except ValidationFailed as exc:
        # The form that was sent shows the errors, at its own fields.
        errors = at_file_field(exc.errors, FILE_FIELDS[kind])
        values = {"alt_text" if kind == "image" else "title": text if isinstance(text, str) else ""}
        return await _files_page(request, solution_id, 422, errors=errors, values=values)
    return Redirect(f"{OWN}/{solution_id}/files?done=added", status_code=303)


@post(
    f"{OWN}/{{solution_id:int}}/files/{{file_id:int}}",
    opt={"action": "solutions.manage"},
    include_in_schema=False,
)
async def save_file(
    request: Request, solution_id: FromPath[int], file_id: FromPath[int]
) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await files.update_file(
            signed_in_principal(request), solution_id, file_id, values.get("text", "")
        )
    except ValidationFailed as exc:
        errors = {f"f{file_id}_text": message for message in exc.errors.values()}
        return await _files_page(
            request, solution_id, 422, errors=errors, values=values, failed_id=file_id
        )
    return Redirect(f"{OWN}/{solution_id}/files?done=saved", status_code=303)


@post(
    f"{OWN}/{{solution_id:int}}/files/{{file_id:int}}/delete",
    opt={"action": "solutions.manage"},
    include_in_schema=False,
)
async def delete_file(
    request: Request, solution_id: FromPath[int], file_id: FromPath[int]
) -> Response:
    await files.delete_file(
        signed_in_principal(request), request.app.state.store, solution_id, file_id
    )
    return Redirect(f"{OWN}/{solution_id}/files?done=deleted", status_code=303)


FILE_CACHE = "private, max-age=86400"


def _disposition(view: service.SolutionFileView) -> str:
    extension = view.storage_key.rsplit(".", 1)[-1]
    fallback = f"solution-{view.solution_id}-{view.id}.{extension}"
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(view.file_name, safe='')}"


@get(
    f"{DIRECTORY}/{{solution_id:int}}/files/{{file_id:int}}",
    opt={"action": "solutions.view"},
    include_in_schema=False,
)
async def file_original(
    request: Request, solution_id: FromPath[int], file_id: FromPath[int]
) -> Response | Stream:
    view = await files.readable_file(signed_in_principal(request), solution_id, file_id)
    return await stream_object(
        request, view.storage_key, view.content_type, view.size,
        {"Cache-Control": FILE_CACHE, "Content-Disposition": _disposition(view)},
    )  # fmt: skip


@get(
    f"{DIRECTORY}/{{solution_id:int}}/files/{{file_id:int}}/{{width:int}}",
    opt={"action": "solutions.view"},
    include_in_schema=False,
)
async def file_rendition(
    request: Request, solution_id: FromPath[int], file_id: FromPath[int], width: FromPath[int]
) -> Response | Stream:
    view = await files.readable_file(signed_in_principal(request), solution_id, file_id)
    found = view.rendition(width)
    if found is None:
        raise NotFound("この幅の画像はありません。")
    return await stream_object(
        request, found["key"], found["content_type"], found["size"], {"Cache-Control": FILE_CACHE}
    )


# --- the secretariat -----------------------------------------------------------------------------

CONSOLE_VIEWS = {"stale": "1年以上更新されていないもの", "moderated": "事務局が非公開にしたもの"}


async def _console_page(
    request: Request, view: str, page_number: int, status_code: int = 200, **context: Any
) -> Template:
    principal = signed_in_principal(request)
    view = view if view in CONSOLE_VIEWS else "stale"
    lister = service.list_stale if view == "stale" else service.list_moderated
    result = await lister(principal, PageRequest.of(page_number))
    context.setdefault("done", "")
    return page(
        request, "solutions/console.html", status_code=status_code, headers=NO_STORE_HTMX,
        result=result, view=view, views=CONSOLE_VIEWS, params={"view": view}, **context,
    )  # fmt: skip


@get(CONSOLE, opt={"action": "solutions.moderate"}, include_in_schema=False)
async def console_list(
    request: Request, view: FromQuery[str] = "stale", done: FromQuery[str] = "",
    page_number: PageNumber = 1,
) -> Template:  # fmt: skip
    return await _console_page(request, view, page_number, done=done)


@post(
    f"{CONSOLE}/{{solution_id:int}}/moderation",
    opt={"action": "solutions.moderate"},
    include_in_schema=False,
)
async def moderate(request: Request, solution_id: FromPath[int]) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await service.moderate(signed_in_principal(request), solution_id, values.get("reason", ""))
    except ValidationFailed as exc:
        return await _detail_page(request, solution_id, 422, errors=exc.errors, values=values)
    return Redirect(f"{DIRECTORY}/{solution_id}?done=moderated", status_code=303)


@post(
    f"{CONSOLE}/{{solution_id:int}}/moderation/lift",
    opt={"action": "solutions.moderate"},
    include_in_schema=False,
)
async def lift(request: Request, solution_id: FromPath[int]) -> Response:
    await service.lift_moderation(signed_in_principal(request), solution_id)
    return Redirect(f"{DIRECTORY}/{solution_id}?done=lifted", status_code=303)


@post(
    f"{CONSOLE}/{{solution_id:int}}/refresh-request",
    opt={"action": "solutions.moderate"},
    include_in_schema=False,
)
async def request_refresh(request: Request, solution_id: FromPath[int]) -> Response | Template:
    try:
        await service.request_refresh(
            request.app.state.settings, signed_in_principal(request), solution_id
        )
    except Conflict as exc:
        return await _console_page(request, "stale", 1, 409, errors={"refresh": exc.message})
    return Redirect(f"{CONSOLE}?view=stale&done=requested", status_code=303)


async def _categories_page(request: Request, status_code: int = 200, **context: Any) -> Template:
    context.setdefault("done", "")
    context.setdefault("values", {})
    context.setdefault("failed_id", None)
    return page(
        request, "solutions/categories.html", status_code=status_code, headers=NO_STORE_HTMX,
        categories=await taxonomy.list_categories(include_retired=True, with_counts=True),
        **context,
    )  # fmt: skip


@get(CATEGORIES, opt={"action": "solutions.moderate"}, include_in_schema=False)
async def categories(request: Request, done: FromQuery[str] = "") -> Template:
    return await _categories_page(request, done=done)


@post(CATEGORIES, opt={"action": "solutions.moderate"}, include_in_schema=False)
async def add_category(request: Request) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await taxonomy.create_category(signed_in_principal(request), values.get("name", ""))
    except ValidationFailed as exc:
        return await _categories_page(request, 422, errors=exc.errors, values=values)
    return Redirect(f"{CATEGORIES}?done=added", status_code=303)


@post(
    f"{CATEGORIES}/{{category_id:int}}",
    opt={"action": "solutions.moderate"},
    include_in_schema=False,
)
async def save_category(request: Request, category_id: FromPath[int]) -> Response | Template:
    values, _ = await form_values(request)
    try:
        await taxonomy.update_category(
            signed_in_principal(request), category_id, name=values.get("name", ""),
            position=values.get("position", "0"), active=values.get("active") == "on",
        )  # fmt: skip
    except ValidationFailed as exc:
        return await _categories_page(
            request, 422, errors={f"c{category_id}_{k}": v for k, v in exc.errors.items()},
            failed_id=category_id, values=values,
        )  # fmt: skip
    return Redirect(f"{CATEGORIES}?done=saved", status_code=303)


@post(
    f"{CATEGORIES}/{{category_id:int}}/delete",
    opt={"action": "solutions.moderate"},
    include_in_schema=False,
)
async def delete_category(request: Request, category_id: FromPath[int]) -> Response | Template:
    try:
        await taxonomy.delete_category(signed_in_principal(request), category_id)
    except Conflict as exc:
        return await _categories_page(request, 409, errors={"delete": exc.message})
    return Redirect(f"{CATEGORIES}?done=deleted", status_code=303)


ROUTES = [
    directory, detail, bookmark, bookmarks, contact_form, send_contact, own_list, new_form,
    create, edit_form, update, visibility, delete_confirm, delete, statistics, inbox, inquiry,
    files_page, add_file, save_file, delete_file, file_original, file_rendition,
    console_list, moderate, lift, request_refresh, categories, add_category, save_category, delete_category,
]  # fmt: skip
