"""Membership applications and their screening: applying, the checklist, the anti-social-forces
check, the decision (approve, reject, ask for more information) and the applicant's resubmission.

The public form (three steps), the console's screening pages and the JSON API all call these
functions. Every write is one transaction with its audit entry and its mail (the outbox).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, BinaryIO

from api import clock
from api.accounts import service as accounts
from api.accounts.tables import Account
from api.applications.tables import AntisocialCheck, Application, ScreeningChecklist
from api.audit import service as audit
from api.dates import era_year, local_date, today
from api.db import is_postgres, is_storable_id, is_unique_violation, transaction
from api.errors import Conflict, NotFound, ValidationFailed
from api.mail.service import queue_mail
from api.members import service as members
from api.members.reference import MembershipStatus
from api.members.validation import (
    ORGANISATION_FIELDS,
    ContactInput,
    OrganisationInput,
    corporate_number_problem,
    normalize_corporate_number,
    validate_organisation,
)
from api.pagination import Page, PageRequest, fetch_page
from api.permissions import Role
from api.principal import Principal
from api.settings import Settings
from api.text import (
    clean,
    is_submission_key,
    lookup_text,
    new_submission_key,
    required_text_problem,
    text_problem,
)
from storage import ObjectStore, new_key

APPLICANT_PREFIX = "applicant_"
INFO_LINK_DAYS = 30  # how long the link in a request for more information works
MAIL_PREFIX = "【熊本県DX推進コンソーシアム】"


class ApplicationStatus(StrEnum):
    SUBMITTED = "submitted"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    REJECTED = "rejected"


STATUS_LABELS: dict[str, str] = {
    ApplicationStatus.SUBMITTED: "審査待ち",
    ApplicationStatus.INFO_REQUESTED: "追加情報の依頼中",
    ApplicationStatus.APPROVED: "承認済み",
    ApplicationStatus.REJECTED: "却下",
}
# Applications still open: they hold their name and corporate number against a new application.
PENDING = (ApplicationStatus.SUBMITTED, ApplicationStatus.INFO_REQUESTED)

CHECK_METHODS: dict[str, str] = {
    "police": "警察への照会",
    "center": "暴追センターへの照会",
    "media": "新聞記事・ウェブ検索",
    "registry": "商業登記の確認",
    "other": "その他",
}
CHECK_RESULTS: dict[str, str] = {
    "clear": "該当なし",
    "review": "要確認",
    "match": "該当あり",
}
CLEAR = "clear"

ANSWER_LABELS: dict[str, str] = {"ok": "OK", "ng": "NG"}

DECLARATION_TEXT = (
    "当団体（役員、従業員その他の関係者を含みます。）は、暴力団、暴力団員、暴力団員でなくなった時から"
    "5年を経過しない者、暴力団準構成員、暴力団関係企業、総会屋等、社会運動等標ぼうゴロ、特殊知能暴力集団"
    "その他これらに準ずる者（反社会的勢力）に該当せず、反社会的勢力と一切の関係を有しないことを誓約します。"
    "この誓約に反することが判明した場合は、入会の取消しや除名の措置を受けても異議を述べません。"
)

DEFAULT_CHECKLIST: tuple[str, ...] = (
    "熊本県内に本社または事業所を有する",
    "事業内容がコンソーシアムの目的（県内のDX推進）に合致する",
    "会員規約に同意している",
    "反社会的勢力でない旨の誓約（署名）がある",
    "法人番号・所在地が公的な情報（国税庁法人番号公表サイト等）で確認できる",
    "同一団体の重複申込・既存会員との重複がない",
)
MAX_CHECKLIST_ITEMS = 30

_REFERENCE = re.compile(r"^[A-Z]?\d{1,4}-\d{4,8}$")

# Evidence files: the type comes from the content's first bytes, never from the name.
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


# --- small helpers --------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _loads(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


def _reference(application_id: int, day: date) -> str:
    name, year = era_year(day)
    prefix = "R" if name == "令和" else ""
    return f"{prefix}{year}-{application_id:04d}"


# --- the application as typed ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApplicationInput:
    """A checked application: the organisation (its first contact is the applicant) and the
    signed declaration. Agreement to the terms and the declaration are required to get here."""

    organisation: OrganisationInput
    declaration_name: str
    submission_key: str = ""

    @property
    def applicant(self) -> ContactInput:
        return self.organisation.contacts[0]

    def as_form(self) -> dict[str, str]:
        """The application as form values (hidden fields of the confirmation, a prefilled form)."""
        values: dict[str, str] = {
            key: str(value)
            for key, value in self.organisation.as_dict().items()
            if key not in ("contacts", "profile_public", "profile_text")
        }
        for key in ("name", "department", "email", "phone"):
            values[f"{APPLICANT_PREFIX}{key}"] = getattr(self.applicant, key)
        values["agree_terms"] = "on"
        values["declaration"] = "on"
        values["declaration_name"] = self.declaration_name
        if self.submission_key:
            values["submission_key"] = self.submission_key
        return values


def _checked(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"on", "true", "1", "yes"}


def validate_application(values: Mapping[str, object]) -> ApplicationInput:
    """Check every field of the form (or the API body); all problems at once, keyed by field."""
    errors: dict[str, str] = {}
    organisation = validate_organisation(
        values, contact_prefixes=(APPLICANT_PREFIX,), errors=errors
    )
    # The application form has no public profile: the member admin writes it after joining.
    organisation = replace(organisation, profile_public=False, profile_text="")
    if not _checked(values.get("agree_terms")):
        errors["agree_terms"] = "会員規約をお読みのうえ、同意する場合はチェックを入れてください。"
    if not _checked(values.get("declaration")):
        errors["declaration"] = (
            "反社会的勢力でないことの誓約は入会の条件です。内容をご確認のうえチェックを入れてください。"
        )
    declaration_name = clean(values.get("declaration_name"), 100)
    if problem := required_text_problem(declaration_name, "署名（氏名）", 100):
        errors["declaration_name"] = problem
    key = clean(values.get("submission_key"), 100)
    if key and not is_submission_key(key):
        errors["submission_key"] = (
            "送信キーは16〜64文字の半角英数字・ハイフン・アンダースコアで指定してください。"
        )
    if errors:
        raise ValidationFailed(errors)
    return ApplicationInput(
        organisation=organisation, declaration_name=declaration_name, submission_key=key
    )


async def duplicate_problems(
    data: OrganisationInput, *, excluding_application: int | None = None
) -> dict[str, str]:
    """Fields naming a member (active or suspended) or another open application."""
    problems = await members.duplicate_problems(data) if data.name_key else {}
    pending = Application.status.is_in(list(PENDING))
    others = (
        (Application.id != excluding_application) if excluding_application is not None else None
    )

    async def exists(clause: Any) -> bool:
        query = Application.exists().where(pending, clause)
        if others is not None:
            query = query.where(others)
        return await query

    if "corporate_number" not in problems and data.corporate_number:
        if await exists(Application.corporate_number == data.corporate_number):
            problems["corporate_number"] = (
                "この法人番号の団体から、すでに入会申込を受け付けています（審査中）。"
                "重複してお申し込みいただく必要はありません。"
            )
    if (
        "name" not in problems
        and data.name_key
        and await exists(Application.name_key == data.name_key)
    ):
        problems["name"] = (
            "同じ名称の団体から、すでに入会申込を受け付けています（審査中）。"
            "重複してお申し込みいただく必要はありません。"
        )
    return problems


def _identity(values: Mapping[str, object]) -> OrganisationInput:
    """Only what names an organisation (name, corporate number), from a form with problems."""
    number = normalize_corporate_number(values.get("corporate_number"))
    blank = dict.fromkeys(ORGANISATION_FIELDS, "")
    return OrganisationInput.from_dict(
        blank
        | {
            "name": lookup_text(values.get("name"), 200),  # no control characters in a lookup
            "corporate_number": "" if corporate_number_problem(number) else number,
            "profile_public": False,
        }
    )


async def check_application(
    values: Mapping[str, object], *, excluding_application: int | None = None
) -> ApplicationInput:
    """The confirmation step: the fields and the duplicates, without writing anything."""
    try:
        data = validate_application(values)
    except ValidationFailed as exc:
        errors = exc.errors
        # Duplicates are worth telling at once, even while other fields still need fixing.
        identity = _identity(values)
        if identity.name_key or identity.corporate_number:
            for name, message in (await duplicate_problems(identity)).items():
                errors.setdefault(name, message)
        raise ValidationFailed(errors) from None
    problems = await duplicate_problems(
        data.organisation, excluding_application=excluding_application
    )
    if problems:
        raise ValidationFailed(problems)
    return data


def _data_json(data: ApplicationInput) -> str:
    return _json(
        {
            **data.organisation.as_dict(),
            "agreed_terms": True,
            "declaration_text": DECLARATION_TEXT,
            "declaration_name": data.declaration_name,
        }
    )


@dataclass(frozen=True, slots=True)
class SubmitResult:
    application_id: int
    reference: str
    created: bool  # False: the same submission arrived before (nothing new was written)


async def _by_submission_key(key: str) -> SubmitResult | None:
    rows = await Application.select(Application.id, Application.reference).where(
        Application.submission_key == key
    )
    if not rows:
        return None
    return SubmitResult(application_id=rows[0]["id"], reference=rows[0]["reference"], created=False)


async def submit_application(settings: Settings, values: Mapping[str, object]) -> SubmitResult:
    """Take a new application (anonymous); the applicant gets a confirmation mail.

    The same submission_key twice gives the first result again and writes nothing.
    """
    key = clean(values.get("submission_key"), 100)
    if is_submission_key(key) and (earlier := await _by_submission_key(key)):
        return earlier
    try:
        return await _insert_application(values)
    except Exception as exc:
        # The same form posted twice at the same moment: the second finds the first, whether it
        # met the unique key or (having checked before the first committed) its duplicate name.
        replay = isinstance(exc, ValidationFailed) or is_unique_violation(exc)
        if replay and is_submission_key(key) and (earlier := await _by_submission_key(key)):
            return earlier
        raise


# Any fixed number: the PostgreSQL advisory lock that new and corrected applications take.
_SUBMISSION_LOCK = 0x4B445841  # "KDXA"


async def _serialise_submissions() -> None:
    """One submission at a time, so two forms of the same organisation cannot both pass the
    duplicate check (SQLite's IMMEDIATE transactions already write one at a time)."""
    if is_postgres():
        await Application.raw("SELECT pg_advisory_xact_lock({})", _SUBMISSION_LOCK)


async def _insert_application(values: Mapping[str, object]) -> SubmitResult:
    data = await check_application(values)
    key = data.submission_key or new_submission_key()
    organisation = data.organisation
    async with transaction():
        await _serialise_submissions()
        if earlier := await _by_submission_key(key):
            return earlier
        # Recheck inside the transaction: another application may have arrived meanwhile.
        if problems := await duplicate_problems(organisation):
            raise ValidationFailed(problems)
        rows = await Application.insert(
            Application(
                reference=f"T{secrets.token_hex(8)}",
                status=ApplicationStatus.SUBMITTED.value,
                organisation_name=organisation.name,
                name_kana=organisation.name_kana,
                name_key=organisation.name_key,
                corporate_number=organisation.corporate_number or None,
                data=_data_json(data),
                applicant_name=data.applicant.name,
                applicant_email=data.applicant.email,
                submission_key=key,
                declaration_name=data.declaration_name,
            )
        ).returning(Application.id)
        application_id = int(rows[0]["id"])
        reference = _reference(application_id, today())
        await Application.update({Application.reference: reference}).where(
            Application.id == application_id
        )
        await queue_mail(
            data.applicant.email,
            f"{MAIL_PREFIX}入会申込を受け付けました（受付番号 {reference}）",
            f"{organisation.name}\n{data.applicant.name} 様\n\n"
            "熊本県DX推進コンソーシアムへの入会をお申し込みいただき、ありがとうございます。\n"
            "次の内容で受け付けました。\n\n"
            f"受付番号: {reference}\n団体名: {organisation.name}\n\n"
            "事務局で審査を行い、結果をこのメールアドレスにお知らせします。"
            "お問い合わせの際は受付番号をお伝えください。\n"
            "お心当たりのない場合は、このメールを破棄してください。\n",
        )
        await audit.record(
            None, "application.submit", "application", application_id,
            target_label=f"{reference} {organisation.name}",
            after={"status": ApplicationStatus.SUBMITTED.value, **_snapshot_of(organisation)},
        )  # fmt: skip
    return SubmitResult(application_id=application_id, reference=reference, created=True)


def _snapshot_of(organisation: OrganisationInput) -> dict[str, Any]:
    return {
        "organisation_name": organisation.name,
        "corporate_number": organisation.corporate_number,
        "municipality": organisation.municipality,
        "industry": organisation.industry,
    }


async def reference_exists(reference: str) -> bool:
    text = lookup_text(reference, 20)
    if not _REFERENCE.match(text):
        return False
    return await Application.exists().where(Application.reference == text)


# --- reading applications -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApplicationSummary:
    id: int
    reference: str
    status: str
    organisation_name: str
    name_kana: str
    corporate_number: str
    submitted_at: datetime
    updated_at: datetime
    age_days: int

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING


STATUS_FILTERS: dict[str, str] = {
    "pending": "審査中（審査待ち・追加情報の依頼中）",
    **STATUS_LABELS,
    "all": "すべて",
}


def _summary(row: dict[str, Any], today: date) -> ApplicationSummary:
    return ApplicationSummary(
        id=row["id"],
        reference=row["reference"],
        status=row["status"],
        organisation_name=row["organisation_name"],
        name_kana=row["name_kana"],
        corporate_number=row["corporate_number"] or "",
        submitted_at=row["submitted_at"],
        updated_at=row["updated_at"],
        age_days=max(0, (today - local_date(row["submitted_at"])).days),
    )


_SUMMARY_COLUMNS = (
    Application.id, Application.reference, Application.status, Application.organisation_name,
    Application.name_kana, Application.corporate_number, Application.submitted_at,
    Application.updated_at,
)  # fmt: skip


async def list_applications(status: str, page: PageRequest) -> Page[ApplicationSummary]:
    """The screening queue: oldest first, so nobody waits longest by accident."""
    status = status if status in STATUS_FILTERS else "pending"
    query = (
        Application.select(*_SUMMARY_COLUMNS)
        .order_by(Application.submitted_at)
        .order_by(Application.id)
    )
    count = Application.count()
    if status == "pending":
        clause = Application.status.is_in(list(PENDING))
    elif status != "all":
        clause = Application.status == status
    else:
        clause = None
    if clause is not None:
        query = query.where(clause)
        count = count.where(clause)
    rows, total = await fetch_page(query, count, page)
    day = today()
    items = [_summary(row, day) for row in rows]
    return Page(items=items, total=total, page=page.page, per_page=page.per_page)


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class ChecklistVersion:
    id: int
    version: int
    items: tuple[ChecklistItem, ...]
    created_at: datetime
    created_by: str  # the admin's name; "" for the seeded first version


@dataclass(frozen=True, slots=True)
class ChecklistAnswer:
    key: str
    label: str
    answer: str  # "ok" or "ng"
    note: str

    @property
    def answer_label(self) -> str:
        return ANSWER_LABELS.get(self.answer, "未記入")


@dataclass(frozen=True, slots=True)
class ChecklistRecord:
    version: int
    answers: tuple[ChecklistAnswer, ...]
    recorded_by: str
    recorded_at: datetime

    @property
    def all_ok(self) -> bool:
        return all(answer.answer == "ok" for answer in self.answers)

    @property
    def ng_labels(self) -> list[str]:
        return [answer.label for answer in self.answers if answer.answer != "ok"]


@dataclass(frozen=True, slots=True)
class CheckView:
    id: int
    method: str
    source: str
    result: str
    notes: str
    checked_by_id: int
    checked_by: str
    checked_at: datetime
    evidence_name: str
    evidence_type: str
    evidence_size: int

    @property
    def method_label(self) -> str:
        return CHECK_METHODS.get(self.method, self.method)

    @property
    def result_label(self) -> str:
        return CHECK_RESULTS.get(self.result, self.result)

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence_name)


