"""The membership application in the browser: the three steps (and the error state) and the
screening pages with axe-core and the Nu Html Checker, and the application with the keyboard alone.

Each test makes its own applicant (a fresh corporate number, name and e-mail address), so the
tests share the one demo server without tripping the duplicate checks.
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

from tests.browser.conftest import ADMIN, STAFF, PageAudit, login
from tests.browser.test_keyboard import focused, focused_id, tab_to, wait_for_focus
from tests.browser.test_pages import submit, submit_and_check
from tests.factories import corporate_number

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def applicant() -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    return {
        "name": f"株式会社ブラウザ試験{tag}",
        "name_kana": "ブラウザシケン",
        "corporate_number": corporate_number(random.randint(10**9, 10**11)),
        "postal_code": "860-8570",
        "municipality": "熊本市",
        "address_line": "中央区水前寺6-18-1",
        "representative_name": "試験 太郎",
        "applicant_name": "申込 花子",
        "applicant_email": f"applicant-{tag}@example.jp",
        "applicant_phone": "096-333-2111",
        "declaration_name": "試験 太郎",
    }


def fill_application(page: Any, data: dict[str, str]) -> None:
    for name, value in data.items():
        page.locator(f"#field-{name}").fill(value)
    page.locator("#field-kind").select_option("company")
    page.locator("#field-industry").select_option("G")
    page.locator("#field-size_band").select_option("6-20")
    page.locator("#field-agree_terms").check()
    page.locator("#field-declaration").check()


def apply(page: Any, data: dict[str, str]) -> str:
    """Apply through the form (mouse and fill); returns the reference number."""
    page.goto("/join")
    fill_application(page, data)
    submit(page, "確認画面へ進む", 200)
    submit(page, "申し込む", 200)
    return page.locator(".reference").inner_text()


def test_the_three_steps_including_the_error_state(page: Any, audit: PageAudit) -> None:
    audit.visit(page, "/membership-terms")
    audit.visit(page, "/join", label="/join (入力)")
    assert "入力" in page.locator("[aria-current=step]").inner_text()

    submit_and_check(audit, page, "確認画面へ進む", 422, "/join (error: empty form)")
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("link", name=re.compile("団体名")).first.is_visible()
    assert page.locator("#field-declaration_name").get_attribute("aria-invalid") == "true"

    data = applicant()
    fill_application(page, data)
    submit_and_check(audit, page, "確認画面へ進む", 200, "/join/confirm (確認)")
    assert data["name"] in page.locator("main").inner_text()
    submit_and_check(audit, page, "修正する", 200, "/join/edit (修正)")
    assert page.locator("#field-name").input_value() == data["name"]
    assert page.locator("#field-agree_terms").is_checked()
    submit(page, "確認画面へ進む", 200)
    submit_and_check(audit, page, "申し込む", 200, "/join/complete (完了)")
    assert re.search(r"/join/complete\?ref=R\d+-\d+$", page.url), page.url
    assert page.locator(".reference").inner_text() in page.url

    # The same organisation again: caught, with the message next to the field.
    page.goto("/join")
    fill_application(page, data)
    submit_and_check(audit, page, "確認画面へ進む", 422, "/join (error: duplicate)")
    assert "審査中" in page.locator("#error-corporate_number").inner_text()
    audit.finish()


def test_the_application_with_the_keyboard_alone(page: Any) -> None:
    """Tab, Space and Enter move and choose; letters are typed; selects take arrow keys, which is
    how a keyboard chooses an option in a closed select."""
    data = applicant()
    page.goto("/join")
    tab_to(page, "#field-name")
    page.keyboard.press("Enter")  # an empty form: the error summary takes focus
    page.wait_for_load_state("load")
    wait_for_focus(page, ".error-summary")
    page.keyboard.press("Tab")
    assert focused(page, "el.getAttribute('href')") == "#field-name"
    page.keyboard.press("Enter")
    wait_for_focus(page, "#field-name")

    def type_into(field: str) -> None:
        assert focused_id(page) == f"field-{field}", focused_id(page)
        page.keyboard.type(data[field])
        page.keyboard.press("Tab")

    def choose(field: str, steps: int) -> None:
        assert focused_id(page) == f"field-{field}", focused_id(page)
        for _ in range(steps):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")

    type_into("name")
    type_into("name_kana")
    choose("kind", 1)  # 企業（法人）
    type_into("corporate_number")
    choose("industry", 7)  # G 情報通信業
    choose("size_band", 2)  # 6〜20人
    type_into("postal_code")
    assert focused_id(page) == "field-prefecture"  # 熊本県 is already chosen
    page.keyboard.press("Tab")
    type_into("municipality")
    type_into("address_line")
    page.keyboard.press("Tab")  # website (optional)
    type_into("representative_name")
    page.keyboard.press("Tab")  # representative title (optional)
    type_into("applicant_name")
    page.keyboard.press("Tab")  # department (optional)
    type_into("applicant_email")
    type_into("applicant_phone")
    tab_to(page, "#field-agree_terms")  # past the link to the terms
    page.keyboard.press("Space")
    tab_to(page, "#field-declaration")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused_id(page) == "field-declaration_name"
    page.keyboard.type(data["declaration_name"])
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.status == 200, page.locator("main").inner_text()[:500]
    assert "まだ送信していません" in page.locator(".notice").inner_text()

    tab_to(page, "button.button:not(.secondary)")
    assert focused(page, "el.textContent.trim()") == "申し込む"
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.status == 200
    assert "/join/complete?ref=" in page.url
    wait_for_focus(page, ".notice")
    assert "お申し込みを受け付けました" in focused(page, "el.textContent")


def test_screening_pages(new_context: Any, audit: PageAudit) -> None:
    anonymous = new_context().new_page()
    data = applicant()
    reference = apply(anonymous, data)

    staff = new_context().new_page()
    login(staff, *STAFF)
    audit.visit(staff, "/console/applications", label="/console/applications")
    staff.get_by_role("link", name=reference).click()
    staff.wait_for_load_state("load")
    path = staff.url.removeprefix(staff.url.split("/console")[0])
    audit.check(staff, "/console/applications/<id>")
    assert data["applicant_email"] in staff.locator("main").inner_text()

    # Error states: an incomplete checklist and a check without its fields.
    submit_and_check(
        audit,
        staff,
        "チェックリストを保存する",
        422,
        "/console/applications/<id> (checklist error)",
    )
    staff.set_input_files(
        "#field-evidence",
        files=[{"name": "照会回答.txt", "mimeType": "text/plain", "buffer": b"not an image"}],
    )
    submit_and_check(
        audit, staff, "確認を記録する", 422, "/console/applications/<id> (check error)"
    )
    assert "PDF・PNG・JPEG" in staff.locator("#error-evidence").inner_text()

    for radio in staff.locator("input[type=radio][value=ok]").all():
        radio.check()
    submit(staff, "チェックリストを保存する", 200)
    staff.locator("#field-method").select_option("police")
    staff.locator("#field-source").fill("熊本県警察本部")
    staff.get_by_role("radio", name="該当なし").check()
    staff.set_input_files(
        "#field-evidence",
        files=[{"name": "照会回答.png", "mimeType": "image/png", "buffer": PNG}],
    )
    submit_and_check(audit, staff, "確認を記録する", 200, "/console/applications/<id> (recorded)")
    assert staff.get_by_role("link", name="照会回答.png").is_visible()
    # The person who recorded the check may not approve it.
    submit_and_check(
        audit, staff, "承認して会員団体を登録する", 422, "/console/applications/<id> (four eyes)"
    )

    admin = new_context().new_page()
    login(admin, *ADMIN)
    audit.visit(admin, path.split("?")[0], label="/console/applications/<id> (admin)")
    submit_and_check(
        audit, admin, "承認して会員団体を登録する", 200, "/console/applications/<id> (approved)"
    )
    assert "承認済み" in admin.locator("main").inner_text()
    audit.visit(admin, "/console/applications?status=approved", label="queue (approved)")
    audit.visit(admin, "/console/screening-checklist")
    admin.locator("#field-items").fill("")
    submit_and_check(
        audit, admin, "新しい版として保存する", 422, "/console/screening-checklist (error)"
    )
    audit.finish()
