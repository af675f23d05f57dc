"""UI text goes through gettext: another language needs a catalog, not template changes."""

from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from web.rendering import LOCALE_DIR, build_environment

ROOT = Path(__file__).resolve().parents[2]
EXTRACT_COMMAND = (
    ".venv/bin/pybabel extract --omit-header --no-location -F web/locale/babel.cfg "
    "-o web/locale/messages.pot ."
)


def extracted_ids() -> set[str]:
    method_map = [
        ("api/**.py", "python"),
        ("web/**.py", "python"),
        ("web/templates/**.html", "jinja2"),
    ]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map, options):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_catalog_template_is_up_to_date() -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as handle:
        catalog = read_po(handle)
    in_catalog = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
    }
    missing = extracted_ids() - in_catalog
    assert not missing, (
        f"messages.pot is out of date; run: {EXTRACT_COMMAND}\n{sorted(missing)[:10]}"
    )


def test_an_english_catalog_translates_templates_without_changing_them(tmp_path: Path) -> None:
    catalog = Catalog(locale="en")
    catalog.add("ログイン", "Log in")
    catalog.add("本文へ移動", "Skip to main content")
    target = tmp_path / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    (target / "messages.mo").write_bytes(buffer.getvalue())

    env = build_environment("en", tmp_path)
    html = env.get_template("pages/accessibility.html").render(
        principal=None, csrf_token="t", current_path="/accessibility", errors={}
    )
    assert "Skip to main content" in html
    assert ">Log in<" in html
    japanese = (
        build_environment()
        .get_template("pages/accessibility.html")
        .render(principal=None, csrf_token="t", current_path="/accessibility", errors={})
    )
    assert "本文へ移動" in japanese


def test_template_messages_escape_their_variables_as_jinjas_newstyle_gettext_does() -> None:
    env = build_environment()
    template = env.from_string(
        '{{ _("<b>%(name)s</b>さん", name=name) }}|{{ _("達成率%%") }}|{{ _("達成率%%") }}'
        "|{% trans count=n %}{{ count }}件{% endtrans %}"
    )
    assert template.render(name="<script>", n=3) == (
        "<b>&lt;script&gt;</b>さん|達成率%|達成率%|3件"
    )
