"""check_markdown: one test per rule, each with a failing and a clean example."""

from __future__ import annotations

import pytest

from api.articles.accessibility import (
    COLOR_ONLY,
    HEADING_EMPTY,
    HEADING_EXTRA_H1,
    HEADING_SKIPPED_LEVEL,
    IMAGE_ALT_MISSING,
    IMAGE_ALT_UNINFORMATIVE,
    LINK_EMPTY,
    LINK_TEXT_AMBIGUOUS,
    RULES,
    TABLE_HEADER_EMPTY,
    Finding,
    check_markdown,
)


def rules(text: str) -> list[str]:
    return [finding.rule for finding in check_markdown(text)]


def only(text: str, rule: str) -> list[Finding]:
    return [finding for finding in check_markdown(text) if finding.rule == rule]


CLEAN_ARTICLE = """\
## 取り組みの概要

株式会社サンプルは、受発注の記録を紙から[クラウドの販売管理システム](https://example.com/)に
移しました。

![受発注画面を操作する担当者](media:photo-1)

### 導入の効果

| 指標 | 導入前 | 導入後 |
|---|--:|--:|
| 入力時間 | 40分 | 10分 |

#### 担当者の声

> 「入力が楽になりました。」

## 問い合わせ

[事例の詳しい資料（PDF、1.2MB）](media:doc-1) をご覧ください。必須の項目には「（必須）」と書いています。
"""


def test_clean_article_has_no_findings() -> None:
    assert check_markdown(CLEAN_ARTICLE) == []


def test_empty_text_has_no_findings() -> None:
    assert check_markdown("") == []


def test_rule_ids_are_stable() -> None:
    assert set(RULES) == {
        "image-alt-missing",
        "image-alt-uninformative",
        "heading-extra-h1",
        "heading-skipped-level",
        "heading-empty",
        "link-empty",
        "link-text-ambiguous",
        "table-header-empty",
        "color-only",
    }


# --- images -----------------------------------------------------------------------------------


def test_image_without_alt_is_found() -> None:
    [finding] = only("本文\n\n![](media:photo-1)", IMAGE_ALT_MISSING)
    assert finding.line == 3
    assert finding.excerpt == "![](media:photo-1)"
    assert "代替テキスト" in finding.message
    assert finding.severity == "error"
    assert only("![   ](media:a)", IMAGE_ALT_MISSING)


def test_image_with_alt_passes_missing_rule() -> None:
    assert only("![会場で講演する登壇者](media:photo-1)", IMAGE_ALT_MISSING) == []


@pytest.mark.parametrize(
    "alt",
    ["IMG_0012.jpg", "photo.png", "DSC01234.JPG", "IMG_0012", "画像", "image", "Image",
     "写真", "ＩＭＧ＿００１２．ｊｐｇ", "スクリーンショット 2025-01-01 10.00.00.png"],
)  # fmt: skip
def test_uninformative_alt_is_found(alt: str) -> None:
    [finding] = only(f"![{alt}](media:a)", IMAGE_ALT_UNINFORMATIVE)
    assert alt.strip() in finding.message
    assert rules(f"![{alt}](media:a)") == [IMAGE_ALT_UNINFORMATIVE]


@pytest.mark.parametrize(
    "alt", ["熊本城を背景にした集合写真", "2025年度の売上グラフ（前年比120%）", "photo of the team"]
)
def test_descriptive_alt_passes(alt: str) -> None:
    assert check_markdown(f"![{alt}](media:a)") == []


def test_images_in_tables_and_headings_are_checked() -> None:
    source = "## 見出し ![](media:a)\n\n| 写真 |\n|---|\n| ![photo.png](media:b) |"
    assert [(f.rule, f.line) for f in check_markdown(source)] == [
        (IMAGE_ALT_MISSING, 1),
        (IMAGE_ALT_UNINFORMATIVE, 5),
    ]


# --- headings ---------------------------------------------------------------------------------


def test_body_h1_is_found() -> None:
    [finding] = only("## 概要\n\n# もう一つの大見出し", HEADING_EXTRA_H1)
    assert finding.line == 3
    assert finding.excerpt == "# もう一つの大見出し"
    assert "## " in finding.message


def test_h2_passes_extra_h1_rule() -> None:
    assert only("## 概要", HEADING_EXTRA_H1) == []


def test_skipped_heading_level_is_found() -> None:
    [finding] = only("## 概要\n\n本文\n\n#### 詳細", HEADING_SKIPPED_LEVEL)
    assert finding.line == 5
    assert "###" in finding.message


def test_first_heading_below_h2_is_a_skip_from_the_page_title() -> None:
    [finding] = only("### 概要", HEADING_SKIPPED_LEVEL)
    assert finding.line == 1
    assert "ページタイトル" in finding.message


def test_setext_headings_count_too() -> None:
    assert only("概要\n----\n\n#### 詳細", HEADING_SKIPPED_LEVEL)[0].line == 4


def test_heading_levels_going_down_one_at_a_time_or_back_up_pass() -> None:
    source = "## A\n\n### B\n\n#### C\n\n## D\n\n### E"
    assert only(source, HEADING_SKIPPED_LEVEL) == []