@dataclass(frozen=True, slots=True)
class ApplicationView:
    id: int
    reference: str
    status: str
    organisation: OrganisationInput
    declaration_name: str
    declaration_text: str
    submitted_at: datetime
    updated_at: datetime
    age_days: int
    checklist: ChecklistRecord | None
    checks: tuple[CheckView, ...]
    info_request: str
    info_requested_at: datetime | None
    decided_by: str
    decided_at: datetime | None
    decision_reason: str
    organisation_id: int | None
    submission_key: str = field(default="", repr=False)

    @property
    def applicant(self) -> ContactInput:
        return self.organisation.contacts[0]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    @property
    def latest_check(self) -> CheckView | None:
        return self.checks[-1] if self.checks else None

    def as_input(self) -> ApplicationInput:
        return ApplicationInput(
            organisation=self.organisation, declaration_name=self.declaration_name
        )

    def snapshot(self) -> dict[str, Any]:
        return {"status": self.status, **_snapshot_of(self.organisation)}


async def _account_names(account_ids: set[int]) -> dict[int, str]:
    ids = [account_id for account_id in account_ids if account_id]
    if not ids:
        return {}
    rows = await Account.select(Account.id, Account.display_name, Account.email).where(
        Account.id.is_in(ids)
    )
    return {row["id"]: f"{row['display_name']}（{row['email']}）" for row in rows}


