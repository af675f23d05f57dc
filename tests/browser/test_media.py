"""The media library in the browser: the library page, an upload through the form (and a refused
one with its error next to the field), and the edit page, each checked with axe-core and vnu.
"""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import PageAudit, login
from tests.service.test_media import EXECUTABLE, jpeg_with_gps

EDITOR = ("editor@example.jp", "demo-editor-2026")  # api/demo.py DEMO_ACCOUNTS


def submit(page: Any, button: str, expected_status: int) -> Any:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=button).click()
    response = navigation.value
    assert response is not None and response.status == expected_status, page.url
    return response


def test_library_upload_and_edit_pages(page: Any, audit: PageAudit) -> None:
    login(page, *EDITOR)
    audit.visit(page, "/console/media")

    # A renamed executable: refused, the message is next to the field and in the summary.
    page.get_by_label("ファイル", exact=False).first.set_input_files(
        {"name": "会員規約.pdf", "mimeType": "application/pdf", "buffer": EXECUTABLE}
    )
    response = submit(page, "アップロードする", 422)
    audit.validator.add("/console/media (error: executable)", response.text())
    audit.check(page, "/console/media (error: executable)")
    assert "実行ファイルはアップロードできません" in page.locator("#error-file").inner_text()

    page.locator("#field-file").set_input_files(
        {"name": "熊本城の石垣.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    )
    page.get_by_label("タイトル").fill("熊本城の石垣")
    page.get_by_label("代替テキスト").fill("熊本城の武者返しの石垣")
    response = submit(page, "アップロードする", 200)  # the redirect lands on the edit page
    assert re.search(r"/console/media/\d+\?done=uploaded$", page.url)
    audit.validator.add("/console/media/<id> (uploaded)", response.text())
    audit.check(page, "/console/media/<id> (uploaded)")
    image = page.locator("figure img")
    assert image.get_attribute("alt") == "熊本城の武者返しの石垣"
    assert "320w" in (image.get_attribute("srcset") or "")
    page.wait_for_function("() => document.querySelector('figure img').naturalWidth > 0")

    response = submit(page, "削除する", 422)  # without the confirmation
    audit.validator.add("/console/media/<id> (error: delete)", response.text())
    audit.check(page, "/console/media/<id> (error: delete)")

    audit.visit(page, "/console/media?kind=image", label="/console/media?kind=image")
    assert page.get_by_role("link", name="熊本城の石垣").first.is_visible()
    page.get_by_role("link", name="熊本城の石垣").first.click()
    page.wait_for_url(re.compile(r"/console/media/\d+$"))
    page.get_by_label("このファイルと縮小版を削除します", exact=False).check()
    submit(page, "削除する", 200)
    assert page.url.endswith("/console/media?done=deleted")
    audit.check(page, "/console/media (deleted)")
    audit.finish()
