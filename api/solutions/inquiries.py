"""Contacting a provider: a member's message to the organisation behind a solution.

The message is stored (the provider's inbox on the platform) and mailed to the provider's
contacts through the outbox, in one transaction. The sender's e-mail address is given to the
provider only: it is in the mail and the inbox, never on the solution's page or to anyone else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from api import clock
from api.accounts.tables import Account
from api.audit.service import record
from api.db import is_storable_id, transaction
from api.errors import NotFound, TooManyAttempts, ValidationFailed
from api.mail.service import queue_mail
from api.members.service import own_organisation_id
from api.members.tables import Organisation
from api.pagination import Page, PageRequest
from api.principal import Principal
from api.settings import Settings
from api.solutions import service
from api.solutions.tables import SolutionInquiry
from api.text import clean, required_text_problem

MAX_SUBJECT = 120
MAX_BODY = 4000
# Inquiries one account may send in a day: plenty for real use, a brake on mass mailing.
DAILY_LIMIT = 20
NOT_FOUND = "指定されたお問い合わせは見つかりませんでした。"


@dataclass(frozen=True, slots=True)
class InquiryView:
    id: int
    solution_id: int | None
    solution_title: str
    sender_organisation_name: str
    sender_name: str
    sender_email: str
    subject: str
    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _view(row: dict[str, Any]) -> InquiryView:
    return InquiryView(
        id=row["id"],
        solution_id=row["solution"],
        solution_title=row["solution_title"],
        sender_organisation_name=row["sender_organisation_name"],
        sender_name=row["sender_name"],
        sender_email=row["sender_email"],
        subject=row["subject"],
        body=row["body"],
        created_at=row["created_at"],
        read_at=row["read_at"],
    )


def inquiry_problems(subject: str, body: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    problem = required_text_problem(subject, "件名", MAX_SUBJECT)
    if problem:
        errors["subject"] = problem
    if problem := required_text_problem(body, "お問い合わせ内容", MAX_BODY, multiline=True):
        errors["body"] = problem
    return errors


def _mail_body(settings: Settings, inquiry_id: int, title: str, sender: dict[str, str],
               subject: str, body: str) -> str:  # fmt: skip
    link = f"{settings.public_base_url}/platform/inquiries/{inquiry_id}"
    return (
        "熊本県DX推進コンソーシアムの会員プラットフォームで、貴団体のソリューションに"
        "お問い合わせがありました。\n\n"
        f"ソリューション: {title}\n"
        f"差出人: {sender['organisation']} {sender['name']} 様\n"
        f"差出人のメールアドレス: {sender['email']}\n"
        f"件名: {subject}\n\n"
        f"{body}\n\n"
        f"プラットフォームの受信箱でも確認できます:\n{link}\n\n"
        "このメールアドレスは貴団体へのご連絡のためにのみお知らせしています。"
        "ご返信は差出人へ直接お送りください。\n"
    )


async def send_inquiry(
    settings: Settings, sender: Principal, solution_id: int, subject: object, body: object
) -> InquiryView:
    """Store the message and mail it to the provider's contacts (one transaction)."""
    sender_organisation = own_organisation_id(sender)
    solution = await service.get_solution(sender, solution_id)
    if not solution.listed or solution.organisation_id == sender_organisation:
        # Own solutions, and hidden ones seen by their provider, take no inquiries.
        raise ValidationFailed(
            {"body": "自団体のソリューションや非公開のソリューションには問い合わせできません。"}
        )
    subject_text = clean(subject, MAX_SUBJECT)
    body_text = ("" if body is None else str(body)).replace("\r\n", "\n").strip()[: MAX_BODY + 1]
    errors = inquiry_problems(subject_text, body_text)
    if errors:
        raise ValidationFailed(errors)
    async with transaction():
        since = clock.now() - dt.timedelta(days=1)
        sent = await SolutionInquiry.count().where(
            (SolutionInquiry.sender == sender.account_id) & (SolutionInquiry.created_at > since)
        )
        if sent >= DAILY_LIMIT:
            raise TooManyAttempts(
                "1日に送信できるお問い合わせの件数を超えました。明日以降にお試しください。"
            )
        account = (
            await Account.select(Account.display_name, Account.email)
            .where(Account.id == sender.account_id)
            .first()
        )
        organisation = (
            await Organisation.select(Organisation.name)
            .where(Organisation.id == sender_organisation)
            .first()
        )
        assert account is not None and organisation is not None
        details = {
            "organisation": organisation["name"],
            "name": account["display_name"],
            "email": account["email"],
        }
        rows = await SolutionInquiry.insert(
            SolutionInquiry(
                solution=solution.id,
                solution_title=solution.title,
                provider=solution.organisation_id,
                sender=sender.account_id,
                sender_organisation_name=details["organisation"],
                sender_name=details["name"],
                sender_email=details["email"],
                subject=subject_text,
                body=body_text,
                created_at=clock.now(),
            )
        ).returning(SolutionInquiry.id)
        inquiry_id = rows[0]["id"]
        text = _mail_body(settings, inquiry_id, solution.title, details, subject_text, body_text)
        for address in await service.provider_addresses(solution.organisation_id):
            await queue_mail(
                address,
                f"【熊本県DX推進コンソーシアム】ソリューションへのお問い合わせ: {subject_text}",
                text,
            )
        await service.count_inquiry(solution.id)
        await record(sender, "solutions.inquiry", "solution", solution.id,
                     target_label=solution.title, after={"inquiry": inquiry_id})  # fmt: skip
    return await _get(inquiry_id)


async def _get(inquiry_id: int, *clauses: Any) -> InquiryView:
    rows: list[dict[str, Any]] = []
    if is_storable_id(inquiry_id):
        rows = await SolutionInquiry.select().where(SolutionInquiry.id == inquiry_id, *clauses)
    if not rows:
        raise NotFound(NOT_FOUND)
    return _view(rows[0])


async def list_inbox(actor: Principal, page: PageRequest) -> Page[InquiryView]:
    """Inquiries to the actor's organisation, newest first (two queries)."""
    organisation_id = own_organisation_id(actor)
    where = SolutionInquiry.provider == organisation_id
    rows = (
        await SolutionInquiry.select()
        .where(where)
        .order_by(SolutionInquiry.created_at, ascending=False)
        .order_by(SolutionInquiry.id, ascending=False)
        .limit(page.per_page)
        .offset(page.offset)
    )
    total = await SolutionInquiry.count().where(where)
    return Page([_view(row) for row in rows], total=total, page=page.page, per_page=page.per_page)


async def unread_count(actor: Principal) -> int:
    organisation_id = own_organisation_id(actor)
    return await SolutionInquiry.count().where(
        (SolutionInquiry.provider == organisation_id) & SolutionInquiry.read_at.is_null()
    )


async def read_inquiry(actor: Principal, inquiry_id: int) -> InquiryView:
    """One inquiry to the actor's organisation; the first reading marks it read."""
    organisation_id = own_organisation_id(actor)
    view = await _get(inquiry_id, SolutionInquiry.provider == organisation_id)
    if view.read_at is None:
        async with transaction():
            await SolutionInquiry.update({SolutionInquiry.read_at: clock.now()}).where(
                (SolutionInquiry.id == inquiry_id) & SolutionInquiry.read_at.is_null()
            )
        view = await _get(inquiry_id)
    return view
