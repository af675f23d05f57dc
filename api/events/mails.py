"""The texts of the mails registrants receive: registered, waiting, moved up from the waiting
list, their cancellation, and the event's cancellation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from api.events.reference import Mode

if TYPE_CHECKING:
    from api.events.service import EventView, RegistrationView

SIGNATURE = "熊本県DX推進コンソーシアム 事務局"

SUBJECTS = {
    "registered": "【参加登録完了】{title}",
    "waiting": "【キャンセル待ち受付】{title}",
    "promoted": "【参加確定】キャンセル待ちから参加が確定しました: {title}",
    "cancelled_registration": "【キャンセル受付】{title}",
    "cancelled_event": "【開催中止】{title}",
    "reminder": "【明日開催】{title}",
}

OPENINGS = {
    "registered": "以下の催しへの参加登録を受け付けました。",
    "waiting": (
        "定員に達しているため、キャンセル待ちとして受け付けました。\n"
        "空きが出た場合は、お申し込み順に参加を確定し、メールでお知らせします。"
    ),
    "promoted": "キャンセルが出たため、キャンセル待ちから参加が確定しました。",
    "cancelled_registration": "以下の催しへのお申し込みのキャンセルを受け付けました。",
    "cancelled_event": "誠に申し訳ございませんが、以下の催しは開催を中止いたします。",
    "reminder": "以下の催しの開催が近づきました。ご参加をお待ちしております。",
}


def _where(event: EventView, registration: RegistrationView) -> str:
    if registration.mode == Mode.ONLINE:
        return "オンライン（参加用URLは開始1時間前から催しのページに表示され、前日のメールでもお知らせします）"
    return f"{event.venue_name}（{event.venue_address}）"


def compose(
    kind: str,
    event: EventView,
    registration: RegistrationView,
    *,
    event_url: str,
    cancel_url: str,
    online_url: str = "",
) -> tuple[str, str]:
    """(subject, body) of one mail; online_url is given to online participants once the
    reminder has gone out."""
    lines = [
        f"{registration.name} 様",
        "",
        OPENINGS[kind],
        "",
        f"催し: {event.title}",
        f"日時: {event.when_text}",
        f"参加方法: {registration.mode_label}",
        f"場所: {_where(event, registration)}",
        f"受付番号: {registration.reference}",
        f"催しのページ: {event_url}",
    ]
    if online_url:
        lines += [
            "",
            "オンライン参加用URL（参加登録された方専用です。共有はご遠慮ください）:",
            online_url,
        ]
    if kind == "cancelled_event" and event.cancel_reason:
        lines += ["", "中止の理由:", event.cancel_reason]
    if kind in ("registered", "waiting", "promoted", "reminder"):
        lines += [
            "",
            "ご都合が悪くなった場合は、次のリンクからキャンセルしてください（催しの終了まで有効）。",
            cancel_url,
        ]
    lines += ["", "このメールにお心当たりのない場合は、事務局までお知らせください。", "", SIGNATURE]
    return SUBJECTS[kind].format(title=event.title), "\n".join(lines) + "\n"
