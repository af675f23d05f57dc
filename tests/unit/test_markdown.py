"""render_markdown: CommonMark + tables, sanitised; media-library images; plain_text."""

from __future__ import annotations

import pytest

from api.articles.markdown import ALLOWED_TAGS, is_allowed_link, plain_text, render_markdown


def media(key: str) -> str | None:
    return {"photo-1": "/media/photo-1.jpg", "doc-1": "/media/doc-1.pdf"}.get(key)


def test_commonmark_basics() -> None:
    html = render_markdown("## 概要\n\n本文は*強調*と**重要**。\n\n- 一\n- 二\n\n> 引用\n\n`code`")
    assert "<h2>概要</h2>" in html
    assert "<em>強調</em>" in html and "<strong>重要</strong>" in html
    assert "<ul>\n<li>一</li>\n<li>二</li>\n</ul>" in html
    assert "<blockquote>" in html and "<code>code</code>" in html


def test_japanese_text_passes_through_unchanged() -> None:
    text = "熊本県の中小企業がＤＸに取り組んだ事例です。「ｶﾀｶﾅ」や①も、そのまま表示します。"
    assert render_markdown(text) == f"<p>{text}</p>\n"


def test_body_h1_is_kept_as_written() -> None:
    # The accessibility check reports it; rendering does not silently demote it.
    assert render_markdown("# 大見出し").startswith("<h1>大見出し</h1>")


def test_fenced_code_keeps_content_escaped_and_drops_language_class() -> None:
    html = render_markdown("```python\nif a < b:\n    print('<script>')\n```")
    assert "<pre><code>" in html
    assert "&lt;script&gt;" in html
    assert "class=" not in html


def test_table_has_column_scope_and_alignment_classes_without_style() -> None:
    html = render_markdown("| 年度 | 件数 |\n|:--|--:|\n| 2025 | 12 |")
    assert '<th class="align-left" scope="col">年度</th>' in html
    assert '<th class="align-right" scope="col">件数</th>' in html
    assert '<td class="align-right">12</td>' in html
    assert "style" not in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "<svg onload=alert(1)>",
        "<svg><script>alert(1)</script></svg>",
        '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
        '<iframe src="https://evil.example/"></iframe>',
        '<p style="position:fixed">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        "<style>body{display:none}</style>",
        "<!-- comment --><div onclick='alert(1)'>x</div>",
    ],
)
def test_raw_html_is_escaped_not_rendered(source: str) -> None:
    html = render_markdown(source)
    # Every "<" of the source is shown as text; the only tags are the paragraph's own.
    assert html.count("<") == html.count("<p>") + html.count("</p>")
    for tag in ("<script", "<svg", "<math", "<iframe", "<style", "<img", "<div", "<a "):
        assert tag not in html
    assert "&lt;" in html


def test_raw_html_inline_in_a_paragraph_is_escaped() -> None:
    html = render_markdown("前<b onclick=x>太字</b>後")
    assert html == "<p>前&lt;b onclick=x&gt;太字&lt;/b&gt;後</p>\n"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "java%0ascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/path",
        "ftp://example.com/",
        "",
    ],
)
def test_disallowed_link_urls_are_not_links(url: str) -> None:
    html = render_markdown(f"[押す]({url})")
    assert html == "<p>押す</p>\n"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "vbscript:x"])
def test_disallowed_autolinks_are_not_links(url: str) -> None:
    html = render_markdown(f"<{url}>")
    assert "<a" not in html and "href" not in html


def test_external_links_get_rel_noopener() -> None:
    html = render_markdown("[熊本県](https://www.pref.kumamoto.jp/) と <http://example.com/>")
    assert '<a href="https://www.pref.kumamoto.jp/" rel="noopener">熊本県</a>' in html
    assert '<a href="http://example.com/" rel="noopener">http://example.com/</a>' in html


def test_relative_and_mailto_links_are_kept_without_rel() -> None:
    html = render_markdown(
        "[事例](/cases/12) [同じページ](#top) [問い合わせ](mailto:info@example.jp) [相対](news?page=2)"
    )
    assert '<a href="/cases/12">事例</a>' in html
    assert '<a href="#top">同じページ</a>' in html
    assert '<a href="mailto:info@example.jp">問い合わせ</a>' in html
    assert '<a href="news?page=2">相対</a>' in html
    assert "rel=" not in html


def test_link_title_is_kept() -> None:
    html = render_markdown('[事例](/cases/1 "事例の詳細")')
    assert '<a href="/cases/1" title="事例の詳細">事例</a>' in html


def test_media_images_resolve_through_media_url() -> None:
    html = render_markdown('![会場の様子](media:photo-1 "セミナー")', media_url=media)
    assert '<img src="/media/photo-1.jpg" alt="会場の様子" title="セミナー" loading="lazy">' in html


