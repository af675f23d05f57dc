"""The secretariat's synonym editor at /console/search/synonyms: the groups, a form to add one,
a page per group to change or delete it, and a preview (the 「プレビュー」 button of either form)
of what the words find before anything is saved. Thin: api.searching.synonyms does the work.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from api.errors import Unavailable, ValidationFailed
from api.http.headers import NO_STORE
from api.searching import synonyms
from web.forms import delete_problems, form_values
from web.rendering import page, signed_in_principal

SYNONYMS = {"action": "search.synonyms"}
LIST_PATH = "/console/search/synonyms"
PREVIEW_UNAVAILABLE = "検索が一時的に使えないため、プレビューを表示できません。"


async def _list_page(
    request: Request, values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
    preview: synonyms.Preview | None = None, status_code: int = 200, done: str = "",
) -> Template:  # fmt: skip
    return page(
        request, "console/synonyms.html", status_code=status_code, headers=NO_STORE,
        groups=await synonyms.list_groups(), values=values or {}, errors=errors or {},
        preview=preview, done=done,
    )  # fmt: skip


async def _group_page(
    request: Request, group: synonyms.SynonymGroup, values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None, preview: synonyms.Preview | None = None,
    status_code: int = 200, saved: bool = False,
) -> Template:  # fmt: skip
    return page(
        request, "console/synonym.html", status_code=status_code, headers=NO_STORE, group=group,
        values=values or {"words": group.text}, errors=errors or {}, preview=preview,
        saved=saved,
    )  # fmt: skip


async def _preview(request: Request, words: str) -> tuple[Any, dict[str, str], int]:
    """(preview, errors, status) for the form's words."""
    try:
        return await synonyms.preview(words, request.app.state.search), {}, 200
    except ValidationFailed as exc:
        return None, exc.errors, 422
    except Unavailable:
        return None, {"words": PREVIEW_UNAVAILABLE}, 503


@get(LIST_PATH, opt=SYNONYMS, include_in_schema=False)
async def synonym_list(request: Request, done: FromQuery[str] = "") -> Template:
    return await _list_page(
        request, done={"created": "created", "deleted": "deleted"}.get(done, "")
    )


@post(LIST_PATH, opt=SYNONYMS, include_in_schema=False)
async def create(request: Request) -> Response | Template:
    values, _ = await form_values(request)
    words = values.get("words", "")
    if values.get("intent") == "preview":
        preview, errors, status = await _preview(request, words)
        return await _list_page(request, values, errors, preview, status)
    try:
        await synonyms.create_group(signed_in_principal(request), words, request.app.state.search)
    except ValidationFailed as exc:
        return await _list_page(request, values, exc.errors, status_code=422)
    return Redirect(f"{LIST_PATH}?done=created", status_code=303)


@get(f"{LIST_PATH}/{{synonym_id:int}}", opt=SYNONYMS, include_in_schema=False)
async def group_page(
    request: Request, synonym_id: FromPath[int], done: FromQuery[str] = ""
) -> Template:
    return await _group_page(request, await synonyms.get_group(synonym_id), saved=done == "saved")


@post(f"{LIST_PATH}/{{synonym_id:int}}", opt=SYNONYMS, include_in_schema=False)
async def update(request: Request, synonym_id: FromPath[int]) -> Response | Template:
    group = await synonyms.get_group(synonym_id)
    values, _ = await form_values(request)
    words = values.get("words", "")
    if values.get("intent") == "preview":
        preview, errors, status = await _preview(request, words)
        return await _group_page(request, group, values, errors, preview, status)
    try:
        await synonyms.update_group(
            signed_in_principal(request), synonym_id, words, request.app.state.search
        )
    except ValidationFailed as exc:
        return await _group_page(request, group, values, exc.errors, status_code=422)
    return Redirect(f"{LIST_PATH}/{synonym_id}?done=saved", status_code=303)


@post(f"{LIST_PATH}/{{synonym_id:int}}/delete", opt=SYNONYMS, include_in_schema=False)
async def delete(request: Request, synonym_id: FromPath[int]) -> Response | Template:
    group = await synonyms.get_group(synonym_id)
    values, _ = await form_values(request)
    if errors := delete_problems(values):
        return await _group_page(request, group, errors=errors, status_code=422)
    await synonyms.delete_group(signed_in_principal(request), synonym_id, request.app.state.search)
    return Redirect(f"{LIST_PATH}?done=deleted", status_code=303)


ROUTES = [synonym_list, create, group_page, update, delete]
