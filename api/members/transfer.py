"""Exporting the member list (CSV and XLSX) and importing the list the prefecture hands over.

One set of Japanese column headers serves both ways, so an exported file can be edited in Excel
and imported again. Exports carry labels (and the industry code); imports accept labels or codes.
An import is planned row by row first (the dry run); it is written only when every row is valid,
in one transaction, and a file that matches the database changes nothing.
"""

from __future__ import annotations

import asyncio
import csv
import io
import unicodedata
import zipfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from api import clock
from api.audit import service as audit
from api.dates import fiscal_year, format_fiscal_year
from api.db import transaction
from api.errors import ValidationFailed
from api.members import service
from api.members.reference import (
    INDUSTRY_LABELS,
    KIND_LABELS,
    SIZE_LABELS,
    STATUS_LABELS,
    MembershipStatus,
)
from api.members.service import OrganisationFilter, OrganisationView
from api.members.tables import Organisation
from api.members.validation import MAX_CONTACTS, OrganisationInput, validate_organisation
from api.principal import Principal
from api.spreadsheets import (
    UTF8_BOM,
    csv_lines,
    escape_cell,
    unescape_cell,
    xlsx_bytes,
)
from api.text import clean, text_problem

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 3000
LOOKUP_CHUNK = 500  # values per IN (...) list when an import looks organisations up
PROFILE_PUBLIC_YES = "掲載する"
PROFILE_PUBLIC_NO = "掲載しない"


# --- the columns -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # the form field name (contacts: contact_0_name ...)
    header: str
    description: str
    required: bool = False  # an import file must have this column
    imported: bool = True  # False: derived on import (read but ignored)
    contact: bool = False  # personal data: only in the export with contacts


ORGANISATION_COLUMNS: tuple[Column, ...] = (
    Column("name", "団体名", "団体の正式名称", required=True),
    Column("name_kana", "団体名フリガナ", "カタカナ（ひらがなも可）。一覧はこの読みの順", required=True),
    Column("corporate_number", "法人番号", "13桁。個人事業主・団体・その他は空欄可。照合に使います"),
    Column("kind", "種別", "、".join(KIND_LABELS.values()), required=True),
    Column("industry", "業種コード", "日本標準産業分類の大分類 A〜T", required=True),
    Column("industry_label", "業種", "業種コードの名称（取込では業種コードが空欄のときだけ使用）", imported=False),
    Column("size_band", "従業員規模", "、".join(SIZE_LABELS.values()), required=True),
    Column("postal_code", "郵便番号", "例: 860-8570", required=True),
    Column("prefecture", "都道府県", "空欄は熊本県"),
    Column("municipality", "市区町村", "熊本県内は45市町村のいずれか", required=True),
    Column("address_line", "町名・番地・建物名", "", required=True),
    Column("website", "ウェブサイト", "https:// から始まるURL"),
    Column("representative_name", "代表者氏名", "", required=True),
    Column("representative_title", "代表者役職", "例: 代表取締役"),
    Column("profile_public", "会員名簿への掲載", f"{PROFILE_PUBLIC_YES} または {PROFILE_PUBLIC_NO}（空欄は掲載しない）"),
    Column("profile_text", "紹介文", "4000文字以内"),
    Column("status", "会員状態", "有効、休止中、退会（空欄は新規なら有効、既存なら変更なし）"),
    Column("joined_on", "入会日", "例: 2024-04-01（空欄は新規なら取込日）"),
    Column("joined_fiscal_year", "入会年度", "入会日から自動で決まります（取込では使いません）", imported=False),
    Column("suspended_on", "休止日", "会員状態が休止中・退会の団体の休止日"),
    Column("withdrawn_on", "退会日", "会員状態が退会の団体は必須"),
    Column("status_note", "状態メモ", "休止・退会の理由など（1000文字以内）"),
)  # fmt: skip

