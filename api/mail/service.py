"""Queueing mail in the caller's transaction and sending it from the worker."""

from __future__ import annotations

import asyncio
import json
import logging
import smtplib
import ssl
from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlparse

from api import clock
from api.jobs import service as jobs
from api.mail.tables import OutboxMail
from api.pagination import Page, PageRequest
from api.settings import Settings

log = logging.getLogger("kdx.mail")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A small text attachment kept with the mail in the outbox (an event's .ics)."""

    filename: str
    content_type: str  # e.g. text/calendar
    text: str


def _attachments_of(value: Any) -> list[Attachment]:
    items = json.loads(value) if isinstance(value, str) else value
    return [Attachment(**item) for item in items or []]


async def queue_mail(
    to_address: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()
) -> int:
    rows = await OutboxMail.insert(
        OutboxMail(
            to_address=to_address,
            subject=subject,
            body=body,
            attachments=json.dumps([asdict(item) for item in attachments], ensure_ascii=False),
        )
    ).returning(OutboxMail.id)
    mail_id = int(rows[0]["id"])
    await jobs.enqueue("mail.send", {"mail_id": mail_id})
    return mail_id


def _smtp_send(settings: Settings, message: EmailMessage) -> None:
    url = urlparse(settings.smtp_url)
    port = url.port or (465 if url.scheme == "smtps" else 587)
    context = ssl.create_default_context()
    if url.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            url.hostname or "", port, context=context, timeout=30
        )
    else:
        client = smtplib.SMTP(url.hostname or "", port, timeout=30)
    with client:
        if url.scheme == "smtp+starttls" or (url.scheme == "smtp" and port == 587):
            client.starttls(context=context)
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)


async def send_queued_mail(settings: Settings, payload: dict[str, Any]) -> None:
    rows = await OutboxMail.select().where(OutboxMail.id == int(payload["mail_id"]))
    if not rows or rows[0]["sent_at"] is not None:
        return  # already sent by an earlier attempt
    mail = rows[0]
    if settings.smtp_url:
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = mail["to_address"]
        message["Subject"] = mail["subject"]
        message["Message-ID"] = make_msgid(domain="kumamoto-dx")
        message.set_content(mail["body"], charset="utf-8")
        for item in _attachments_of(mail["attachments"]):
            maintype, _, subtype = item.content_type.partition("/")
            message.add_attachment(
                item.text.encode(), maintype=maintype, subtype=subtype, filename=item.filename
            )
        await asyncio.to_thread(_smtp_send, settings, message)
        transport = "smtp"
    else:
        names = ", ".join(item.filename for item in _attachments_of(mail["attachments"]))
        log.info(
            "mail to %s: %s%s\n%s", mail["to_address"], mail["subject"],
            f" [{names}]" if names else "", mail["body"],
        )  # fmt: skip
        transport = "log"
    await OutboxMail.update(
        {OutboxMail.sent_at: clock.now(), OutboxMail.transport: transport}
    ).where(OutboxMail.id == mail["id"])


@dataclass(frozen=True, slots=True)
class MailRow:
    id: int
    to_address: str
    subject: str
    body: str
    created_at: datetime
    sent_at: datetime | None


async def list_mail(page: PageRequest, to_address: str = "") -> Page[MailRow]:
    query = OutboxMail.select().order_by(OutboxMail.id, ascending=False)
    count = OutboxMail.count()
    if to_address:
        query = query.where(OutboxMail.to_address == to_address)
        count = count.where(OutboxMail.to_address == to_address)
    rows = await query.limit(page.per_page).offset(page.offset)
    items = [
        MailRow(
            id=r["id"],
            to_address=r["to_address"],
            subject=r["subject"],
            body=r["body"],
            created_at=r["created_at"],
            sent_at=r["sent_at"],
        )
        for r in rows
    ]
    return Page(items=items, total=await count, page=page.page, per_page=page.per_page)
