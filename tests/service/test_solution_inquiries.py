"""Contacting a provider: stored, mailed to the provider's contacts, read in the provider's inbox;
the sender's address reaches the provider only; limits and refusals."""

from __future__ import annotations

import pytest

from api.errors import NotFound, PermissionDenied, TooManyAttempts, ValidationFailed
from api.mail.tables import OutboxMail
from api.pagination import PageRequest
from api.permissions import Role
from api.settings import Settings
from api.solutions import inquiries, taxonomy
from api.solutions import service as solutions
from api.solutions.tables import SolutionInquiry
from tests.conftest import make_account
from tests.factories import make_organisation
from tests.service.test_solutions import signed_in, solution_input

ALL = PageRequest.of(1, 100)


@pytest.fixture
async def world(settings: Settings, db: None) -> dict[str, int]:
    await taxonomy.ensure_default_categories()
    ids = {
        "provider": await make_organisation(1, name="株式会社阿蘇テック"),
        "sender": await make_organisation(2, name="菊池システム株式会社"),
        "third": await make_organisation(3, name="第三者株式会社"),
    }
    await make_account(
        settings, "provider@example.jp", {Role.MEMBER_USER}, organisation_id=ids["provider"]
    )
    await make_account(
        settings, "sender@example.jp", {Role.MEMBER_USER}, organisation_id=ids["sender"]
    )
    await make_account(
        settings, "third@example.jp", {Role.MEMBER_ADMIN}, organisation_id=ids["third"]
    )
    await make_account(settings, "staff@example.jp", {Role.STAFF})
    provider = await signed_in(settings, "provider@example.jp")
    ids["solution"] = (await solutions.create_solution(provider, await solution_input())).id
    return ids


async def test_inquiry_is_stored_mailed_and_counted(
    settings: Settings, world: dict[str, int]
) -> None:
    sender = await signed_in(settings, "sender@example.jp")
    sent = await inquiries.send_inquiry(
        settings,
        sender,
        world["solution"],
        "導入について",
        "見積もりをお願いします。\r\n従業員30名です。",
    )
    assert sent.sender_organisation_name == "菊池システム株式会社"
    assert sent.sender_email == "sender@example.jp"
    assert sent.body == "見積もりをお願いします。\n従業員30名です。"
    mails = await OutboxMail.select()
    # The factory gives the provider one contact: contact1@example.jp.
    assert [m["to_address"] for m in mails] == ["contact1@example.jp"]
    assert "sender@example.jp" in mails[0]["body"] and "導入について" in mails[0]["subject"]
    assert f"/platform/inquiries/{sent.id}" in mails[0]["body"]
    provider = await signed_in(settings, "provider@example.jp")
    assert await inquiries.unread_count(provider) == 1
    inbox = await inquiries.list_inbox(provider, ALL)
    assert [i.subject for i in inbox.items] == ["導入について"] and inbox.items[0].unread
    read = await inquiries.read_inquiry(provider, sent.id)
    assert not read.unread and await inquiries.unread_count(provider) == 0
    stats = await solutions.provider_statistics(provider)
    assert stats[0].months[-1].inquiries == 1


async def test_only_the_provider_reads_an_inquiry(
    settings: Settings, world: dict[str, int]
) -> None:
    sender = await signed_in(settings, "sender@example.jp")
    sent = await inquiries.send_inquiry(settings, sender, world["solution"], "件名", "本文")
    third = await signed_in(settings, "third@example.jp")
    with pytest.raises(NotFound):
        await inquiries.read_inquiry(third, sent.id)
    with pytest.raises(NotFound):
        await inquiries.read_inquiry(sender, sent.id)  # the sender's copy is their mail
    assert (await inquiries.list_inbox(third, ALL)).total == 0
    staff = await signed_in(settings, "staff@example.jp")
    with pytest.raises(PermissionDenied):
        await inquiries.list_inbox(staff, ALL)


async def test_bad_inquiries_write_and_mail_nothing(
    settings: Settings, world: dict[str, int]
) -> None:
    sender = await signed_in(settings, "sender@example.jp")
    with pytest.raises(ValidationFailed) as caught:
        await inquiries.send_inquiry(settings, sender, world["solution"], "", "  ")
    assert set(caught.value.errors) == {"subject", "body"}
    with pytest.raises(ValidationFailed):
        await inquiries.send_inquiry(settings, sender, world["solution"], "件名", "あ" * 4001)
    provider = await signed_in(settings, "provider@example.jp")
    with pytest.raises(ValidationFailed):
        await inquiries.send_inquiry(settings, provider, world["solution"], "自分宛", "本文")
    await solutions.set_provider_hidden(provider, world["solution"], True)
    with pytest.raises(NotFound):
        await inquiries.send_inquiry(settings, sender, world["solution"], "件名", "本文")
    with pytest.raises(NotFound):
        await inquiries.send_inquiry(settings, sender, 2**40, "件名", "本文")
    assert await SolutionInquiry.count() == 0 and await OutboxMail.count() == 0


async def test_daily_limit(settings: Settings, world: dict[str, int]) -> None:
    sender = await signed_in(settings, "sender@example.jp")
    for index in range(inquiries.DAILY_LIMIT):
        await inquiries.send_inquiry(settings, sender, world["solution"], f"件名{index}", "本文")
    with pytest.raises(TooManyAttempts):
        await inquiries.send_inquiry(settings, sender, world["solution"], "もう一通", "本文")
    assert await SolutionInquiry.count() == inquiries.DAILY_LIMIT


async def test_inbox_keeps_an_inquiry_after_the_solution_is_deleted(
    settings: Settings, world: dict[str, int]
) -> None:
    sender = await signed_in(settings, "sender@example.jp")
    sent = await inquiries.send_inquiry(settings, sender, world["solution"], "件名", "本文")
    provider = await signed_in(settings, "provider@example.jp")
    await solutions.delete_solution(provider, world["solution"])
    kept = await inquiries.read_inquiry(provider, sent.id)
    assert kept.solution_id is None and kept.solution_title == "クラウド勤怠管理"