def _checklist_items(text: str) -> tuple[ChecklistItem, ...]:
    return tuple(
        ChecklistItem(key=str(item["key"]), label=str(item["label"]))
        for item in _loads(text, [])
        if isinstance(item, dict) and "key" in item and "label" in item
    )


async def get_application(application_id: int) -> ApplicationView:
    rows: list[dict[str, Any]] = []
    if is_storable_id(application_id):
        rows = await Application.select(
            Application.all_columns(),
            Application.checklist.version,
            Application.checklist.items,
        ).where(Application.id == application_id)
    if not rows:
        raise NotFound("指定された入会申込は見つかりませんでした。")
    row = rows[0]
    check_rows = (
        await AntisocialCheck.select(
            AntisocialCheck.all_columns(exclude=[AntisocialCheck.evidence_key])
        )
        .where(AntisocialCheck.application == application_id)
        .order_by(AntisocialCheck.checked_at)
        .order_by(AntisocialCheck.id)
    )
    names = await _account_names(
        {row["checklist_by"], row["decided_by"], *(c["checked_by"] for c in check_rows)}
    )
    data = _loads(row["data"], {})
    checklist = None
    if row["checklist"] is not None and row["checklist_at"] is not None:
        answers = _loads(row["checklist_answers"], {})
        checklist = ChecklistRecord(
            version=row["checklist.version"],
            answers=tuple(
                ChecklistAnswer(
                    key=item.key,
                    label=item.label,
                    answer=str(answers.get(item.key, {}).get("answer", "")),
                    note=str(answers.get(item.key, {}).get("note", "")),
                )
                for item in _checklist_items(row["checklist.items"])
            ),
            recorded_by=names.get(row["checklist_by"], ""),
            recorded_at=row["checklist_at"],
        )
    checks = tuple(
        CheckView(
            id=c["id"], method=c["method"], source=c["source"], result=c["result"],
            notes=c["notes"], checked_by_id=c["checked_by"],
            checked_by=names.get(c["checked_by"], ""), checked_at=c["checked_at"],
            evidence_name=c["evidence_name"], evidence_type=c["evidence_type"],
            evidence_size=c["evidence_size"],
        )
        for c in check_rows
    )  # fmt: skip
    return ApplicationView(
        id=row["id"],
        reference=row["reference"],
        status=row["status"],
        organisation=OrganisationInput.from_dict(data),
        declaration_name=row["declaration_name"],
        declaration_text=str(data.get("declaration_text", DECLARATION_TEXT)),
        submitted_at=row["submitted_at"],
        updated_at=row["updated_at"],
        age_days=max(0, (today() - local_date(row["submitted_at"])).days),
        checklist=checklist,
        checks=checks,
        info_request=row["info_request"],
        info_requested_at=row["info_requested_at"],
        decided_by=names.get(row["decided_by"], ""),
        decided_at=row["decided_at"],
        decision_reason=row["decision_reason"],
        organisation_id=row["organisation"],
        submission_key=row["submission_key"],
    )