def test_empty_heading_is_found() -> None:
    [finding] = only("## 概要\n\n##\n\n本文", HEADING_EMPTY)
    assert finding.line == 3
    assert only("### ###", HEADING_EMPTY)  # closing sequence only
    assert only("## ![](media:a)", HEADING_EMPTY)  # an image without alt says nothing


def test_heading_with_text_passes_empty_rule() -> None:
    assert only("## `kdx` コマンド", HEADING_EMPTY) == []
    assert only("## ![会社のロゴ](media:a)", HEADING_EMPTY) == []


# --- links ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["こちら", "ここ", "ここをクリック", "click here", "Click  Here", "here", "詳しくはこちら",
     "詳しくは こちら →", "more", "MORE", "ｍｏｒｅ", "続きを読む", "こちら。", "Read more..."],
)  # fmt: skip
def test_ambiguous_link_text_is_found(text: str) -> None:
    [finding] = only(f"申し込みは[{text}](/apply)", LINK_TEXT_AMBIGUOUS)
    assert finding.line == 1
    assert finding.severity == "warning"
    assert text in finding.message


@pytest.mark.parametrize(
    "text", ["セミナーの申し込みフォーム", "こちらのセミナーに申し込む", "More about DX grants"]
)
def test_descriptive_link_text_passes(text: str) -> None:
    assert check_markdown(f"[{text}](/apply)") == []


def test_autolink_text_is_the_url_and_passes() -> None:
    assert check_markdown("<https://www.pref.kumamoto.jp/>") == []


def test_empty_link_is_found() -> None:
    [finding] = only("前の行\n[](/apply)", LINK_EMPTY)
    assert finding.line == 2
    assert finding.excerpt == "[](/apply)"
    assert only("[![](media:a)](/apply)", LINK_EMPTY)  # image without alt as the only content


def test_link_with_image_alt_passes_empty_rule() -> None:
    assert only("[![申込フォームへ](media:a)](/apply)", LINK_EMPTY) == []


def test_link_line_counts_soft_and_hard_breaks() -> None:
    source = "一行目\n二行目  \n三行目 [こちら](/x)"
    assert only(source, LINK_TEXT_AMBIGUOUS)[0].line == 3


# --- tables -----------------------------------------------------------------------------------


def test_table_with_empty_header_row_is_found() -> None:
    source = "本文\n\n|   |   |\n|---|---|\n| 入力時間 | 10分 |"
    [finding] = only(source, TABLE_HEADER_EMPTY)
    assert finding.line == 3
    assert finding.excerpt == "| | |"


def test_table_with_header_cells_passes() -> None:
    # An empty corner cell is normal for a table with row headers.
    assert only("|   | 導入前 |\n|---|---|\n| 時間 | 40分 |", TABLE_HEADER_EMPTY) == []


def test_raw_html_table_is_not_a_table() -> None:
    # Raw HTML is off, so it is shown as text and never published as a table.
    assert check_markdown("<table><tr><td>a</td></tr></table>") == []


# --- colour -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("赤字の項目は必ず入力してください。", "赤字の項目"),
        ("赤色の部分が変更点です。", "赤色の部分"),
        ("緑のボタンを押してください。", "緑のボタン"),
        ("赤い文字で書いた箇所", "赤い文字"),
        ("変更点は赤で示しています。", "赤で示"),
        ("黄色でハイライトした行", "黄色でハイライト"),
        ("種類は色で区別しています。", "色で区別"),
        ("Required items are shown in red.", "shown in red"),
        ("Fill in the red text fields.", "red text"),
        ("**赤字**の項目は必須です。", "赤字の項目"),
        ("赤枠の中を確認", "赤枠"),
    ],
)
def test_colour_only_reference_is_found(text: str, phrase: str) -> None:
    [finding] = only(f"## 入力\n\n{text}", COLOR_ONLY)
    assert finding.line == 3
    assert finding.severity == "warning"
    assert phrase in finding.message
    assert "色" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "3期連続の赤字から黒字に転換しました。",
        "赤字の企業も対象です。",
        "青色申告の手続きを電子化しました。",
        "緑化活動にも取り組んでいます。",
        "「（必須）」と書いた項目は必ず入力してください。",
        "熊本城の赤い橋",
        "The Red Cross supported the event.",
        "There are grey areas in the rules.",
        "赤字の内容を分析しました。",
    ],
)
def test_text_without_colour_only_reference_passes(text: str) -> None:
    assert only(text, COLOR_ONLY) == []


def test_colour_words_in_code_are_ignored() -> None:
    assert only("`red text` と書きます。\n\n```\n赤字の項目\n```", COLOR_ONLY) == []


def test_colour_reference_line_inside_a_paragraph() -> None:
    assert only("一行目\n二行目\n緑のボタンを押す", COLOR_ONLY)[0].line == 3


# --- ordering ---------------------------------------------------------------------------------


def test_findings_are_sorted_by_line() -> None:
    source = "#### 飛んだ見出し\n\n[こちら](/x)\n\n![](media:a)\n\n# 大見出し\n\n赤字の項目"
    findings = check_markdown(source)
    assert [(f.rule, f.line) for f in findings] == [
        (HEADING_SKIPPED_LEVEL, 1),
        (LINK_TEXT_AMBIGUOUS, 3),
        (IMAGE_ALT_MISSING, 5),
        (HEADING_EXTRA_H1, 7),
        (COLOR_ONLY, 9),
    ]
    assert all(f.message and f.excerpt for f in findings)
