"""Export (CSV/XLSX) and import of the member list: encodings, columns, dry run, all-or-nothing."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from api.audit.tables import AuditEntry
from api.members import service, transfer
from api.members.reference import MembershipStatus
from api.members.tables import Organisation, OrganisationContact
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from tests.conftest import make_account
from tests.factories import corporate_number, make_organisation

ALL = service.OrganisationFilter()


@pytest.fixture
async def staff(settings: Settings, db: None) -> Principal:
    view = await make_account(settings, "staff@example.jp", {Role.STAFF})
    return Principal(view.id, view.email, view.display_name, view.roles)


async def csv_bytes(filters: service.OrganisationFilter = ALL, contacts: bool = False) -> bytes:
    return b"".join([chunk async for chunk in transfer.export_csv(filters, contacts)])


def parse_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


HEADER = [
    "団体名", "団体名フリガナ", "法人番号", "種別", "業種コード", "従業員規模", "郵便番号",
    "都道府県", "市区町村", "町名・番地・建物名", "代表者氏名", "会員状態", "入会日",
    "担当者1 氏名", "担当者1 部署", "担当者1 メールアドレス", "担当者1 電話番号",
]  # fmt: skip


def row(index: int, **changes: str) -> list[str]:
    values = {
        "団体名": f"株式会社取込{index}", "団体名フリガナ": f"とりこみ{index}",
        "法人番号": corporate_number(5500000000 + index), "種別": "企業（法人）",
        "業種コード": "G", "従業員規模": "6〜20人", "郵便番号": "8600001",
        "都道府県": "熊本県", "市区町村": "熊本市", "町名・番地・建物名": f"中央区{index}-1",
        "代表者氏名": "代表 太郎", "会員状態": "", "入会日": "2024-04-01",
        "担当者1 氏名": f"担当 {index}", "担当者1 部署": "", "担当者1 メールアドレス": f"c{index}@example.jp",
        "担当者1 電話番号": "096-111-2222",
    }  # fmt: skip
    values.update(changes)
    return [values[header] for header in HEADER]


def make_csv(
    rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8-sig"
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode(encoding)


def make_xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- export ------------------------------------------------------------------------------------


async def test_csv_export_is_excel_friendly_with_labels_and_codes(db: None) -> None:
    await make_organisation(1, industry="E", size_band="21-50", joined_on=date(2024, 5, 1))
    await make_organisation(2, name="=HYPERLINK(\"http://evil\")", name_kana="アクイ",
                            address_line="+1-2", representative_title="@役職", website="")  # fmt: skip
    content = await csv_bytes()
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    assert b"\r\n" in content and content.count(b"\n") == content.count(b"\r\n")
    rows = parse_csv(content)
    assert rows[0][:6] == ["団体名", "団体名フリガナ", "法人番号", "種別", "業種コード", "業種"]
    assert not any("担当者" in header for header in rows[0])  # no personal data
    by_name = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    first = by_name["株式会社テスト1"]
    assert first["種別"] == "企業（法人）" and first["業種コード"] == "E"
    assert first["業種"] == "製造業" and first["従業員規模"] == "21〜50人"
    assert first["会員状態"] == "有効" and first["入会日"] == "2024-05-01"
    assert first["入会年度"] == "2024年度（令和6年度）"
    assert first["会員名簿への掲載"] == "掲載する"
    # Cells a spreadsheet would run as formulas start with a quote.
    evil = by_name['\'=HYPERLINK("http://evil")']
    assert evil["町名・番地・建物名"] == "'+1-2" and evil["代表者役職"] == "'@役職"
    assert [r[1] for r in rows[1:]] == ["アクイ", "テスト1"]  # sorted by reading


async def test_export_follows_the_filter_and_contacts_only_in_the_contact_variant(
    db: None, staff: Principal
) -> None:
    await make_organisation(1)
    await make_organisation(2, industry="E")
    filters = service.OrganisationFilter.of(industry="G")
    rows = parse_csv(await csv_bytes(filters, contacts=True))
    assert len(rows) == 2 and rows[1][0] == "株式会社テスト1"
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["担当者1 メールアドレス"] == "contact1@example.jp"
    assert record["担当者2 氏名"] == ""
    assert await transfer.record_export(staff, filters, True, "csv") == 1
    entry = await AuditEntry.select().where(AuditEntry.action == "members.export_contacts").first()
    assert entry is not None and entry["actor_label"] == "staff@example.jp"
    after = json.loads(entry["after"])
    assert after == {"filter": {"industry": "G"}, "rows": 1, "format": "csv"}
    # Exports without contacts are not audited.
    await transfer.record_export(staff, filters, False, "csv")
    assert await AuditEntry.count().where(AuditEntry.action.like("members.export%")) == 1


async def test_export_reads_all_pages_in_chunks(db: None, monkeypatch) -> None:
    for index in range(1, 12):
        await make_organisation(index)
    original = service.iter_organisations

    def small_chunks(filters, *, with_contacts=False, chunk_size=0):
        return original(filters, with_contacts=with_contacts, chunk_size=4)

    monkeypatch.setattr(service, "iter_organisations", small_chunks)
    chunks = [chunk async for chunk in transfer.export_csv(ALL, True)]
    assert len(chunks) == 1 + 3  # header, then 4 + 4 + 3 rows
    assert len(parse_csv(b"".join(chunks))) == 12


async def test_xlsx_export_keeps_text_as_text(db: None) -> None:
    await make_organisation(1, name="=1+1", name_kana="アイ", joined_on=date(2024, 4, 1))
    workbook = load_workbook(io.BytesIO(await transfer.export_xlsx(ALL, True)))
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[0] == "団体名" and "担当者1 メールアドレス" in header
    cell = sheet.cell(row=2, column=1)
    assert cell.value == "'=1+1" and cell.data_type == "s"
    assert sheet.cell(row=2, column=3).value == corporate_number(3300001001)  # text, all digits
    joined = sheet.cell(row=2, column=header.index("入会日") + 1).value
    assert joined.date() == date(2024, 4, 1)


# --- import: the dry run -----------------------------------------------------------------------


async def test_dry_run_reports_each_row_and_writes_nothing(db: None) -> None:
    existing = await make_organisation(1, corporate_number=corporate_number(5500000001),
                                       name="株式会社取込1", name_kana="トリコミ1",
                                       address_line="中央区1-1", postal_code="860-0001")  # fmt: skip
    content = make_csv(
        [
            row(1, **{"町名・番地・建物名": "中央区9-9"}),  # matches by number: update
            row(2),  # new: create
            row(3, 業種コード="Z", 郵便番号="12", **{"担当者1 メールアドレス": "bad"}),
            row(4, 種別="宇宙人"),
        ]
    )
    before = await Organisation.count()
    report = await transfer.plan_import(content)
    assert await Organisation.count() == before
    assert not report.file_errors
    actions = [(r.number, r.action) for r in report.rows]
    assert actions == [(2, "update"), (3, "create"), (4, "error"), (5, "error")]
    assert report.rows[0].organisation_id == existing
    # The changed columns (the factory's organisation joined today and has another contact).
    assert report.rows[0].changes == ["町名・番地・建物名", "入会日", "担当者"]
    bad = report.rows[2].errors
    assert set(bad) == {"業種コード", "郵便番号", "担当者1 メールアドレス"}
    assert bad["業種コード"] == "業種コード「Z」は一覧にありません。"
    assert report.rows[3].errors == {"種別": "種別「宇宙人」は一覧にありません。"}
    assert not report.is_valid
    assert report.counts == {"create": 1, "update": 1, "unchanged": 0, "error": 2}


async def test_one_bad_row_means_nothing_is_written(db: None, staff: Principal) -> None:
    content = make_csv([row(1), row(2), row(3, 郵便番号="")])
    with pytest.raises(transfer.ImportInvalid) as caught:
        await transfer.apply_import(staff, content, "会員.csv")
    assert caught.value.errors == {"4行目 郵便番号": "郵便番号を入力してください。"}
    assert await Organisation.count() == 0 and await OrganisationContact.count() == 0
    assert await AuditEntry.count().where(AuditEntry.target_type == "organisation") == 0


async def test_import_creates_then_reimporting_the_same_file_changes_nothing(
    db: None, staff: Principal
) -> None:
    content = make_csv([row(1), row(2, 会員状態="休止中", **{"入会日": "2023-04-01"}), row(3)])
    # A suspended member needs its suspension date.
    with pytest.raises(transfer.ImportInvalid) as caught:
        await transfer.apply_import(staff, content)
    assert caught.value.errors == {
        "3行目 休止日": "会員状態が「休止中」の団体は休止日を入力してください。"
    }
    header = [*HEADER, "休止日"]
    rows = [[*row(1), ""], [*row(2, 会員状態="休止中", 入会日="2023-04-01"), "2024-01-10"], [*row(3, 入会日=""), ""]]  # fmt: skip
    content = make_csv(rows, header)
    report = await transfer.apply_import(staff, content, "会員名簿.csv")
    assert report.applied and report.counts["create"] == 3
    created = {r["name"]: r for r in await Organisation.select()}
    second = created["株式会社取込2"]
    assert second["status"] == "suspended" and second["suspended_on"] == date(2024, 1, 10)
    assert second["joined_fiscal_year"] == 2023 and second["name_kana"] == "トリコミ2"
    third = created["株式会社取込3"]
    assert third["joined_on"] == service.today()  # no joined date: the import day
    assert third["status"] == "active"
    summary = await AuditEntry.select().where(AuditEntry.action == "members.import").first()
    assert summary is not None and summary["target_label"] == "会員名簿.csv"
    assert json.loads(summary["after"])["created"] == 3

    audit_rows = await AuditEntry.count()
    again = await transfer.apply_import(staff, content, "会員名簿.csv")
    assert again.counts == {"create": 0, "update": 0, "unchanged": 3, "error": 0}
    assert await Organisation.count() == 3 and await AuditEntry.count() == audit_rows


async def test_an_export_imports_back_unchanged(db: None, staff: Principal) -> None:
    await make_organisation(
        1, profile_text="一行目\n二行目", name="=危険な名前", name_kana="キケン"
    )
    suspended = await make_organisation(2, joined_on=date(2023, 4, 1))
    await service.suspend(staff, suspended, date(2024, 2, 1), "休止の理由")
    withdrawn = await make_organisation(3, joined_on=date(2022, 4, 1))
    await service.record_withdrawal(staff, withdrawn, date(2023, 3, 31), "退会")
    exported = await csv_bytes(contacts=True)
    report = await transfer.plan_import(exported)
    assert [r.action for r in report.rows] == ["unchanged"] * 3, [
        r.errors or r.changes for r in report.rows
    ]
    xlsx = await transfer.export_xlsx(ALL, False)
    report = await transfer.plan_import(xlsx)
    assert [r.action for r in report.rows] == ["unchanged"] * 3, [
        r.errors or r.changes for r in report.rows
    ]


async def test_rows_match_on_corporate_number_else_on_the_normalised_name(
    db: None, staff: Principal
) -> None:
    by_number = await make_organisation(1, corporate_number=corporate_number(5500000001))
    by_name = await make_organisation(
        2, name="有限会社 名前だけ", name_kana="ナマエダケ", kind="association", corporate_number=""
    )
    content = make_csv(
        [
            # Another name, same number: the same organisation, renamed.
            row(1, 団体名="株式会社取込1（新社名）"),
            # No number; the name matches without legal form and in full-width.
            row(2, 団体名="名前だけ", 法人番号="", 種別="団体・組合"),
        ]
    )
    report = await transfer.apply_import(staff, content)
    assert [(r.action, r.organisation_id) for r in report.rows] == [
        ("update", by_number), ("update", by_name),
    ]  # fmt: skip
    assert (await service.get_organisation(by_number)).name == "株式会社取込1(新社名)"
    assert await Organisation.count() == 2
    # Contacts given in the file replace the organisation's.
    contacts = (await service.get_organisation(by_name, with_contacts=True)).contacts
    assert [c.email for c in contacts] == ["c2@example.jp"]


async def test_import_refuses_duplicates_in_the_file_and_against_members(db: None) -> None:
    await make_organisation(7, name="既存の会員", name_kana="キゾン")
    content = make_csv(
        [
            row(1),
            row(2, 法人番号=corporate_number(5500000001)),  # the number of row 2
            row(3, 団体名="株式会社取込1"),  # the name of row 2 (another number)
            row(4, 団体名="既存の会員"),  # a member's name with another number
        ]
    )
    report = await transfer.plan_import(content)
    errors = [r.errors for r in report.rows]
    assert errors == [
        {},
        {"法人番号": "2行目と同じ法人番号です。"},
        {"団体名": "2行目と同じ名称です。"},
        {
            "法人番号": f"同じ名称の団体が別の法人番号（{corporate_number(3300001007)}）で登録されています。"
        },
    ]


async def test_status_changes_by_import_follow_the_rules(db: None, staff: Principal) -> None:
    withdrawn = await make_organisation(1, corporate_number=corporate_number(5500000001), joined_on=date(2022, 4, 1))  # fmt: skip
    await service.record_withdrawal(staff, withdrawn, date(2023, 1, 1))
    header = [*HEADER, "退会日"]
    content = make_csv(
        [
            [*row(1, 会員状態="有効", 入会日="2022-04-01"), ""],
            [*row(2, 会員状態="退会"), ""],
            [*row(3, 会員状態="退会", 入会日="2024-04-01"), "2024-03-01"],
            [*row(4, 会員状態="申請中"), ""],
        ],
        header,
    )
    report = await transfer.plan_import(content)
    errors = [r.errors for r in report.rows]
    assert "退会した団体" in errors[0]["会員状態"]
    assert errors[1] == {"退会日": "会員状態が「退会」の団体は退会日を入力してください。"}
    assert errors[2] == {"退会日": "退会日は入会日より前にできません。"}
    assert errors[3] == {"会員状態": "会員状態「申請中」は一覧にありません。"}


# --- import: files -----------------------------------------------------------------------------


async def test_shift_jis_utf8_without_bom_and_xlsx_files_are_read(
    db: None, staff: Principal
) -> None:
    for encoding in ("cp932", "utf-8"):
        report = await transfer.plan_import(
            make_csv([row(1, 団体名="株式会社髙橋①")], encoding=encoding)
        )
        assert report.is_valid, (encoding, report.file_errors, [r.errors for r in report.rows])
        assert report.rows[0].name == "株式会社髙橋①"
    # XLSX: numbers, dates and booleans as Excel stores them.
    xlsx = make_xlsx([[*row(1)[:2], int(corporate_number(5500000001)), *row(1)[3:12], date(2024, 4, 1), *row(1)[13:]]])  # fmt: skip
    report = await transfer.apply_import(staff, xlsx, "名簿.xlsx")
    assert report.counts["create"] == 1, [r.errors for r in report.rows]
    created = await Organisation.select().first()
    assert created is not None and created["corporate_number"] == corporate_number(5500000001)
    assert created["joined_on"] == date(2024, 4, 1) and created["postal_code"] == "860-0001"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "ファイルが空です。"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "古いExcel形式"),
        (b"PK\x03\x04not really a zip", "Excel（.xlsx）のファイルとして読み取れませんでした"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "CSVまたはExcel"),
        ("団体名,種別\r\n".encode("euc_jp") + b"\xff\xfe\xfd", "文字コードを判別できませんでした"),
        ("団体名,種別\r\nテスト,企業\r\n".encode(), "必須の列がありません: 団体名フリガナ"),
        (b"\r\n\r\n", "見出しの行がありません"),
        (make_csv([]), "取り込む行がありません"),
        ((",".join(HEADER) + ",団体名\r\n").encode(), "列「団体名」が2つあります"),
    ],
)
async def test_unreadable_files_get_one_clear_message(
    db: None, content: bytes, message: str
) -> None:
    report = await transfer.plan_import(content)
    assert not report.is_valid and report.rows == []
    assert any(message in problem for problem in report.file_errors), report.file_errors


async def test_headers_match_in_any_width_and_unknown_columns_are_ignored(db: None) -> None:
    header = [h.replace("1", "１").replace(" ", "　") for h in HEADER] + ["備考"]
    report = await transfer.plan_import(make_csv([[*row(1), "メモ"]], header))
    assert report.is_valid, report.file_errors
    assert report.ignored_headers == ["備考"]


async def test_big_files_are_refused(db: None) -> None:
    too_big = b"a" * (transfer.MAX_IMPORT_BYTES + 1)
    report = await transfer.plan_import(too_big)
    assert report.file_errors == ["ファイルが大きすぎます（上限 5MB）。"]
    assert MembershipStatus.ACTIVE == "active"