def _label(view: ApplicationView) -> str:
    return f"{view.reference} {view.organisation.name}"


def _require_pending(view: ApplicationView) -> None:
    if not view.is_pending:
        raise Conflict(
            f"この申込はすでに審査が終わっています（{view.status_label}）。内容は変更できません。"
        )


# --- the screening checklist ----------------------------------------------------------------------


async def _checklist_rows(version: int | None = None) -> list[dict[str, Any]]:
    query = ScreeningChecklist.select(
        ScreeningChecklist.all_columns(), ScreeningChecklist.created_by.display_name
    )
    if version is not None:
        query = query.where(ScreeningChecklist.version == version)
    return await query.order_by(ScreeningChecklist.version, ascending=False).limit(1)


def _checklist_view(row: dict[str, Any]) -> ChecklistVersion:
    return ChecklistVersion(
        id=row["id"],
        version=row["version"],
        items=_checklist_items(row["items"]),
        created_at=row["created_at"],
        created_by=row["created_by.display_name"] or "",
    )


def _items_json(labels: list[str] | tuple[str, ...]) -> str:
    return _json([{"key": f"i{n}", "label": label} for n, label in enumerate(labels, start=1)])


async def current_checklist() -> ChecklistVersion:
    """The version in use; the first use seeds version 1 with the prefecture's usual criteria."""
    rows = await _checklist_rows()
    if not rows:
        try:
            async with transaction():
                if not await ScreeningChecklist.exists():
                    await ScreeningChecklist.insert(
                        ScreeningChecklist(version=1, items=_items_json(DEFAULT_CHECKLIST))
                    )
        except Exception as exc:
            if not is_unique_violation(exc):  # seeded by a concurrent first use
                raise
        rows = await _checklist_rows()
    return _checklist_view(rows[0])