def test_unknown_media_image_is_dropped_keeping_its_alt_text() -> None:
    html = render_markdown("前 ![削除された写真](media:gone) 後", media_url=media)
    assert html == "<p>前 削除された写真 後</p>\n"


def test_media_image_without_resolver_is_dropped() -> None:
    assert render_markdown("![会場](media:photo-1)") == "<p>会場</p>\n"


def test_a_text_rendered_again_is_the_same_and_a_resolver_is_never_skipped() -> None:
    # Texts without a resolver are rendered once per process; one with a resolver never comes
    # from that cache, in either order.
    text = "![会場](media:photo-1) と **太字**"
    plain = render_markdown(text)
    assert render_markdown(text) == plain == "<p>会場 と <strong>太字</strong></p>\n"
    assert '<img src="/media/photo-1.jpg"' in render_markdown(text, media_url=media)
    assert render_markdown(text) == plain


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/track.png",
        "/static/logo.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "javascript:alert(1)",
    ],
)
def test_non_media_images_are_dropped(url: str) -> None:
    html = render_markdown(f"![ロゴ]({url})", media_url=media)
    assert "<img" not in html
    assert "ロゴ" in html
    assert "evil" not in html and "base64" not in html


def test_resolver_returning_unsafe_url_drops_the_image() -> None:
    html = render_markdown("![x](media:k)", media_url=lambda key: "javascript:alert(1)")
    assert "<img" not in html and "javascript" not in html


def test_media_links_resolve_or_are_unwrapped() -> None:
    html = render_markdown("[報告書（PDF）](media:doc-1) と [旧資料](media:gone)", media_url=media)
    assert '<a href="/media/doc-1.pdf">報告書（PDF）</a>' in html
    assert "旧資料" in html and "media:" not in html
    assert html.count("<a ") == 1


def test_image_inside_link_is_kept_when_media() -> None:
    html = render_markdown("[![報告書の表紙](media:photo-1)](/reports/1)", media_url=media)
    assert '<a href="/reports/1"><img src="/media/photo-1.jpg" alt="報告書の表紙"' in html


def test_output_uses_only_allowed_tags() -> None:
    import re

    source = (
        "## 見出し\n\n段落  \n改行\n\n1. a\n2. b\n\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        "```\ncode\n```\n\n![x](media:photo-1) [l](https://a.example/)"
    )
    tags = set(re.findall(r"</?([a-z0-9]+)", render_markdown(source, media_url=media)))
    assert tags <= ALLOWED_TAGS
    assert {"br", "hr", "ol", "table", "pre", "img", "a"} <= tags


def test_empty_input() -> None:
    assert render_markdown("") == ""
    assert plain_text("") == ""


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://example.com/", True),
        ("http://example.com", True),
        ("mailto:a@example.jp", True),
        ("/cases/1", True),
        ("#section", True),
        ("?page=2", True),
        ("//example.com", False),
        ("https:///nohost", False),
        ("javascript:alert(1)", False),
        ("/\\evil.example", False),
        ("data:,x", False),
        ("", False),
        ("java%0ascript:alert(1)", False),
        ("./a:b", True),
    ],
)
def test_is_allowed_link(url: str, allowed: bool) -> None:
    assert is_allowed_link(url) is allowed


def test_plain_text_strips_tags_and_collapses_whitespace() -> None:
    source = "## 概要\n\n本文は*強調*と[リンク](/x)です。\n\n- 一\n- 二\n\n| 項目 | 値 |\n|---|---|\n| A | 1 |"
    assert plain_text(source) == "概要 本文は強調とリンクです。 一 二 項目 値 A 1"


def test_plain_text_decodes_entities_and_escapes_nothing() -> None:
    assert plain_text("A &amp; B <b>x</b> 1 < 2") == "A & B <b>x</b> 1 < 2"


def test_plain_text_keeps_alt_of_dropped_images_only() -> None:
    # Dropped images become their alt text in the rendering; plain_text sees that text.
    assert plain_text("写真: ![会場](https://evil.example/x.png)") == "写真: 会場"


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p>a<script>alert(1)</script></p>", "<p>a</p>"),
        ('<p onclick="x" style="color:red">a</p>', "<p>a</p>"),
        ("<svg onload=alert(1)><script>alert(1)</script></svg>b", "b"),
        ("<math><mtext>x</mtext></math>b", "b"),
        ('<iframe src="https://evil.example/"></iframe>b', "b"),
        ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
        ('<img src="data:image/png;base64,AA" alt="x">', '<img alt="x">'),
        ('<a href="https://a.example/" rel="nofollow" target="_blank">x</a>', '<a href="https://a.example/">x</a>'),
    ],
)  # fmt: skip
def test_second_line_sanitiser(dirty: str, clean: str) -> None:
    # Raw HTML never reaches it (html=False), but the allow-list still holds on its own.
    from api.articles.markdown import _CLEANER

    assert _CLEANER.clean(dirty) == clean
