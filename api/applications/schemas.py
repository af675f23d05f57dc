"""JSON shapes of the applications API (field names are those of the public form)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from api.applications.service import (
    ApplicationSummary,
    ApplicationView,
    ChecklistRecord,
    ChecklistVersion,
    CheckView,
    SubmitResult,
)


def _doc(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class ApplicationSubmit(msgspec.Struct, kw_only=True):
    """A membership application; the same fields and checks as the form at /join."""

    name: Annotated[str, _doc("団体名")] = ""
    name_kana: Annotated[str, _doc("団体名のフリガナ（カタカナ。ひらがなは変換されます）")] = ""
    corporate_number: Annotated[str, _doc("法人番号（13桁。個人事業主・団体・その他は省略可）")] = (
        ""
    )
    kind: Annotated[
        str, _doc("団体の種別: company, sole_proprietor, association, school, public_body, other")
    ] = ""
    industry: Annotated[str, _doc("業種（日本標準産業分類の大分類 A〜T）")] = ""
    size_band: Annotated[str, _doc("従業員規模: 1-5, 6-20, 21-50, 51-100, 101-300, 301-")] = ""
    postal_code: Annotated[str, _doc("郵便番号（例: 860-8570）")] = ""
    prefecture: Annotated[str, _doc("都道府県（省略時は熊本県）")] = ""
    municipality: Annotated[str, _doc("市区町村（熊本県内は45市町村のいずれか）")] = ""
    address_line: Annotated[str, _doc("町名・番地・建物名")] = ""
    website: Annotated[str, _doc("ウェブサイトのURL")] = ""
    representative_name: Annotated[str, _doc("代表者氏名")] = ""
    representative_title: Annotated[str, _doc("代表者の役職")] = ""
    applicant_name: Annotated[str, _doc("申込担当者の氏名")] = ""
    applicant_department: Annotated[str, _doc("申込担当者の部署")] = ""
    applicant_email: Annotated[str, _doc("申込担当者のメールアドレス（確認メールの宛先）")] = ""
    applicant_phone: Annotated[str, _doc("申込担当者の電話番号")] = ""
    agree_terms: Annotated[bool, _doc("会員規約（/membership-terms）に同意する")] = False
    declaration: Annotated[bool, _doc("反社会的勢力でないことを誓約する")] = False
    declaration_name: Annotated[str, _doc("誓約の署名（氏名）")] = ""
    submission_key: Annotated[
        str | None,
        _doc(
            "二重送信を防ぐキー（16〜64文字の英数字・-・_）。同じキーで再送すると、"
            "新しい申込は作られず最初の受付結果が返ります。"
        ),
    ] = None

    def as_values(self) -> dict[str, object]:
        return {field: getattr(self, field) for field in self.__struct_fields__}


class SubmitOut(msgspec.Struct):
    reference: str
    created: bool
    message: str

    @classmethod
    def of(cls, result: SubmitResult) -> SubmitOut:
        message = (
            "入会申込を受け付けました。確認メールをお送りしました。"
            if result.created
            else "この申込はすでに受け付けています（二重送信のため新しい申込は作成していません）。"
        )
        return cls(reference=result.reference, created=result.created, message=message)


class ApplicationSummaryOut(msgspec.Struct):
    id: int
    reference: str
    status: str
    status_label: str
    organisation_name: str
    name_kana: str
    corporate_number: str
    submitted_at: datetime
    updated_at: datetime
    age_days: int

    @classmethod
    def of(cls, view: ApplicationSummary) -> ApplicationSummaryOut:
        return cls(
            id=view.id, reference=view.reference, status=view.status,
            status_label=view.status_label, organisation_name=view.organisation_name,
            name_kana=view.name_kana, corporate_number=view.corporate_number,
            submitted_at=view.submitted_at, updated_at=view.updated_at, age_days=view.age_days,
        )  # fmt: skip


class ApplicationPage(msgspec.Struct):
    items: list[ApplicationSummaryOut]
    total: int
    page: int
    per_page: int
    pages: int


class ContactOut(msgspec.Struct):
    name: str
    department: str
    email: str
    phone: str


class OrganisationDataOut(msgspec.Struct):
    name: str
    name_kana: str
    corporate_number: str
    kind: str
    industry: str
    size_band: str
    postal_code: str
    prefecture: str
    municipality: str
    address_line: str
    website: str
    representative_name: str
    representative_title: str


class ChecklistAnswerOut(msgspec.Struct):
    key: str
    label: str
    answer: str
    note: str


class ChecklistRecordOut(msgspec.Struct):
    version: int
    answers: list[ChecklistAnswerOut]
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, record: ChecklistRecord) -> ChecklistRecordOut:
        return cls(
            version=record.version,
            answers=[
                ChecklistAnswerOut(key=a.key, label=a.label, answer=a.answer, note=a.note)
                for a in record.answers
            ],
            recorded_by=record.recorded_by,
            recorded_at=record.recorded_at,
        )


class CheckOut(msgspec.Struct):
    id: int
    method: str
    method_label: str
    source: str
    result: str
    result_label: str
    notes: str
    checked_by: str
    checked_at: datetime
    evidence_name: str
    evidence_type: str
    evidence_size: int

    @classmethod
    def of(cls, check: CheckView) -> CheckOut:
        return cls(
            id=check.id, method=check.method, method_label=check.method_label,
            source=check.source, result=check.result, result_label=check.result_label,
            notes=check.notes, checked_by=check.checked_by, checked_at=check.checked_at,
            evidence_name=check.evidence_name, evidence_type=check.evidence_type,
            evidence_size=check.evidence_size,
        )  # fmt: skip


class ApplicationOut(msgspec.Struct):
    id: int
    reference: str
    status: str
    status_label: str
    submitted_at: datetime
    updated_at: datetime
    age_days: int
    organisation: OrganisationDataOut
    applicant: ContactOut
    declaration_name: str
    checklist: ChecklistRecordOut | None
    checks: list[CheckOut]
    info_request: str
    info_requested_at: datetime | None
    decided_by: str
    decided_at: datetime | None
    decision_reason: str
    organisation_id: int | None

    @classmethod
    def of(cls, view: ApplicationView) -> ApplicationOut:
        org = view.organisation
        applicant = view.applicant
        return cls(
            id=view.id,
            reference=view.reference,
            status=view.status,
            status_label=view.status_label,
            submitted_at=view.submitted_at,
            updated_at=view.updated_at,
            age_days=view.age_days,
            organisation=OrganisationDataOut(
                name=org.name,
                name_kana=org.name_kana,
                corporate_number=org.corporate_number,
                kind=org.kind,
                industry=org.industry,
                size_band=org.size_band,
                postal_code=org.postal_code,
                prefecture=org.prefecture,
                municipality=org.municipality,
                address_line=org.address_line,
                website=org.website,
                representative_name=org.representative_name,
                representative_title=org.representative_title,
            ),
            applicant=ContactOut(
                name=applicant.name,
                department=applicant.department,
                email=applicant.email,
                phone=applicant.phone,
            ),
            declaration_name=view.declaration_name,
            checklist=ChecklistRecordOut.of(view.checklist) if view.checklist else None,
            checks=[CheckOut.of(check) for check in view.checks],
            info_request=view.info_request,
            info_requested_at=view.info_requested_at,
            decided_by=view.decided_by,
            decided_at=view.decided_at,
            decision_reason=view.decision_reason,
            organisation_id=view.organisation_id,
        )


class AnswerIn(msgspec.Struct):
    answer: Annotated[str, _doc("ok または ng")] = ""
    note: Annotated[str, _doc("メモ（1000文字以内）")] = ""


class ChecklistIn(msgspec.Struct):
    version: Annotated[int, _doc("記入に使うチェックリストの版（現在の版であること）")] = 0
    answers: Annotated[
        dict[str, AnswerIn], _doc("チェック項目のキー（例: i1）ごとの判定とメモ。全項目が必要")
    ] = msgspec.field(default_factory=dict)


class DecisionIn(msgspec.Struct):
    decision: Annotated[
        str, _doc("approve（承認）, reject（却下）, request_info（追加情報の依頼）")
    ] = ""
    reason: Annotated[str, _doc("却下の理由（reject のとき必須。申込者にメールで伝えます）")] = ""
    message: Annotated[
        str, _doc("依頼する内容（request_info のとき必須。申込者に修正用リンクとともに送ります）")
    ] = ""


class ChecklistItemOut(msgspec.Struct):
    key: str
    label: str


class ChecklistVersionOut(msgspec.Struct):
    version: int
    items: list[ChecklistItemOut]
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, view: ChecklistVersion) -> ChecklistVersionOut:
        return cls(
            version=view.version,
            items=[ChecklistItemOut(key=item.key, label=item.label) for item in view.items],
            created_at=view.created_at,
            created_by=view.created_by,
        )


class ChecklistUpdate(msgspec.Struct):
    items: Annotated[
        list[str], _doc("チェック項目（上から順に）。保存すると新しい版になります")
    ] = msgspec.field(default_factory=list)
