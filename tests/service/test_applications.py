"""Rules of membership applications and screening that no page or API call can get around."""

from __future__ import annotations

import asyncio
import io
import json
import re
from dataclasses import replace
from datetime import timedelta

import pytest

from api import clock
from api.accounts.tables import Account, AccountRole, OneTimeToken
from api.applications import service
from api.applications.tables import AntisocialCheck, Application
from api.audit.tables import AuditEntry
from api.errors import Conflict, NotFound, ValidationFailed
from api.mail.tables import OutboxMail
from api.members.reference import MembershipStatus
from api.members.tables import Organisation, OrganisationContact
from api.pagination import PageRequest
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from storage import open_store
from tests.conftest import make_account
from tests.factories import make_organisation
from tests.http.test_applications import application_form
from tests.querycount import count_queries

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def principal(view) -> Principal:
    return Principal(view.id, view.email, view.display_name, view.roles)


async def staff_pair(settings: Settings) -> tuple[Principal, Principal]:
    first = await make_account(settings, "staff1@example.jp", {Role.STAFF})
    second = await make_account(settings, "staff2@example.jp", {Role.STAFF})
    return principal(first), principal(second)


async def submit(settings: Settings, index: int = 1, **overrides: str) -> service.SubmitResult:
    return await service.submit_application(settings, application_form(index, **overrides))


async def screened(
    settings: Settings, checker: Principal, index: int = 1, result: str = "clear"
) -> int:
    """An application with a complete, all-OK checklist and one check, both by checker."""
    application_id = (await submit(settings, index)).application_id
    checklist = await service.current_checklist()
    await service.record_checklist(
        checker, application_id, checklist.version,
        {item.key: {"answer": "ok", "note": ""} for item in checklist.items},
    )  # fmt: skip
    await service.record_antisocial_check(
        settings, open_store("", settings.data_dir), checker, application_id,
        {"method": "police", "source": "熊本県警察本部", "result": result},
    )  # fmt: skip
    return application_id


# --- applying -------------------------------------------------------------------------------------


async def test_the_same_form_posted_twice_makes_one_application(
    settings: Settings, db: None
) -> None:
    form = application_form(1)
    first = await service.submit_application(settings, form)
    second = await service.submit_application(settings, form)
    assert first.created and not second.created
    assert second.reference == first.reference
    assert re.fullmatch(r"R\d+-\d{4,}", first.reference)
    assert await Application.count() == 1
    mails = await OutboxMail.select()
    assert len(mails) == 1
    assert mails[0]["to_address"] == "contact1@example.jp"
    assert first.reference in mails[0]["subject"] and first.reference in mails[0]["body"]
    assert await AuditEntry.count().where(AuditEntry.action == "application.submit") == 1


