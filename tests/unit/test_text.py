"""The one wording of a typed text's problems (api.text.text_problem)."""

from __future__ import annotations

import pytest

from api.text import required_text_problem, text_problem


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    [
        ("", {}, None),  # optional and empty
        ("", {"required": True}, "備考を入力してください。"),
        ("あ" * 4000, {}, None),
        ("あ" * 4001, {}, "備考は4,000文字以内で入力してください。"),
        ("一行目\n二行目", {}, "備考に使用できない文字が含まれています。"),
        ("一行目\n\t二行目", {"multiline": True}, None),
        ("NUL\x00", {"multiline": True}, "備考に使用できない文字が含まれています。"),
        ("ベル\x07", {}, "備考に使用できない文字が含まれています。"),
    ],
)
def test_each_problem_of_a_typed_text_is_named_once(
    value: str, options: dict[str, bool], expected: str | None
) -> None:
    assert text_problem(value, "備考", 4000, **options) == expected


def test_a_required_text_is_the_same_check_with_required_set() -> None:
    assert required_text_problem("", "件名", 120) == "件名を入力してください。"
    assert required_text_problem("a\nb", "件名", 120) is not None
    assert required_text_problem("a\nb", "本文", 120, multiline=True) is None
    # Limits under a thousand are written without a separator.
    assert (
        required_text_problem("件名" * 61, "件名", 120) == "件名は120文字以内で入力してください。"
    )
