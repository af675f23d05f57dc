"""With SMTP_URL set, queued mail goes over SMTP (a local aiosmtpd server here)."""

import socket
from dataclasses import replace
from email import message_from_bytes
from email.header import decode_header, make_header

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from api.db import transaction
from api.jobs.worker import Worker
from api.mail.service import queue_mail
from api.mail.tables import OutboxMail
from api.settings import Settings


class Collect(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list = []

    def handle_message(self, message) -> None:  # type: ignore[override]
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_mail_goes_over_smtp_when_configured(settings: Settings, db: None) -> None:
    handler = Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp_settings = replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
        async with transaction():
            await queue_mail("taro@example.jp", "【テスト】件名", "本文です。")
        assert await Worker(smtp_settings).run_until_idle() == 1
    finally:
        controller.stop()
    assert len(handler.messages) == 1
    sent = handler.messages[0]
    assert sent["To"] == "taro@example.jp"
    assert str(make_header(decode_header(sent["Subject"]))) == "【テスト】件名"
    body = message_from_bytes(sent.as_bytes()).get_payload(decode=True).decode("utf-8")
    assert "本文です。" in body
    row = await OutboxMail.select().first()
    assert row["transport"] == "smtp" and row["sent_at"] is not None


async def test_unreachable_smtp_leaves_mail_queued_for_retry(settings: Settings, db: None) -> None:
    smtp_settings = replace(settings, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    async with transaction():
        await queue_mail("taro@example.jp", "件名", "本文")
    await Worker(smtp_settings).run_until_idle()
    row = await OutboxMail.select().first()
    assert row["sent_at"] is None
    from api.jobs.tables import Job

    job = await Job.select().first()
    assert job["status"] == "queued" and job["attempts"] == 1 and job["last_error"]


async def test_attachments_go_with_the_mail(settings: Settings, db: None) -> None:
    from api.mail.service import Attachment

    handler = Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp_settings = replace(settings, smtp_url=f"smtp://127.0.0.1:{port}")
        ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
        async with transaction():
            await queue_mail(
                "taro@example.jp",
                "件名",
                "本文",
                (Attachment("event-1.ics", "text/calendar", ics),),
            )
        assert await Worker(smtp_settings).run_until_idle() == 1
    finally:
        controller.stop()
    sent = message_from_bytes(handler.messages[0].as_bytes())
    [part] = [p for p in sent.walk() if p.get_filename() == "event-1.ics"]
    assert part.get_content_type() == "text/calendar"
    assert part.get_payload(decode=True).decode() == ics