async def test_two_posts_of_the_same_form_at_once_make_one_application(
    settings: Settings, db: None
) -> None:
    form = application_form(1)
    results = await asyncio.gather(
        service.submit_application(settings, form), service.submit_application(settings, form)
    )
    assert {r.reference for r in results} == {results[0].reference}
    assert await Application.count() == 1
    # Two different forms of one organisation at once: one application, one clear refusal.
    outcomes = await asyncio.gather(
        submit(settings, 2), submit(settings, 2), return_exceptions=True
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["SubmitResult", "ValidationFailed"]
    assert await Application.count() == 2


async def test_applying_again_while_pending_is_caught(settings: Settings, db: None) -> None:
    await submit(settings, 1)
    with pytest.raises(ValidationFailed) as caught:
        await submit(settings, 1)  # a new form (new submission key), the same organisation
    assert "審査中" in caught.value.errors["corporate_number"]
    assert "審査中" in caught.value.errors["name"]
    # The name alone (written differently) is caught too: width, spaces, legal form ignored.
    with pytest.raises(ValidationFailed) as caught:
        await submit(settings, 2, name="（株） テスト１", corporate_number="")
    assert "審査中" in caught.value.errors["name"]
    assert await Application.count() == 1


async def test_applying_with_a_members_number_or_name_is_caught(
    settings: Settings, db: None
) -> None:
    await make_organisation(1)
    await make_organisation(2, status=MembershipStatus.SUSPENDED)
    await make_organisation(3, status=MembershipStatus.WITHDRAWN)
    for index in (1, 2):
        with pytest.raises(ValidationFailed) as caught:
            await submit(settings, index)
        assert "会員として登録されています" in caught.value.errors["corporate_number"]
        assert "会員として登録されています" in caught.value.errors["name"]
    assert (await submit(settings, 3)).created  # a withdrawn member may apply again
    # A rejected application no longer holds its name.
    actor = principal(await make_account(settings, "staff@example.jp", {Role.STAFF}))
    await service.reject(settings, actor, (await submit(settings, 4)).application_id, "対象外")
    assert (await submit(settings, 4)).created


async def test_every_field_problem_is_reported_in_japanese(settings: Settings, db: None) -> None:
    form = application_form(
        1,
        corporate_number="1234567890123",
        postal_code="86",
        applicant_email="not-an-email",
        applicant_phone="12",
        name_kana="abc漢字",
    )
    for name in ("agree_terms", "declaration", "declaration_name"):
        form.pop(name)
    with pytest.raises(ValidationFailed) as caught:
        await service.submit_application(settings, form)
    errors = caught.value.errors
    assert "チェックデジット" in errors["corporate_number"]
    assert "郵便番号" in errors["postal_code"]
    assert "メールアドレス" in errors["applicant_email"]
    assert "電話番号" in errors["applicant_phone"]
    assert "カタカナ" in errors["name_kana"]
    assert "会員規約" in errors["agree_terms"]
    assert "誓約" in errors["declaration"]
    assert "署名" in errors["declaration_name"]
    assert await Application.count() == 0
    assert await OutboxMail.count() == 0


async def test_full_width_input_is_normalised(settings: Settings, db: None) -> None:
    form = application_form(
        1, postal_code="８６０－０００１", applicant_phone="０９６－３３３－２１１１",
        applicant_email="ＴＡＲＯ@Example.JP", name_kana="てすといち",
    )  # fmt: skip
    result = await service.submit_application(settings, form)
    view = await service.get_application(result.application_id)
    assert view.organisation.postal_code == "860-0001"
    assert view.applicant.phone == "096-333-2111"
    assert view.applicant.email == "taro@example.jp"
    assert view.organisation.name_kana == "テストイチ"


async def test_a_bad_submission_key_is_refused(settings: Settings, db: None) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await submit(settings, 1, submission_key="short")
    assert "送信キー" in caught.value.errors["submission_key"]


# --- the queue ------------------------------------------------------------------------------------


async def test_the_queue_is_oldest_first_with_the_age_and_bounded_queries(
    settings: Settings, db: None
) -> None:
    ids = [(await submit(settings, index)).application_id for index in range(1, 6)]
    await Application.update({Application.submitted_at: clock.now() - timedelta(days=12)}).where(
        Application.id == ids[3]
    )
    with count_queries() as counter:
        page = await service.list_applications("pending", PageRequest.of(1, 3))
    assert counter.count <= 2
    assert page.total == 5 and page.pages == 2
    assert page.items[0].id == ids[3] and page.items[0].age_days == 12
    assert [item.id for item in page.items[1:]] == ids[:2]
    assert page.items[1].age_days == 0
    actor = principal(await make_account(settings, "staff@example.jp", {Role.STAFF}))
    await service.reject(settings, actor, ids[0], "対象外")
    assert (await service.list_applications("pending", PageRequest.of(1))).total == 4
    rejected = await service.list_applications("rejected", PageRequest.of(1))
    assert [item.id for item in rejected.items] == [ids[0]]
    assert (await service.list_applications("all", PageRequest.of(1))).total == 5


# --- the checklist --------------------------------------------------------------------------------


async def test_the_checklist_is_seeded_and_versioned(settings: Settings, db: None) -> None:
    admin = principal(await make_account(settings, "admin@example.jp", {Role.ADMIN}))
    staff, _ = await staff_pair(settings)
    first = await service.current_checklist()
    assert first.version == 1
    assert any("県内" in item.label for item in first.items)
    assert any("反社会的勢力" in item.label for item in first.items)

    application_id = (await submit(settings, 1)).application_id
    answers = {item.key: {"answer": "ok", "note": "確認済み"} for item in first.items}
    await service.record_checklist(staff, application_id, 1, answers)

    second = await service.save_checklist(admin, ["県内に事業所がある", "新しい基準"])
    assert second.version == 2
    assert (await service.current_checklist()).version == 2
    # Saving the same list again makes no new version.
    assert (await service.save_checklist(admin, ["県内に事業所がある", "新しい基準"])).version == 2

    view = await service.get_application(application_id)
    assert view.checklist is not None and view.checklist.version == 1
    assert [a.label for a in view.checklist.answers] == [i.label for i in first.items]
    assert view.checklist.recorded_by.startswith("テスト 利用者")

    with pytest.raises(Conflict):  # the form showed version 1; version 2 is in use now
        await service.record_checklist(staff, application_id, 1, answers)
    other = (await submit(settings, 2)).application_id
    with pytest.raises(ValidationFailed) as caught:
        await service.record_checklist(staff, other, 2, {"i1": {"answer": "ok"}})
    assert "OK・NG" in caught.value.errors["answer_i2"]
    await service.record_checklist(
        staff, other, 2, {"i1": {"answer": "ok"}, "i2": {"answer": "ng", "note": "要確認"}}
    )
    record = (await service.get_application(other)).checklist
    assert record is not None and record.version == 2 and not record.all_ok
    entries = await AuditEntry.select().where(AuditEntry.action == "checklist.update")
    assert len(entries) == 1
    assert json.loads(entries[0]["after"])["version"] == 2


async def test_checklist_admin_input_is_checked(settings: Settings, db: None) -> None:
    admin = principal(await make_account(settings, "admin@example.jp", {Role.ADMIN}))
    for labels in ([], ["a"] * 2, ["x" * 201], [f"項目{n}" for n in range(31)]):
        with pytest.raises(ValidationFailed) as caught:
            await service.save_checklist(admin, labels)
        assert "items" in caught.value.errors
    assert service.parse_checklist_lines(" 一つ目 \r\n\r\n二つ目\n") == ["一つ目", "二つ目"]


# --- the anti-social-forces check and its evidence ------------------------------------------------


async def test_evidence_is_checked_by_content_and_size(settings: Settings, db: None) -> None:
    store = open_store("", settings.data_dir)
    staff, _ = await staff_pair(settings)
    application_id = (await submit(settings, 1)).application_id
    values = {"method": "center", "source": "熊本県暴力追放運動推進センター", "result": "clear"}

    fake = service.EvidenceUpload("照会結果.pdf", io.BytesIO(b"MZ\x90\x00 not a pdf at all"))
    with pytest.raises(ValidationFailed) as caught:
        await service.record_antisocial_check(settings, store, staff, application_id, values, fake)
    assert "PDF・PNG・JPEG" in caught.value.errors["evidence"]

    small = replace(settings, evidence_max_bytes=1024)
    big = service.EvidenceUpload("大きい.pdf", io.BytesIO(PDF + b"0" * 2048))
    with pytest.raises(ValidationFailed) as caught:
        await service.record_antisocial_check(small, store, staff, application_id, values, big)
    assert "1KB以下" in caught.value.errors["evidence"]

    empty = service.EvidenceUpload("空.png", io.BytesIO(b""))
    with pytest.raises(ValidationFailed):
        await service.record_antisocial_check(settings, store, staff, application_id, values, empty)
    assert await store.keys("evidence") == []
    assert await AntisocialCheck.count() == 0

    # A real PNG named .pdf is stored as the PNG it is, under a generated key.
    good = service.EvidenceUpload("C:\\照会\\回答書.pdf", io.BytesIO(PNG))
    check = await service.record_antisocial_check(
        settings, store, staff, application_id, values | {"notes": "回答書を添付"}, good
    )
    assert check.evidence_name == "回答書.pdf"
    assert check.evidence_type == "image/png"
    assert check.result_label == "該当なし"
    found = await service.evidence_file(application_id)
    assert found.key.startswith(f"evidence/applications/{application_id}/")
    assert "回答書" not in found.key and found.key.endswith(".png")
    assert await store.read_all(found.key) == PNG
    with pytest.raises(NotFound):
        await service.evidence_file(application_id + 1)
    entry = await AuditEntry.select().where(AuditEntry.action == "application.antisocial_check")
    assert json.loads(entry[0]["after"])["result"] == "clear"


async def test_check_fields_are_required(settings: Settings, db: None) -> None:
    staff, _ = await staff_pair(settings)
    application_id = (await submit(settings, 1)).application_id
    with pytest.raises(ValidationFailed) as caught:
        await service.record_antisocial_check(
            settings, open_store("", settings.data_dir), staff, application_id,
            {"method": "telepathy", "source": "", "result": "maybe"},
        )  # fmt: skip
    assert set(caught.value.errors) == {"method", "source", "result"}


# --- decisions ------------------------------------------------------------------------------------


async def test_approval_creates_the_member_and_invites_the_applicant(
    settings: Settings, db: None
) -> None:
    checker, approver = await staff_pair(settings)
    application_id = await screened(settings, checker)
    view = await service.approve(settings, approver, application_id)
    assert view.status == "approved" and view.organisation_id is not None
    organisation = await Organisation.select().where(Organisation.id == view.organisation_id)
    assert organisation[0]["status"] == "active"
    assert organisation[0]["name"] == "株式会社テスト1"
    assert organisation[0]["joined_on"] is not None
    assert organisation[0]["applied_on"] == organisation[0]["joined_on"]
    contacts = await OrganisationContact.select().where(
        OrganisationContact.organisation == view.organisation_id
    )
    assert [c["email"] for c in contacts] == ["contact1@example.jp"]
    account = await Account.select().where(Account.email == "contact1@example.jp")
    assert account[0]["organisation"] == view.organisation_id
    assert account[0]["password_hash"] is None  # invited: sets the password from the mail
    roles = await AccountRole.select(AccountRole.role).where(
        AccountRole.account == account[0]["id"]
    )
    assert [r["role"] for r in roles] == [Role.MEMBER_ADMIN.value]
    assert await OneTimeToken.count().where(OneTimeToken.account == account[0]["id"]) == 1
    subjects = [m["subject"] for m in await OutboxMail.select(OutboxMail.subject)]
    assert any("招待" in s for s in subjects) and any("承認" in s for s in subjects)
    actions = {e["action"] for e in await AuditEntry.select(AuditEntry.action)}
    assert {
        "application.submit", "application.checklist", "application.antisocial_check",
        "application.approve", "organisation.create", "account.invite",
    } <= actions  # fmt: skip


async def test_two_concurrent_approvals_make_one_member(settings: Settings, db: None) -> None:
    checker, first = await staff_pair(settings)
    second = principal(await make_account(settings, "admin@example.jp", {Role.ADMIN}))
    application_id = await screened(settings, checker)
    results = await asyncio.gather(
        service.approve(settings, first, application_id),
        service.approve(settings, second, application_id),
        return_exceptions=True,
    )
    approved = [r for r in results if isinstance(r, service.ApplicationView)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert isinstance(refused[0], Conflict | ValidationFailed)
    assert await Organisation.count().where(Organisation.name == "株式会社テスト1") == 1
    assert await Account.count().where(Account.email == "contact1@example.jp") == 1
    assert await AuditEntry.count().where(AuditEntry.action == "application.approve") == 1


async def test_rejecting_after_approval_is_refused(settings: Settings, db: None) -> None:
    checker, approver = await staff_pair(settings)
    application_id = await screened(settings, checker)
    await service.approve(settings, approver, application_id)
    with pytest.raises(Conflict) as caught:
        await service.reject(settings, approver, application_id, "やはり却下")
    assert "承認済み" in caught.value.message
    with pytest.raises(Conflict):
        await service.approve(settings, approver, application_id)
    with pytest.raises(Conflict):
        await service.request_info(settings, approver, application_id, "追加で")
    assert (await service.get_application(application_id)).status == "approved"
    assert await Organisation.count() == 1


async def test_the_checker_cannot_approve_when_four_eyes_are_required(
    settings: Settings, db: None
) -> None:
    checker, other = await staff_pair(settings)
    application_id = await screened(settings, checker)
    with pytest.raises(ValidationFailed) as caught:
        await service.approve(settings, checker, application_id)
    assert "記録した本人は承認できません" in caught.value.errors["decision"]
    assert await Organisation.count() == 0
    # Without the rule, the same person may approve.
    relaxed = replace(settings, screening_separate_approver=False)
    assert (await service.approve(relaxed, checker, application_id)).status == "approved"
    assert other.account_id != checker.account_id


async def test_approval_needs_a_complete_checklist_and_a_clear_check(
    settings: Settings, db: None
) -> None:
    checker, approver = await staff_pair(settings)
    store = open_store("", settings.data_dir)
    application_id = (await submit(settings, 1)).application_id
    with pytest.raises(ValidationFailed) as caught:
        await service.approve(settings, approver, application_id)
    message = caught.value.errors["decision"]
    assert "チェックリストが記入されていません" in message
    assert "反社会的勢力の確認が記録されていません" in message

    checklist = await service.current_checklist()
    answers = {item.key: {"answer": "ok"} for item in checklist.items}
    answers[checklist.items[0].key] = {"answer": "ng", "note": "県外のみ"}
    await service.record_checklist(checker, application_id, checklist.version, answers)
    await service.record_antisocial_check(
        settings, store, checker, application_id,
        {"method": "media", "source": "新聞記事データベース", "result": "review"},
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        await service.approve(settings, approver, application_id)
    message = caught.value.errors["decision"]
    assert "NG" in message and checklist.items[0].label in message
    assert "要確認" in message
    assert await Organisation.count() == 0
    assert (await service.get_application(application_id)).status == "submitted"


async def test_approval_is_refused_before_writing_when_the_email_has_an_account(
    settings: Settings, db: None
) -> None:
    checker, approver = await staff_pair(settings)
    application_id = await screened(settings, checker)
    await make_account(settings, "contact1@example.jp", set())
    mails, accounts_before = await OutboxMail.count(), await Account.count()
    with pytest.raises(ValidationFailed) as caught:
        await service.approve(settings, approver, application_id)
    assert "すでにアカウントとして登録" in caught.value.errors["decision"]
    assert await Organisation.count() == 0
    assert await Account.count() == accounts_before
    assert await OutboxMail.count() == mails
    assert (await service.get_application(application_id)).status == "submitted"


async def test_rejection_mails_the_reason(settings: Settings, db: None) -> None:
    staff, _ = await staff_pair(settings)
    application_id = (await submit(settings, 1)).application_id
    with pytest.raises(ValidationFailed) as caught:
        await service.reject(settings, staff, application_id, "  ")
    assert "理由" in caught.value.errors["reason"]
    await service.reject(settings, staff, application_id, "県内に事業所が確認できませんでした。")
    mail = (await OutboxMail.select().order_by(OutboxMail.id, ascending=False).limit(1))[0]
    assert mail["to_address"] == "contact1@example.jp"
    assert "県内に事業所が確認できませんでした。" in mail["body"]
    view = await service.get_application(application_id)
    assert view.status == "rejected" and view.decided_by.startswith("テスト 利用者")
    with pytest.raises(ValidationFailed):
        await service.decide(settings, staff, application_id, "maybe")


async def test_info_request_and_resubmission(settings: Settings, db: None) -> None:
    staff, _ = await staff_pair(settings)
    application_id = (await submit(settings, 1)).application_id
    view, token = await service.request_info(
        settings, staff, application_id, "所在地の建物名を追記してください。"
    )
    assert view.status == "info_requested"
    mail = (await OutboxMail.select().order_by(OutboxMail.id, ascending=False).limit(1))[0]
    assert f"/join/respond/{token}" in mail["body"]
    assert "建物名を追記" in mail["body"]
    # While the information is requested, the application still holds its name.
    with pytest.raises(ValidationFailed):
        await submit(settings, 1)

    shown = await service.application_for_token(token)
    assert shown.id == application_id
    values = shown.as_input().as_form() | {"address_line": "中央区千葉城町1-1 くまもとビル3階"}
    # The application's own name and number are not a duplicate of itself.
    resubmitted = await service.resubmit(token, values)
    assert resubmitted.status == "submitted"
    assert resubmitted.organisation.address_line == "中央区千葉城町1-1 くまもとビル3階"
    assert resubmitted.reference == view.reference
    with pytest.raises(NotFound):  # the link worked once
        await service.application_for_token(token)
    with pytest.raises(NotFound):
        await service.resubmit(token, values)
    assert await AuditEntry.count().where(AuditEntry.action == "application.resubmit") == 1
    assert await AuditEntry.count().where(AuditEntry.action == "application.request_info") == 1


async def test_info_links_expire_and_unknown_links_are_refused(
    settings: Settings, db: None
) -> None:
    staff, _ = await staff_pair(settings)
    application_id = (await submit(settings, 1)).application_id
    _, token = await service.request_info(settings, staff, application_id, "確認事項があります")
    for bad in ("", "x" * 300, "no-such-token"):
        with pytest.raises(NotFound):
            await service.application_for_token(bad)
    await Application.update(
        {Application.info_requested_at: clock.now() - timedelta(days=service.INFO_LINK_DAYS + 1)}
    ).where(Application.id == application_id)
    with pytest.raises(NotFound):
        await service.application_for_token(token)


async def test_finished_applications_cannot_be_screened_further(
    settings: Settings, db: None
) -> None:
    staff, _ = await staff_pair(settings)
    application_id = (await submit(settings, 1)).application_id
    await service.reject(settings, staff, application_id, "対象外")
    checklist = await service.current_checklist()
    with pytest.raises(Conflict):
        await service.record_checklist(staff, application_id, checklist.version, {})
    with pytest.raises(Conflict):
        await service.record_antisocial_check(
            settings, open_store("", settings.data_dir), staff, application_id,
            {"method": "police", "source": "x", "result": "clear"},
        )  # fmt: skip
    with pytest.raises(NotFound):
        await service.get_application(10**12)


def test_declaration_and_seed_texts_are_japanese() -> None:
    assert "反社会的勢力" in service.DECLARATION_TEXT
    assert len(service.DEFAULT_CHECKLIST) >= 5
