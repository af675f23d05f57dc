"""Membership applications: the public three-step form (入力 -> 確認 -> 完了), the applicant's
answer to a request for more information, the membership terms, and the secretariat's screening
pages (queue, screening page, checklist admin)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Stream, Template

from api.applications import service
from api.applications.routes import EVIDENCE_BODY_LIMIT, evidence_response, evidence_upload
from api.errors import Conflict, NotFound, ValidationFailed
from api.http.headers import NO_STORE
from api.pagination import PageRequest
from web.forms import form_values, organisation_labels, with_submission_key
from web.rendering import page, signed_in_principal

PageNumber = Annotated[int, QueryParameter(ge=1, le=100000)]
SUBMIT = {"action": "application.submit"}
VIEW = {"action": "applications.view"}
SCREEN = {"action": "applications.screen"}
# Pages with personal data: never cached, never kept in htmx's history.

# The form's fields in the order they appear, for the error summary.
APPLICATION_LABELS: dict[str, str] = {
    **{
        key: label
        for key, label in organisation_labels((service.APPLICANT_PREFIX, "申込担当者")).items()
        if key not in ("profile_public", "profile_text")
    },
    "agree_terms": "会員規約への同意",
    "declaration": "反社会的勢力でないことの誓約",
    "declaration_name": "署名（氏名）",
    "submission_key": "送信キー",
}

CHECK_LABELS: dict[str, str] = {
    "method": "確認の方法",
    "source": "確認先",
    "result": "確認の結果",
    "notes": "備考",
    "evidence": "証跡ファイル",
}
DECISION_FIELD_LABELS: dict[str, str] = {
    "decision": "判定",
    "reason": "却下の理由",
    "message": "依頼する内容",
}
DONE_MESSAGES: dict[str, str] = {
    "checklist": "審査チェックリストを保存しました。",
    "check": "反社会的勢力の確認を記録しました。",
    "approve": "承認しました。会員団体を登録し、申込担当者に会員管理者としての招待メールを送りました。",
    "reject": "却下しました。申込者に理由をメールで送りました。",
    "request_info": "申込者に追加情報の依頼と修正用リンクをメールで送りました。",
}


# --- public pages ---------------------------------------------------------------------------------


@get("/membership-terms", opt={"action": "public.view"}, include_in_schema=False)
async def membership_terms(request: Request) -> Template:
    return page(request, "applications/terms.html")


def _form_page(
    request: Request,
    values: dict[str, str],
    *,
    base_path: str = "/join",
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    application: service.ApplicationView | None = None,
) -> Template:
    return page(
        request, "applications/form.html", status_code=status_code, headers=NO_STORE,
        values=values, errors=errors or {}, labels=APPLICATION_LABELS, base_path=base_path,
        application=application, declaration_text=service.DECLARATION_TEXT,
    )  # fmt: skip


def _confirm_page(
    request: Request,
    data: service.ApplicationInput,
    *,
    base_path: str = "/join",
    application: service.ApplicationView | None = None,
) -> Template:
    return page(
        request, "applications/confirm.html", headers=NO_STORE, data=data,
        hidden=data.as_form(), base_path=base_path, application=application,
        declaration_text=service.DECLARATION_TEXT,
    )  # fmt: skip


@get("/join", opt=SUBMIT, include_in_schema=False)
async def application_form(request: Request) -> Template:
    return _form_page(request, {"submission_key": service.new_submission_key()})


@post("/join/confirm", opt=SUBMIT, include_in_schema=False)
async def application_confirm(request: Request) -> Template:
    values = with_submission_key((await form_values(request))[0])
    try:
        data = await service.check_application(values)
    except ValidationFailed as exc:
        return _form_page(request, values, status_code=422, errors=exc.errors)
    return _confirm_page(request, data)


@post("/join/edit", opt=SUBMIT, include_in_schema=False)
async def application_edit(request: Request) -> Template:
    """「修正する」: back to the form with everything as it was typed (no personal data in a URL)."""
    return _form_page(request, with_submission_key((await form_values(request))[0]))


@post("/join", opt=SUBMIT, include_in_schema=False)
async def application_submit(request: Request) -> Response | Template:
    values = with_submission_key((await form_values(request))[0])
    try:
        result = await service.submit_application(request.app.state.settings, values)
    except ValidationFailed as exc:
        return _form_page(request, values, status_code=422, errors=exc.errors)
    return Redirect(f"/join/complete?ref={result.reference}", status_code=303)


@get("/join/complete", opt=SUBMIT, include_in_schema=False)
async def application_complete(
    request: Request, ref: FromQuery[str] = "", resubmitted: FromQuery[str] = ""
) -> Template:
    if not await service.reference_exists(ref):
        raise NotFound("受付番号が見つかりませんでした。お申し込みの際のメールをご確認ください。")
    return page(
        request, "applications/complete.html", reference=ref, resubmitted=resubmitted == "1"
    )


def _respond_path(token: str) -> str:
    return f"/join/respond/{token}"


@get("/join/respond/{token:str}", opt=SUBMIT, include_in_schema=False)
async def respond_form(request: Request, token: FromPath[str]) -> Template:
    view = await service.application_for_token(token)
    return _form_page(
        request, view.as_input().as_form(), base_path=_respond_path(token), application=view
    )


@post("/join/respond/{token:str}/confirm", opt=SUBMIT, include_in_schema=False)
async def respond_confirm(request: Request, token: FromPath[str]) -> Template:
    view = await service.application_for_token(token)
    values, _ = await form_values(request)
    values.pop("_csrf", None)
    try:
        data = await service.check_application(values, excluding_application=view.id)
    except ValidationFailed as exc:
        return _form_page(
            request, values, base_path=_respond_path(token), status_code=422,
            errors=exc.errors, application=view,
        )  # fmt: skip
    return _confirm_page(request, data, base_path=_respond_path(token), application=view)


@post("/join/respond/{token:str}/edit", opt=SUBMIT, include_in_schema=False)
async def respond_edit(request: Request, token: FromPath[str]) -> Template:
    view = await service.application_for_token(token)
    values, _ = await form_values(request)
    values.pop("_csrf", None)
    return _form_page(request, values, base_path=_respond_path(token), application=view)


@post("/join/respond/{token:str}", opt=SUBMIT, include_in_schema=False)
async def respond_submit(request: Request, token: FromPath[str]) -> Response | Template:
    values, _ = await form_values(request)
    values.pop("_csrf", None)
    try:
        view = await service.resubmit(token, values)
    except ValidationFailed as exc:
        current = await service.application_for_token(token)
        return _form_page(
            request, values, base_path=_respond_path(token), status_code=422,
            errors=exc.errors, application=current,
        )  # fmt: skip
    return Redirect(f"/join/complete?ref={view.reference}&resubmitted=1", status_code=303)


# --- the screening queue and page -----------------------------------------------------------------


@get("/console/applications", opt=VIEW, include_in_schema=False)
async def queue(
    request: Request, status: FromQuery[str] = "pending", page_number: PageNumber = 1
) -> Template:
    status = status if status in service.STATUS_FILTERS else "pending"
    result = await service.list_applications(status, PageRequest.of(page_number))
    return page(
        request, "console/applications.html", headers=NO_STORE, result=result,
        params={"status": status}, status_filters=service.STATUS_FILTERS,
    )  # fmt: skip


async def _screening_page(
    request: Request,
    application_id: int,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    done: str = "",
) -> Template:
    view = await service.get_application(application_id)
    checklist = await service.current_checklist()
    principal = signed_in_principal(request)
    saved = view.checklist
    answers: dict[str, dict[str, str]] = {}
    if values is not None:
        answers = {
            item.key: {
                "answer": values.get(f"answer_{item.key}", ""),
                "note": values.get(f"note_{item.key}", ""),
            }
            for item in checklist.items
        }
    elif saved is not None and saved.version == checklist.version:
        answers = {a.key: {"answer": a.answer, "note": a.note} for a in saved.answers}
    labels: dict[str, str] = {}
    for number, item in enumerate(checklist.items, start=1):
        labels[f"answer_{item.key}"] = f"チェック項目{number}の判定"
        labels[f"note_{item.key}"] = f"チェック項目{number}のメモ"
    labels.update(CHECK_LABELS)
    labels.update(DECISION_FIELD_LABELS)
    return page(
        request, "console/application.html", status_code=status_code, headers=NO_STORE,
        application=view, checklist=checklist, answers=answers, errors=errors or {},
        values=values or {}, labels=labels, done=DONE_MESSAGES.get(done, ""),
        approval_problems=service.approval_problems(
            request.app.state.settings, principal, view
        ),
        methods=service.CHECK_METHODS, results=service.CHECK_RESULTS,
        evidence_max_bytes=request.app.state.settings.evidence_max_bytes,
    )  # fmt: skip


@get("/console/applications/{application_id:int}", opt=VIEW, include_in_schema=False)
async def screening(
    request: Request, application_id: FromPath[int], done: FromQuery[str] = ""
) -> Template:
    return await _screening_page(request, application_id, done=done)


def _done(application_id: int, what: str) -> Redirect:
    return Redirect(f"/console/applications/{application_id}?done={what}", status_code=303)


@post("/console/applications/{application_id:int}/checklist", opt=SCREEN, include_in_schema=False)
async def save_checklist_answers(
    request: Request, application_id: FromPath[int]
) -> Response | Template:
    values, _ = await form_values(request)
    try:
        version = int(values.get("checklist_version", "0") or 0)
    except ValueError:
        version = 0
    checklist = await service.current_checklist()
    answers = {
        item.key: {
            "answer": values.get(f"answer_{item.key}", ""),
            "note": values.get(f"note_{item.key}", ""),
        }
        for item in checklist.items
    }
    try:
        await service.record_checklist(
            signed_in_principal(request), application_id, version, answers
        )
    except ValidationFailed as exc:
        return await _screening_page(
            request, application_id, status_code=422, errors=exc.errors, values=values
        )
    except Conflict as exc:
        return await _screening_page(
            request, application_id, status_code=409, errors={"checklist": exc.message}
        )
    return _done(application_id, "checklist")


@post(
    "/console/applications/{application_id:int}/checks",
    opt=SCREEN,
    include_in_schema=False,
    request_max_body_size=EVIDENCE_BODY_LIMIT,
)
async def record_check(request: Request, application_id: FromPath[int]) -> Response | Template:
    form = await request.form()
    values, _ = await form_values(request)
    try:
        await service.record_antisocial_check(
            request.app.state.settings, request.app.state.store, signed_in_principal(request),
            application_id, values, evidence_upload(form.get("evidence")),
        )  # fmt: skip
    except ValidationFailed as exc:
        return await _screening_page(
            request, application_id, status_code=422, errors=exc.errors, values=values
        )
    except Conflict as exc:
        return await _screening_page(
            request, application_id, status_code=409, errors={"check": exc.message}
        )
    return _done(application_id, "check")


@get("/console/applications/{application_id:int}/evidence", opt=VIEW, include_in_schema=False)
async def evidence(
    request: Request,
    application_id: FromPath[int],
    check_id: Annotated[int | None, QueryParameter(ge=1)] = None,
) -> Stream:
    found = await service.evidence_file(application_id, check_id)
    return evidence_response(found, request.app.state.store)


@post("/console/applications/{application_id:int}/decision", opt=SCREEN, include_in_schema=False)
async def decide(request: Request, application_id: FromPath[int]) -> Response | Template:
    values, _ = await form_values(request)
    decision = values.get("decision", "")
    text = (
        values.get("reason", "")
        if decision == service.Decision.REJECT
        else values.get("message", "")
    )
    try:
        await service.decide(
            request.app.state.settings, signed_in_principal(request), application_id, decision, text
        )
    except ValidationFailed as exc:
        return await _screening_page(
            request, application_id, status_code=422, errors=exc.errors, values=values
        )
    except Conflict as exc:
        return await _screening_page(
            request, application_id, status_code=409, errors={"decision": exc.message}
        )
    return _done(application_id, decision)


# --- the checklist admin --------------------------------------------------------------------------


async def _checklist_admin_page(
    request: Request, status_code: int = 200, **context: Any
) -> Template:
    current = await service.current_checklist()
    history = await service.checklist_history()
    context.setdefault("text", "\n".join(item.label for item in current.items))
    return page(
        request, "console/screening_checklist.html", status_code=status_code,
        current=current, history=history, **context,
    )  # fmt: skip


@get("/console/screening-checklist", opt={"action": "checklist.manage"}, include_in_schema=False)
async def checklist_admin(request: Request, done: FromQuery[str] = "") -> Template:
    return await _checklist_admin_page(request, done=done)


@post("/console/screening-checklist", opt={"action": "checklist.manage"}, include_in_schema=False)
async def checklist_save(request: Request) -> Response | Template:
    values, _ = await form_values(request)
    text = values.get("items", "")
    before = await service.current_checklist()
    try:
        saved = await service.save_checklist(
            signed_in_principal(request), service.parse_checklist_lines(text)
        )
    except (ValidationFailed, Conflict) as exc:
        errors = exc.errors if isinstance(exc, ValidationFailed) else {"items": exc.message}
        return await _checklist_admin_page(
            request, status_code=exc.status_code, errors=errors, text=text, done=""
        )
    done = "saved" if saved.version != before.version else "unchanged"
    return Redirect(f"/console/screening-checklist?done={done}", status_code=303)


ROUTES = [
    membership_terms,
    application_form,
    application_confirm,
    application_edit,
    application_submit,
    application_complete,
    respond_form,
    respond_confirm,
    respond_edit,
    respond_submit,
    queue,
    screening,
    save_checklist_answers,
    record_check,
    evidence,
    decide,
    checklist_admin,
    checklist_save,
]