async def checklist_history(limit: int = 50) -> list[ChecklistVersion]:
    rows = (
        await ScreeningChecklist.select(
            ScreeningChecklist.all_columns(), ScreeningChecklist.created_by.display_name
        )
        .order_by(ScreeningChecklist.version, ascending=False)
        .limit(limit)
    )
    return [_checklist_view(row) for row in rows]


def parse_checklist_lines(text: object) -> list[str]:
    """One criterion a line; blank lines and surrounding spaces are dropped."""
    raw = str(text or "")[:20_000].replace("\r\n", "\n").split("\n")
    return [line for line in (clean(part, 201) for part in raw) if line]


async def save_checklist(actor: Principal, labels: list[str]) -> ChecklistVersion:
    """A new version of the criteria (the old ones stay for the applications screened with them)."""
    errors: dict[str, str] = {}
    cleaned = [clean(label, 201) for label in labels if clean(label, 201)]
    if not cleaned:
        errors["items"] = "チェック項目を1行に1つずつ、1つ以上入力してください。"
    elif len(cleaned) > MAX_CHECKLIST_ITEMS:
        errors["items"] = f"チェック項目は{MAX_CHECKLIST_ITEMS}個以内にしてください。"
    elif problems := [p for label in cleaned if (p := text_problem(label, "各チェック項目", 200))]:
        errors["items"] = problems[0]
    elif len(set(cleaned)) != len(cleaned):
        errors["items"] = "同じチェック項目が重複しています。"
    if errors:
        raise ValidationFailed(errors)
    before = await current_checklist()
    if [item.label for item in before.items] == cleaned:
        return before  # nothing changed: no new version
    try:
        async with transaction():
            latest = await _checklist_rows()
            version = (latest[0]["version"] if latest else 0) + 1
            await ScreeningChecklist.insert(
                ScreeningChecklist(
                    version=version, items=_items_json(cleaned), created_by=actor.account_id
                )
            )
            await audit.record(
                actor, "checklist.update", "screening_checklist", version,
                target_label=f"審査チェックリスト 第{version}版",
                before={"version": before.version, "items": [i.label for i in before.items]},
                after={"version": version, "items": cleaned},
            )  # fmt: skip
    except Exception as exc:
        if is_unique_violation(exc):
            raise Conflict(
                "ほかの管理者が同時にチェックリストを更新しました。再読み込みしてから保存してください。"
            ) from None
        raise
    return _checklist_view((await _checklist_rows(version))[0])


async def record_checklist(
    actor: Principal,
    application_id: int,
    version: int,
    answers: Mapping[str, Mapping[str, object]],
) -> ApplicationView:
    """Save the screening checklist of an application against the current version of the list.

    answers maps an item key to {"answer": "ok" | "ng", "note": text}; every item needs an answer.
    """
    view = await get_application(application_id)
    _require_pending(view)
    checklist = await current_checklist()
    if version != checklist.version:
        raise Conflict(
            f"チェックリストが第{checklist.version}版に更新されています。"
            "ページを再読み込みしてから記入し直してください。"
        )
    errors: dict[str, str] = {}
    saved: dict[str, dict[str, str]] = {}
    for item in checklist.items:
        given = answers.get(item.key) or {}
        answer = clean(given.get("answer"), 4).lower()
        note = clean(given.get("note"), 1001)
        if answer not in ANSWER_LABELS:
            errors[f"answer_{item.key}"] = f"「{item.label}」のOK・NGを選んでください。"
        if problem := text_problem(note, "メモ", 1000, multiline=True):
            errors[f"note_{item.key}"] = problem
        saved[item.key] = {"answer": answer, "note": note}
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        now = clock.now()
        updated = (
            await Application.update(
                {
                    Application.checklist: checklist.id,
                    Application.checklist_answers: _json(saved),
                    Application.checklist_by: actor.account_id,
                    Application.checklist_at: now,
                    Application.updated_at: now,
                }
            )
            .where((Application.id == application_id) & Application.status.is_in(list(PENDING)))
            .returning(Application.id)
        )
        if not updated:
            raise Conflict("この申込はすでに審査が終わっています。内容は変更できません。")
        await audit.record(
            actor, "application.checklist", "application", application_id,
            target_label=_label(view),
            after={
                "checklist_version": checklist.version,
                "answers": {item.label: saved[item.key]["answer"] for item in checklist.items},
            },
        )  # fmt: skip
    return await get_application(application_id)


# --- the anti-social-forces check -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvidenceUpload:
    """An uploaded file as the HTTP layer hands it over: its name and a readable binary file."""

    filename: str
    file: BinaryIO


def _evidence_name(filename: str) -> str:
    base = re.split(r"[\\/]", filename or "")[-1]
    name = lookup_text(base, 200)
    return name or "evidence"


def _sniff(file: BinaryIO) -> tuple[str, str] | None:
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for magic, content_type, extension in _MAGIC:
        if head.startswith(magic):
            return content_type, extension
    return None