_CONTACT_PARTS = (("name", "氏名"), ("department", "部署"), ("email", "メールアドレス"), ("phone", "電話番号"))  # fmt: skip
CONTACT_COLUMNS: tuple[Column, ...] = tuple(
    Column(f"contact_{index}_{part}", f"担当者{index + 1} {label}", "", contact=True)
    for index in range(MAX_CONTACTS)
    for part, label in _CONTACT_PARTS
)
ALL_COLUMNS = ORGANISATION_COLUMNS + CONTACT_COLUMNS
HEADER_OF: dict[str, str] = {column.key: column.header for column in ALL_COLUMNS}
_COLUMN_ORDER: dict[str, int] = {column.key: index for index, column in enumerate(ALL_COLUMNS)}


def export_columns(with_contacts: bool) -> tuple[Column, ...]:
    return ALL_COLUMNS if with_contacts else ORGANISATION_COLUMNS


def _header_key(text: str) -> str:
    """Headers match regardless of width and spacing (担当者１　氏名 = 担当者1 氏名)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


_COLUMN_BY_HEADER: dict[str, Column] = {_header_key(c.header): c for c in ALL_COLUMNS}


# --- export ------------------------------------------------------------------------------------


def export_values(view: OrganisationView, with_contacts: bool) -> list[str | date | None]:
    """One organisation as export cells: text escaped, dates as dates (XLSX) or ISO text."""
    values: dict[str, Any] = {
        "name": view.name,
        "name_kana": view.name_kana,
        "corporate_number": view.corporate_number,
        "kind": view.kind_label,
        "industry": view.industry,
        "industry_label": view.industry_label,
        "size_band": view.size_label,
        "postal_code": view.postal_code,
        "prefecture": view.prefecture,
        "municipality": view.municipality,
        "address_line": view.address_line,
        "website": view.website,
        "representative_name": view.representative_name,
        "representative_title": view.representative_title,
        "profile_public": PROFILE_PUBLIC_YES if view.profile_public else PROFILE_PUBLIC_NO,
        "profile_text": view.profile_text,
        "status": view.status_label,
        "joined_on": view.joined_on,
        "joined_fiscal_year": (
            f"{view.joined_fiscal_year}年度（{format_fiscal_year(view.joined_fiscal_year)}）"
            if view.joined_fiscal_year
            else ""
        ),
        "suspended_on": view.suspended_on,
        "withdrawn_on": view.withdrawn_on,
        "status_note": view.status_note,
    }
    if with_contacts:
        for position, contact in enumerate(view.contacts[:MAX_CONTACTS]):
            for part, _ in _CONTACT_PARTS:
                values[f"contact_{position}_{part}"] = getattr(contact, part)
    cells: list[str | date | None] = []
    for column in export_columns(with_contacts):
        value = values.get(column.key)
        if isinstance(value, date) or value is None:
            cells.append(value)
        else:
            cells.append(escape_cell(str(value)))
    return cells


def header_row(with_contacts: bool) -> list[str]:
    return [column.header for column in export_columns(with_contacts)]


async def export_csv(filters: OrganisationFilter, with_contacts: bool) -> AsyncIterator[bytes]:
    """The filtered list as CSV for Excel: UTF-8 with BOM, CRLF; read and sent in chunks."""
    yield UTF8_BOM + csv_lines([header_row(with_contacts)])
    async for chunk in service.iter_organisations(filters, with_contacts=with_contacts):
        yield csv_lines(export_values(view, with_contacts) for view in chunk)


async def export_xlsx(filters: OrganisationFilter, with_contacts: bool) -> bytes:
    """The filtered list as one XLSX sheet (openpyxl's write-only mode, built off the loop)."""
    rows: list[list[Any]] = [list(header_row(with_contacts))]
    async for chunk in service.iter_organisations(filters, with_contacts=with_contacts):
        rows.extend(export_values(view, with_contacts) for view in chunk)
    return await asyncio.to_thread(xlsx_bytes, "会員一覧", rows[0], rows[1:])


async def template_xlsx() -> bytes:
    return await asyncio.to_thread(xlsx_bytes, "会員一覧", header_row(True), [])


def template_csv() -> bytes:
    return UTF8_BOM + csv_lines([header_row(True)])


async def record_export(
    actor: Principal, filters: OrganisationFilter, with_contacts: bool, file_format: str
) -> int:
    """Count the rows of an export; an export of contacts' personal data is audited."""
    count = await service.count_organisations(filters)
    if with_contacts:
        async with transaction():
            await audit.record(
                actor, "members.export_contacts", "organisation", "",
                target_label=f"会員一覧（担当者を含む）{file_format.upper()}",
                after={
                    "filter": {k: v for k, v in filters.params().items() if v},
                    "rows": count, "format": file_format,
                },
            )  # fmt: skip
    return count


def export_filename(with_contacts: bool, extension: str) -> tuple[str, str]:
    """(ASCII file name, Japanese file name) for Content-Disposition."""
    day = service.today().strftime("%Y%m%d")
    suffix = "-contacts" if with_contacts else ""
    label = "会員一覧_担当者あり" if with_contacts else "会員一覧"
    return f"members{suffix}-{day}.{extension}", f"{label}_{day}.{extension}"


# --- reading an import file --------------------------------------------------------------------


class ImportFileProblem(ValueError):
    """The file as a whole cannot be read (encoding, format, size, headers)."""


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _decode_csv(content: bytes) -> str:
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFileProblem(
                "UTF-8として読み取れない文字が含まれています。ファイルの文字コードを確認してください。"
            ) from exc
    for encoding in ("utf-8", "cp932"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileProblem(
        "ファイルの文字コードを判別できませんでした。UTF-8（BOM付き可）またはShift_JISのCSVで保存してください。"
    )


def _read_csv(content: bytes) -> list[list[str]]:
    if b"\x00" in content[:4096]:
        raise ImportFileProblem(
            "CSVまたはExcel（.xlsx）のファイルとして読み取れませんでした。ファイルの形式を確認してください。"
        )
    text = _decode_csv(content)
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            rows.append(row)
            if len(rows) > MAX_IMPORT_ROWS + 1:
                break
    except csv.Error as exc:
        raise ImportFileProblem(
            "CSVの形式が正しくありません（引用符の対応などを確認してください）。"
        ) from exc
    return rows


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        if "xl/workbook.xml" not in zipfile.ZipFile(io.BytesIO(content)).namelist():
            raise ImportFileProblem("Excel（.xlsx）のファイルではありません。")
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except ImportFileProblem:
        raise
    except Exception as exc:  # any broken zip or workbook: the user gets one clear message
        raise ImportFileProblem(
            "Excel（.xlsx）のファイルとして読み取れませんでした。ファイルが壊れていないか確認してください。"
        ) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileProblem("Excelファイルにシートがありません。")
        rows: list[list[str]] = []
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append([_cell_text(value) for value in values])
            if len(rows) > MAX_IMPORT_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_table(content: bytes) -> list[list[str]]:
    """The rows of a CSV (UTF-8 with or without BOM, or Shift_JIS) or an XLSX file, told apart
    by content, not by file name."""
    if not content:
        raise ImportFileProblem("ファイルが空です。")
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportFileProblem(
            f"ファイルが大きすぎます（上限 {MAX_IMPORT_BYTES // (1024 * 1024)}MB）。"
        )
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileProblem(
            "古いExcel形式（.xls）には対応していません。.xlsx またはCSVで保存し直してください。"
        )
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content)
    return _read_csv(content)


def file_extension(content: bytes) -> str:
    return "xlsx" if content.startswith(b"PK\x03\x04") else "csv"


# --- planning an import ------------------------------------------------------------------------

ACTION_LABELS = {"create": "作成", "update": "更新", "unchanged": "変更なし", "error": "エラー"}


@dataclass(slots=True)
class ImportRow:
    """What one row of the file would do, and why not if it cannot."""

    number: int  # the row in the sheet (the header row is row 1 when it is the first)
    name: str
    action: str = "error"
    errors: dict[str, str] = field(default_factory=dict)  # column header -> message
    changes: list[str] = field(default_factory=list)  # headers of the columns that change
    organisation_id: int | None = None
    # What would be written (set for valid rows)
    data: OrganisationInput | None = None
    columns: dict[str, Any] = field(default_factory=dict)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass(slots=True)
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {action: self.count(action) for action in ACTION_LABELS}

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and bool(self.rows) and self.count("error") == 0

    def problems(self) -> dict[str, str]:
        """Every problem as field-like keys, for an API error response."""
        found = {f"file_{i}": message for i, message in enumerate(self.file_errors, start=1)}
        if not self.file_errors and not self.rows:
            found["file"] = "取り込む行がありません。"
        for row in self.rows:
            for header, message in row.errors.items():
                found[f"{row.number}行目 {header}"] = message
        return found


class ImportInvalid(ValidationFailed):
    """An import that may not be written; the report says why, row by row."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(
            report.problems(),
            "取込ファイルに誤りがあるため、何も登録していません。すべての行を直してから取り込んでください。",
        )
        self.report = report


def _label_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    for dash in "〜~～ー−–—":
        text = text.replace(dash, "-")
    return "".join(text.split())


def _choices(labels: Mapping[str, str]) -> dict[str, str]:
    found = {_label_key(label).lower(): code for code, label in labels.items()}
    found.update({_label_key(code).lower(): code for code in labels})
    return found


_KINDS = _choices(KIND_LABELS)
_SIZES = _choices(SIZE_LABELS)
_SIZES.update(
    {_label_key(label.replace("人", "")).lower(): code for code, label in SIZE_LABELS.items()}
)
_INDUSTRIES = _choices(INDUSTRY_LABELS)
_STATUSES = {
    key: code for key, code in _choices(STATUS_LABELS).items() if code != MembershipStatus.APPLIED
}
_STATUSES.update({"休止": MembershipStatus.SUSPENDED, "退会済み": MembershipStatus.WITHDRAWN})
_YES = {"掲載する", "する", "はい", "有", "あり", "○", "◯", "1", "true", "yes", "on", "公開"}
_NO = {"掲載しない", "しない", "いいえ", "無", "なし", "×", "0", "false", "no", "off", "非公開", ""}


def _map_choice(
    raw: str, choices: Mapping[str, str], label: str, errors: dict[str, str], key: str
) -> str:
    if not raw:
        return ""
    code = choices.get(_label_key(raw).lower())
    if code is None:
        errors[key] = f"{label}「{raw[:40]}」は一覧にありません。"
        return raw
    return code


@dataclass(frozen=True, slots=True)
class _Parsed:
    """One row read and checked on its own, before it is compared with the database."""

    number: int
    name: str
    data: OrganisationInput | None
    errors: dict[str, str]  # field key -> message
    contacts_given: bool
    status: str  # "" when the file leaves it to the database (or to the default)
    dates: dict[str, date | None]  # only the date columns the row fills
    date_columns: frozenset[str]  # the date columns the file has
    status_note: str | None  # None: column absent


def _row_values(
    cells: list[str], columns: dict[int, Column]
) -> tuple[dict[str, str], set[str], bool]:
    values: dict[str, str] = {}
    for index, column in columns.items():
        text = cells[index] if index < len(cells) else ""
        values[column.key] = unescape_cell(text.strip())
    present = set(values)
    blank = not any(values.values())
    return values, present, blank


def _parse_row(
    number: int, values: dict[str, str], present: set[str], base: dict[str, str]
) -> _Parsed:
    """Check one row: the file's columns over the matched organisation's values (`base`)."""
    errors: dict[str, str] = {}
    form = dict(base)
    for key in present:
        if key.startswith("contact_"):
            continue
        form[key] = values[key]
    if "kind" in present:
        form["kind"] = _map_choice(values["kind"], _KINDS, "種別", errors, "kind")
    if "size_band" in present:
        form["size_band"] = _map_choice(
            values["size_band"], _SIZES, "従業員規模", errors, "size_band"
        )
    if "industry" in present and values["industry"]:
        form["industry"] = _map_choice(
            values["industry"], _INDUSTRIES, "業種コード", errors, "industry"
        )
    elif "industry_label" in present and values["industry_label"]:
        form["industry"] = _map_choice(
            values["industry_label"], _INDUSTRIES, "業種", errors, "industry"
        )
    if "profile_public" in present:
        flag = _label_key(values["profile_public"]).lower()
        if flag in _YES:
            form["profile_public"] = "on"
        elif flag in _NO:
            form["profile_public"] = ""
        else:
            errors["profile_public"] = (
                f"会員名簿への掲載は「{PROFILE_PUBLIC_YES}」か「{PROFILE_PUBLIC_NO}」で入力してください。"
            )
    # Contacts: the groups the row fills replace the organisation's; none filled keeps them.
    groups = [
        f"contact_{index}_"
        for index in range(MAX_CONTACTS)
        if any(values.get(f"contact_{index}_{part}") for part, _ in _CONTACT_PARTS)
    ]
    contacts_given = bool(groups)
    contact_values = {key: value for key, value in values.items() if key.startswith("contact_")}
    check_errors: dict[str, str] = {}
    data = validate_organisation(
        {**form, **contact_values}, contact_prefixes=tuple(groups), errors=check_errors
    )
    for key, message in check_errors.items():
        errors.setdefault(key, message)
    if "kind" in errors and not data.corporate_number:
        # Whether a number is needed depends on the kind: no second message about one mistake.
        errors.pop("corporate_number", None)
    status = ""
    if "status" in present and values["status"]:
        status = _map_choice(values["status"], _STATUSES, "会員状態", errors, "status")
    dates: dict[str, date | None] = {}
    date_columns = frozenset(
        key for key in ("joined_on", "suspended_on", "withdrawn_on") if key in present
    )
    for key in date_columns:
        if values[key]:
            day, problem = service.date_problem(values[key], HEADER_OF[key])
            if problem:
                errors[key] = problem
            dates[key] = day
    note = None
    if "status_note" in present:
        note = values["status_note"].replace("\r\n", "\n")
        if problem := text_problem(note, "状態メモ", service.STATUS_NOTE_MAX, multiline=True):
            errors["status_note"] = problem
    return _Parsed(
        number=number, name=values.get("name", "") or base.get("name", ""),
        data=data, errors=errors, contacts_given=contacts_given, status=status,
        dates=dates, date_columns=date_columns, status_note=note,
    )  # fmt: skip


async def _load_candidates(numbers: set[str], keys: set[str]) -> list[dict[str, Any]]:
    """Organisations that rows may match or collide with, in a few IN (...) queries."""
    found: dict[int, dict[str, Any]] = {}
    for column, values in ((Organisation.corporate_number, numbers), (Organisation.name_key, keys)):
        ordered = sorted(values)
        for start in range(0, len(ordered), LOOKUP_CHUNK):
            rows = await Organisation.select().where(
                column.is_in(ordered[start : start + LOOKUP_CHUNK]),
                Organisation.status != MembershipStatus.APPLIED,
            )
            found.update({row["id"]: row for row in rows})
    return list(found.values())


def _preference(row: dict[str, Any]) -> tuple[int, int]:
    # A member (active or suspended) before a former one; the newest of equals.
    return (1 if row["status"] in service.HOLDING_STATUSES else 0, row["id"])


def _status_columns(
    parsed: _Parsed, existing: OrganisationView | None, errors: dict[str, str]
) -> dict[str, Any]:
    """Status, its dates and the note as they would be written, checked against the rules."""
    current = existing.status if existing else None
    status = parsed.status or current or MembershipStatus.ACTIVE
    if current and status != current:
        if problem := service.status_change_problem(current, status):
            errors["status"] = problem
    dates = parsed.dates
    joined_on = dates.get("joined_on") or (existing.joined_on if existing else None)
    if joined_on is None and existing is None:
        joined_on = service.today()
    suspended_on = existing.suspended_on if existing else None
    withdrawn_on = existing.withdrawn_on if existing else None
    if "suspended_on" in parsed.date_columns:
        suspended_on = dates.get("suspended_on")
    if "withdrawn_on" in parsed.date_columns:
        withdrawn_on = dates.get("withdrawn_on")
    if status == MembershipStatus.ACTIVE:
        suspended_on = withdrawn_on = None
        if "suspended_on" in parsed.dates or "withdrawn_on" in parsed.dates:
            errors.setdefault(
                "status", "会員状態が「有効」の団体には休止日・退会日を入力できません。"
            )
    elif status == MembershipStatus.SUSPENDED:
        if "withdrawn_on" in parsed.dates:
            errors.setdefault(
                "withdrawn_on", "退会日は会員状態が「退会」の団体にだけ入力できます。"
            )
        withdrawn_on = None
        if suspended_on is None:
            errors.setdefault(
                "suspended_on", "会員状態が「休止中」の団体は休止日を入力してください。"
            )
    elif status == MembershipStatus.WITHDRAWN and withdrawn_on is None:
        errors.setdefault("withdrawn_on", "会員状態が「退会」の団体は退会日を入力してください。")
    for key, day in (("suspended_on", suspended_on), ("withdrawn_on", withdrawn_on)):
        if day and joined_on and day < joined_on and key not in errors:
            errors[key] = f"{HEADER_OF[key]}は入会日より前にできません。"
    note = parsed.status_note
    if note is None:
        note = existing.status_note if existing else ""
    return {
        "status": status,
        "joined_on": joined_on,
        "joined_fiscal_year": fiscal_year(joined_on) if joined_on else None,
        "suspended_on": suspended_on,
        "withdrawn_on": withdrawn_on,
        "status_note": note,
    }


_COMPARED_STATUS_COLUMNS = ("status", "joined_on", "suspended_on", "withdrawn_on", "status_note")


def _changed_headers(
    existing: OrganisationView, data: OrganisationInput, columns: dict[str, Any]
) -> list[str]:
    before = existing.as_input()
    changed = [
        HEADER_OF[key]
        for key in (
            "name", "name_kana", "corporate_number", "kind", "industry", "size_band",
            "postal_code", "prefecture", "municipality", "address_line", "website",
            "representative_name", "representative_title", "profile_public", "profile_text",
        )
        if getattr(before, key) != getattr(data, key)
    ]  # fmt: skip
    for key in _COMPARED_STATUS_COLUMNS:
        if getattr(existing, key) != columns[key]:
            changed.append(HEADER_OF[key])
    if before.contacts != data.contacts:
        changed.append("担当者")
    return changed


async def plan_import(content: bytes) -> ImportReport:
    """The dry run: what each row would do. Reads the database, writes nothing."""
    report = ImportReport()
    try:
        table = await asyncio.to_thread(read_table, content)
    except ImportFileProblem as exc:
        report.file_errors.append(str(exc))
        return report
    header_index = next((i for i, row in enumerate(table) if any(c.strip() for c in row)), None)
    if header_index is None:
        report.file_errors.append("ファイルに見出しの行がありません。")
        return report
    columns: dict[int, Column] = {}
    seen: set[str] = set()
    for index, text in enumerate(table[header_index]):
        if not text.strip():
            continue
        column = _COLUMN_BY_HEADER.get(_header_key(text))
        if column is None:
            report.ignored_headers.append(text.strip()[:60])
        elif column.key in seen:
            report.file_errors.append(f"列「{column.header}」が2つあります。")
        else:
            seen.add(column.key)
            columns[index] = column
    missing = [
        c.header
        for c in ORGANISATION_COLUMNS
        if c.required
        and c.key not in seen
        and not (c.key == "industry" and "industry_label" in seen)
    ]
    if missing:
        report.file_errors.append(
            "必須の列がありません: " + "、".join(missing) + "（見出しの行を確認してください）"
        )
    body = table[header_index + 1 :]
    if len(body) > MAX_IMPORT_ROWS:
        report.file_errors.append(
            f"一度に取り込めるのは{MAX_IMPORT_ROWS}行までです。ファイルを分けてください。"
        )
    if report.file_errors:
        return report

    # Pass 1: each row on its own (no database).
    rows: list[tuple[int, dict[str, str], set[str]]] = []
    for offset, cells in enumerate(body):
        values, present, blank = _row_values(cells, columns)
        if not blank:
            rows.append((header_index + offset + 2, values, present))
    if not rows:
        report.file_errors.append("取り込む行がありません（見出しの行の下にデータがありません）。")
        return report
    first_pass = [_parse_row(number, values, present, {}) for number, values, present in rows]
    numbers = {p.data.corporate_number for p in first_pass if p.data and p.data.corporate_number}
    keys = {p.data.name_key for p in first_pass if p.data and p.data.name_key}
    candidates = await _load_candidates(numbers, keys)
    by_number: dict[str, dict[str, Any]] = {}
    by_key: dict[str, dict[str, Any]] = {}
    for row in sorted(candidates, key=_preference):
        if row["corporate_number"]:
            by_number[row["corporate_number"]] = row
        by_key[row["name_key"]] = row

    # Pass 2: match, merge with the matched organisation, check against the database and the file.
    matched_ids = [
        match["id"]
        for parsed in first_pass
        if parsed.data and (match := _match(parsed.data, by_number, by_key)) is not None
    ]
    contacts = await service.contacts_of(sorted(set(matched_ids)))
    taken_numbers: dict[str, int] = {}
    taken_keys: dict[str, int] = {}
    claimed: dict[int, int] = {}
    for (number, values, present), parsed in zip(rows, first_pass, strict=True):
        match = _match(parsed.data, by_number, by_key) if parsed.data else None
        existing = service.organisation_view(match, contacts.get(match["id"])) if match else None
        if existing is not None:
            parsed = _parse_row(number, values, present, service.organisation_form_values(existing))
        report.rows.append(
            _plan_row(parsed, existing, by_number, by_key, taken_numbers, taken_keys, claimed)
        )
    return report


def _match(
    data: OrganisationInput,
    by_number: dict[str, dict[str, Any]],
    by_key: dict[str, dict[str, Any]],
) -> dict[str, Any] | None:
    """An existing organisation: by corporate number, else by normalised name."""
    if data.corporate_number and data.corporate_number in by_number:
        return by_number[data.corporate_number]
    return by_key.get(data.name_key) if data.name_key else None


def _plan_row(
    parsed: _Parsed,
    existing: OrganisationView | None,
    by_number: dict[str, dict[str, Any]],
    by_key: dict[str, dict[str, Any]],
    taken_numbers: dict[str, int],
    taken_keys: dict[str, int],
    claimed: dict[int, int],
) -> ImportRow:
    errors = dict(parsed.errors)
    data = parsed.data
    assert data is not None
    if existing is not None and data.contacts == () and not parsed.contacts_given:
        data = replace(data, contacts=existing.as_input().contacts)
    columns = _status_columns(parsed, existing, errors)
    holding = columns["status"] in service.HOLDING_STATUSES
    own_id = existing.id if existing else None
    if existing is not None:
        if existing.id in claimed:
            errors.setdefault("name", f"{claimed[existing.id]}行目と同じ団体です。")
        claimed.setdefault(existing.id, parsed.number)
        if (
            existing.corporate_number
            and data.corporate_number
            and existing.corporate_number != data.corporate_number
        ):
            errors.setdefault(
                "corporate_number",
                f"同じ名称の団体が別の法人番号（{existing.corporate_number}）で登録されています。",
            )
    # Another organisation (in the database or earlier in the file) holding the number or name.
    if holding and "corporate_number" not in errors and data.corporate_number:
        other = by_number.get(data.corporate_number)
        if other and other["id"] != own_id and other["status"] in service.HOLDING_STATUSES:
            errors["corporate_number"] = "この法人番号の団体はすでに会員として登録されています。"
        elif data.corporate_number in taken_numbers:
            errors["corporate_number"] = (
                f"{taken_numbers[data.corporate_number]}行目と同じ法人番号です。"
            )
    if holding and "name" not in errors and data.name_key:
        other = by_key.get(data.name_key)
        if other and other["id"] != own_id and other["status"] in service.HOLDING_STATUSES:
            errors["name"] = "同じ名称の団体がすでに会員として登録されています。"
        elif data.name_key in taken_keys:
            errors["name"] = f"{taken_keys[data.name_key]}行目と同じ名称です。"
    if holding:
        if data.corporate_number:
            taken_numbers.setdefault(data.corporate_number, parsed.number)
        if data.name_key:
            taken_keys.setdefault(data.name_key, parsed.number)
    row = ImportRow(
        number=parsed.number, name=parsed.name[:200],
        organisation_id=own_id, data=data, columns=columns,
    )  # fmt: skip
    if errors:
        row.action = "error"
        ordered = sorted(
            errors.items(), key=lambda item: _COLUMN_ORDER.get(item[0], len(_COLUMN_ORDER))
        )
        row.errors = {HEADER_OF.get(key, key): message for key, message in ordered}
        return row
    if existing is None:
        row.action = "create"
    else:
        row.changes = _changed_headers(existing, data, columns)
        row.action = "update" if row.changes else "unchanged"
    return row


async def apply_import(actor: Principal, content: bytes, file_name: str = "") -> ImportReport:
    """Write an import: planned again inside one transaction, written only if every row is
    valid (ImportInvalid otherwise, with nothing written), audited per organisation."""
    async with transaction():
        report = await plan_import(content)
        if not report.is_valid:
            raise ImportInvalid(report)
        now = clock.now()
        for row in report.rows:
            if row.action not in ("create", "update"):
                continue
            assert row.data is not None
            columns = row.columns
            if row.action == "create":
                row.organisation_id = await service.insert_organisation(
                    row.data,
                    status=MembershipStatus(columns["status"]),
                    joined_on=columns["joined_on"],
                )
            else:
                assert row.organisation_id is not None
                await service.update_organisation_fields(row.organisation_id, row.data)
            await Organisation.update(
                {
                    Organisation.status: columns["status"],
                    Organisation.joined_on: columns["joined_on"],
                    Organisation.joined_fiscal_year: columns["joined_fiscal_year"],
                    Organisation.suspended_on: columns["suspended_on"],
                    Organisation.withdrawn_on: columns["withdrawn_on"],
                    Organisation.status_note: columns["status_note"],
                    Organisation.updated_at: now,
                }
            ).where(Organisation.id == row.organisation_id)
            await audit.record(
                actor, f"organisation.import_{row.action}", "organisation", row.organisation_id,
                target_label=row.data.name,
                after={"row": row.number, "status": columns["status"], "changes": row.changes},
            )  # fmt: skip
        counts = report.counts
        if counts["create"] or counts["update"]:
            await audit.record(
                actor, "members.import", "organisation", "",
                target_label=clean(file_name, 200) or "取込ファイル",
                after={"created": counts["create"], "updated": counts["update"],
                       "unchanged": counts["unchanged"]},
            )  # fmt: skip
        report.applied = True
    return report