def _size_of(file: BinaryIO) -> int:
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    return size


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}MB" if size >= 1024 * 1024 else f"{size // 1024}KB"


async def record_antisocial_check(
    settings: Settings,
    store: ObjectStore,
    actor: Principal,
    application_id: int,
    values: Mapping[str, object],
    evidence: EvidenceUpload | None = None,
) -> CheckView:
    """Record one check (method, source, result, notes) and, optionally, its evidence file."""
    view = await get_application(application_id)
    _require_pending(view)
    errors: dict[str, str] = {}
    method = clean(values.get("method"), 32)
    source = clean(values.get("source"), 201)
    result = clean(values.get("result"), 16)
    notes = clean(values.get("notes"), 4001).replace("\r\n", "\n")
    if method not in CHECK_METHODS:
        errors["method"] = "確認の方法を一覧から選んでください。"
    if problem := required_text_problem(source, "確認先（照会先・参照した情報源）", 200):
        errors["source"] = problem
    if result not in CHECK_RESULTS:
        errors["result"] = "確認の結果を選んでください。"
    if problem := text_problem(notes, "備考", 4000, multiline=True):
        errors["notes"] = problem
    sniffed: tuple[str, str] | None = None
    size = 0
    if evidence is not None:
        size = _size_of(evidence.file)
        if size == 0:
            errors["evidence"] = "証跡ファイルが空です。ファイルを選び直してください。"
        elif size > settings.evidence_max_bytes:
            errors["evidence"] = (
                f"証跡ファイルは{_megabytes(settings.evidence_max_bytes)}以下にしてください"
                f"（選ばれたファイルは{_megabytes(size)}です）。"
            )
        else:
            sniffed = _sniff(evidence.file)
            if sniffed is None:
                errors["evidence"] = (
                    "証跡ファイルはPDF・PNG・JPEGのいずれかにしてください"
                    "（ファイルの中身で判定しています。拡張子を変えただけのファイルは受け付けません）。"
                )
    if errors:
        raise ValidationFailed(errors)
    key: str | None = None
    name = ""
    content_type = ""
    if evidence is not None and sniffed is not None:
        content_type, extension = sniffed
        name = _evidence_name(evidence.filename)
        # The original (often Japanese) name stays in the table; storage gets a generated key.
        key = new_key(f"evidence/applications/{application_id}", extension)
        await store.put(key, evidence.file, size, content_type)
    try:
        async with transaction():
            still_pending = await Application.exists().where(
                (Application.id == application_id) & Application.status.is_in(list(PENDING))
            )
            if not still_pending:
                raise Conflict("この申込はすでに審査が終わっています。内容は変更できません。")
            rows = await AntisocialCheck.insert(
                AntisocialCheck(
                    application=application_id, method=method, source=source, result=result,
                    notes=notes, checked_by=actor.account_id, checked_at=clock.now(),
                    evidence_key=key, evidence_name=name, evidence_type=content_type,
                    evidence_size=size if key else 0,
                )
            ).returning(AntisocialCheck.id)  # fmt: skip
            check_id = int(rows[0]["id"])
            await Application.update({Application.updated_at: clock.now()}).where(
                Application.id == application_id
            )
            await audit.record(
                actor, "application.antisocial_check", "application", application_id,
                target_label=_label(view),
                after={
                    "check_id": check_id, "method": method, "source": source, "result": result,
                    "evidence": name,
                },
            )  # fmt: skip
    except BaseException:
        if key is not None:
            await store.delete(key)  # no row refers to it: do not keep an orphan
        raise
    found = [c for c in (await get_application(application_id)).checks if c.id == check_id]
    return found[0]


@dataclass(frozen=True, slots=True)
class EvidenceFile:
    key: str
    name: str
    content_type: str
    size: int


async def evidence_file(application_id: int, check_id: int | None = None) -> EvidenceFile:
    """The evidence of a check of this application (the newest one with a file, by default)."""
    query = AntisocialCheck.select(
        AntisocialCheck.evidence_key, AntisocialCheck.evidence_name,
        AntisocialCheck.evidence_type, AntisocialCheck.evidence_size,
    ).where(
        (AntisocialCheck.application == application_id)
        & AntisocialCheck.evidence_key.is_not_null()
    )  # fmt: skip
    rows: list[dict[str, Any]] = []
    if is_storable_id(application_id) and (check_id is None or is_storable_id(check_id)):
        if check_id is not None:
            query = query.where(AntisocialCheck.id == check_id)
        rows = await query.order_by(AntisocialCheck.id, ascending=False).limit(1)
    if not rows:
        raise NotFound("指定された証跡ファイルは見つかりませんでした。")
    row = rows[0]
    return EvidenceFile(
        key=row["evidence_key"],
        name=row["evidence_name"],
        content_type=row["evidence_type"],
        size=row["evidence_size"],
    )


# --- decisions ------------------------------------------------------------------------------------


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_INFO = "request_info"


DECISION_LABELS: dict[str, str] = {
    Decision.APPROVE: "承認する",
    Decision.REJECT: "却下する",
    Decision.REQUEST_INFO: "追加情報を依頼する",
}


def approval_problems(settings: Settings, actor: Principal, view: ApplicationView) -> list[str]:
    """Why this person cannot approve this application now (empty: they can)."""
    problems: list[str] = []
    if view.checklist is None:
        problems.append("審査チェックリストが記入されていません。")
    elif not view.checklist.all_ok:
        problems.append(
            "審査チェックリストに「NG」の項目があります（"
            + "、".join(view.checklist.ng_labels)
            + "）。"
        )
    latest = view.latest_check
    if latest is None:
        problems.append("反社会的勢力の確認が記録されていません。")
    elif latest.result != CLEAR:
        problems.append(
            f"最新の反社会的勢力の確認結果が「{latest.result_label}」です。"
            "「該当なし」の確認を記録するまで承認できません。"
        )
    elif settings.screening_separate_approver and latest.checked_by_id == actor.account_id:
        problems.append(
            "反社会的勢力の確認を記録した本人は承認できません。別の担当者が承認してください。"
        )
    return problems


async def approve(settings: Settings, actor: Principal, application_id: int) -> ApplicationView:
    """Create the active member organisation and invite the applicant as its member admin.

    One transaction: the conditional status change lets only one of two concurrent approvals
    through, so an application becomes at most one organisation.
    """
    view = await get_application(application_id)
    _require_pending(view)
    problems = approval_problems(settings, actor, view)
    if problems:
        raise ValidationFailed({"decision": "承認できません。" + "".join(problems)})
    applicant = view.applicant
    if await Account.exists().where(Account.email == applicant.email):
        raise ValidationFailed(
            {
                "decision": f"申込担当者のメールアドレス（{applicant.email}）はすでにアカウントとして"
                "登録されているため、会員管理者として招待できません。追加情報の依頼で別のメールアドレスを"
                "確認するか、既存のアカウントを整理してから承認してください。"
            }
        )
    duplicates = await members.duplicate_problems(view.organisation)
    if duplicates:
        raise ValidationFailed({"decision": "承認できません。" + "".join(duplicates.values())})
    async with transaction():
        now = clock.now()
        claimed = (
            await Application.update(
                {
                    Application.status: ApplicationStatus.APPROVED.value,
                    Application.decided_by: actor.account_id,
                    Application.decided_at: now,
                    Application.updated_at: now,
                    Application.info_token_hash: None,
                }
            )
            .where((Application.id == application_id) & Application.status.is_in(list(PENDING)))
            .returning(Application.id)
        )
        if not claimed:
            raise Conflict("この申込はほかの担当者がすでに審査を終えています。")
        organisation_id = await members.insert_organisation(
            view.organisation,
            status=MembershipStatus.ACTIVE,
            joined_on=today(),
            applied_on=local_date(view.submitted_at),
        )
        await Application.update({Application.organisation: organisation_id}).where(
            Application.id == application_id
        )
        organisation = await members.get_organisation(organisation_id)
        await audit.record(
            actor, "organisation.create", "organisation", organisation_id,
            target_label=organisation.name, after=organisation.snapshot(),
        )  # fmt: skip
        await accounts.invite_account(
            settings,
            actor,
            accounts.AccountInput(
                email=applicant.email,
                display_name=applicant.name,
                roles=frozenset({Role.MEMBER_ADMIN}),
                organisation_id=organisation_id,
            ),
        )
        await queue_mail(
            applicant.email,
            f"{MAIL_PREFIX}入会承認のお知らせ（受付番号 {view.reference}）",
            f"{view.organisation.name}\n{applicant.name} 様\n\n"
            "熊本県DX推進コンソーシアムへの入会を承認しました。ようこそ。\n"
            "会員プラットフォームへの招待メールを別にお送りしています。"
            "リンクからパスワードを設定して、団体の会員管理者としてご利用ください。\n",
        )
        await audit.record(
            actor, "application.approve", "application", application_id,
            target_label=_label(view), before=view.snapshot(),
            after={"status": ApplicationStatus.APPROVED.value, "organisation_id": organisation_id},
        )  # fmt: skip
    return await get_application(application_id)


async def reject(
    settings: Settings, actor: Principal, application_id: int, reason: object
) -> ApplicationView:
    """Reject with a reason; the applicant gets the reason by mail. An approval stays approved."""
    view = await get_application(application_id)
    text = clean(reason, 2001).replace("\r\n", "\n")
    if view.status == ApplicationStatus.APPROVED:
        raise Conflict(
            "承認済みの申込は却下できません。退会などの手続きは会員管理で行ってください。"
        )
    _require_pending(view)
    if problem := required_text_problem(text, "却下の理由", 2000, multiline=True):
        raise ValidationFailed({"reason": problem})
    async with transaction():
        now = clock.now()
        done = (
            await Application.update(
                {
                    Application.status: ApplicationStatus.REJECTED.value,
                    Application.decided_by: actor.account_id,
                    Application.decided_at: now,
                    Application.updated_at: now,
                    Application.decision_reason: text,
                    Application.info_token_hash: None,
                }
            )
            .where((Application.id == application_id) & Application.status.is_in(list(PENDING)))
            .returning(Application.id)
        )
        if not done:
            raise Conflict(
                "この申込はほかの担当者がすでに審査を終えています。承認済みの申込は却下できません。"
            )
        await queue_mail(
            view.applicant.email,
            f"{MAIL_PREFIX}入会申込の審査結果について（受付番号 {view.reference}）",
            f"{view.organisation.name}\n{view.applicant.name} 様\n\n"
            "熊本県DX推進コンソーシアムへの入会をお申し込みいただき、ありがとうございました。\n"
            "審査の結果、誠に残念ながら今回はご入会をお受けできないこととなりました。\n\n"
            f"理由:\n{text}\n\n"
            "ご不明な点は、受付番号を添えて事務局までお問い合わせください。\n",
        )
        await audit.record(
            actor, "application.reject", "application", application_id,
            target_label=_label(view), before=view.snapshot(),
            after={"status": ApplicationStatus.REJECTED.value, "reason": text},
        )  # fmt: skip
    return await get_application(application_id)


async def request_info(
    settings: Settings, actor: Principal, application_id: int, message: object
) -> tuple[ApplicationView, str]:
    """Ask the applicant for more information: a mail with a link back to the same application."""
    view = await get_application(application_id)
    _require_pending(view)
    text = clean(message, 2001).replace("\r\n", "\n")
    if problem := required_text_problem(text, "依頼する内容", 2000, multiline=True):
        raise ValidationFailed({"message": problem})
    token = secrets.token_urlsafe(32)
    async with transaction():
        now = clock.now()
        done = (
            await Application.update(
                {
                    Application.status: ApplicationStatus.INFO_REQUESTED.value,
                    Application.info_request: text,
                    Application.info_token_hash: _hash(token),
                    Application.info_requested_at: now,
                    Application.updated_at: now,
                }
            )
            .where((Application.id == application_id) & Application.status.is_in(list(PENDING)))
            .returning(Application.id)
        )
        if not done:
            raise Conflict("この申込はほかの担当者がすでに審査を終えています。")
        link = f"{settings.public_base_url}/join/respond/{token}"
        await queue_mail(
            view.applicant.email,
            f"{MAIL_PREFIX}入会申込について追加の情報をお願いします（受付番号 {view.reference}）",
            f"{view.organisation.name}\n{view.applicant.name} 様\n\n"
            "入会申込の審査にあたり、次の点について追加の情報をお願いします。\n\n"
            f"{text}\n\n"
            "次のリンクからお申し込みの内容を確認・修正して、再度送信してください"
            f"（有効期限: {INFO_LINK_DAYS}日、再送信までの間有効）。\n\n{link}\n",
        )
        await audit.record(
            actor, "application.request_info", "application", application_id,
            target_label=_label(view), before=view.snapshot(),
            after={"status": ApplicationStatus.INFO_REQUESTED.value, "message": text},
        )  # fmt: skip
    return await get_application(application_id), token


async def decide(
    settings: Settings,
    actor: Principal,
    application_id: int,
    decision: object,
    text: object = "",
) -> ApplicationView:
    """One entry for the three decisions (the page's forms and the API's decision endpoint)."""
    value = clean(decision, 20)
    if value == Decision.APPROVE:
        return await approve(settings, actor, application_id)
    if value == Decision.REJECT:
        return await reject(settings, actor, application_id, text)
    if value == Decision.REQUEST_INFO:
        view, _ = await request_info(settings, actor, application_id, text)
        return view
    await get_application(application_id)  # an unknown id is a 404 before a bad choice
    raise ValidationFailed(
        {"decision": "判定は「承認」「却下」「追加情報の依頼」から選んでください。"}
    )


# --- the applicant's answer to a request for more information -------------------------------------

_LINK_INVALID = (
    "このリンクは無効か、有効期限が切れているか、すでに再送信済みです。"
    "ご不明な点は事務局にお問い合わせください。"
)


async def application_for_token(token: str) -> ApplicationView:
    """The application behind a link from a request for more information (the applicant's view)."""
    if not token or len(token) > 200:
        raise NotFound(_LINK_INVALID)
    rows = await Application.select(
        Application.id, Application.status, Application.info_requested_at
    ).where(Application.info_token_hash == _hash(token))
    if (
        not rows
        or rows[0]["status"] != ApplicationStatus.INFO_REQUESTED
        or rows[0]["info_requested_at"] is None
        or rows[0]["info_requested_at"] + timedelta(days=INFO_LINK_DAYS) <= clock.now()
    ):
        raise NotFound(_LINK_INVALID)
    return await get_application(rows[0]["id"])


async def resubmit(token: str, values: Mapping[str, object]) -> ApplicationView:
    """The applicant corrects the application and sends it again: back to the screening queue."""
    view = await application_for_token(token)
    data = await check_application(values, excluding_application=view.id)
    organisation = data.organisation
    async with transaction():
        await _serialise_submissions()
        if problems := await duplicate_problems(organisation, excluding_application=view.id):
            raise ValidationFailed(problems)
        now = clock.now()
        done = (
            await Application.update(
                {
                    Application.status: ApplicationStatus.SUBMITTED.value,
                    Application.organisation_name: organisation.name,
                    Application.name_kana: organisation.name_kana,
                    Application.name_key: organisation.name_key,
                    Application.corporate_number: organisation.corporate_number or None,
                    Application.data: _data_json(data),
                    Application.applicant_name: data.applicant.name,
                    Application.applicant_email: data.applicant.email,
                    Application.declaration_name: data.declaration_name,
                    Application.info_token_hash: None,  # the link works until this resubmission
                    Application.updated_at: now,
                }
            )
            .where(
                (Application.id == view.id)
                & (Application.status == ApplicationStatus.INFO_REQUESTED.value)
                & (Application.info_token_hash == _hash(token))
            )
            .returning(Application.id)
        )
        if not done:
            raise NotFound(_LINK_INVALID)
        await queue_mail(
            data.applicant.email,
            f"{MAIL_PREFIX}入会申込の再送信を受け付けました（受付番号 {view.reference}）",
            f"{organisation.name}\n{data.applicant.name} 様\n\n"
            "追加の情報をお送りいただき、ありがとうございます。審査を再開します。\n"
            f"受付番号: {view.reference}\n",
        )
        await audit.record(
            None, "application.resubmit", "application", view.id,
            target_label=f"{view.reference} {organisation.name}", before=view.snapshot(),
            after={"status": ApplicationStatus.SUBMITTED.value, **_snapshot_of(organisation)},
        )  # fmt: skip
    return await get_application(view.id)
