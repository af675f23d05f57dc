"""The Jinja2 environment (gettext catalogs, Japanese date filters) and the page helper."""

from __future__ import annotations

import functools
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request
from litestar.response import Template
from markupsafe import Markup

from api import dates
from api.http.auth import csrf_token_of, principal_of
from api.http.auth import signed_in_principal as signed_in_principal  # for the controllers
from api.http.guards import CSRF_FIELD
from api.http.page_cache import serves_shared_copy
from api.members import reference
from api.permissions import ROLE_LABELS, Role
from web.assets import StaticAssets
from web.forms import organisation_labels

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
LOCALE_DIR = WEB_DIR / "locale"
DEFAULT_LOCALE = "ja"


def translations(locale: str = DEFAULT_LOCALE, locale_dir: Path = LOCALE_DIR) -> NullTranslations:
    """Message ids are Japanese; a compiled catalog for another locale (e.g. en) overrides them."""
    return Translations.load(str(locale_dir), [locale], domain="messages")


class TemplateMessages:
    """Templates' _() and gettext(): what Jinja's newstyle gettext does (the message is
    trusted markup, its %(name)s variables are escaped, %% is a literal percent sign), with
    each message looked up and marked once per process instead of on every call (with the
    context lookups of Jinja's wrappers, that was a tenth of a long list page's time)."""

    # Jinja asks every callable whether it wants the context (hasattr, an AttributeError each
    # time for an object without the mark): a template calls this dozens of times per page.
    jinja_pass_arg = None

    def __init__(self, catalog: NullTranslations) -> None:
        self._catalog = catalog
        self._marked: dict[str, Markup] = {}
        self._plain: dict[str, Markup] = {}

    def __call__(self, message: str, /, **variables: Any) -> Markup:
        if not variables:
            plain = self._plain.get(message)
            if plain is None:
                plain = self._plain[message] = self._markup(message) % {}
            return plain
        return self._markup(message) % variables

    def _markup(self, message: str) -> Markup:
        marked = self._marked.get(message)
        if marked is None:
            # Messages are the templates' own text (trusted), as in Jinja's gettext.
            marked = self._marked[message] = Markup(self._catalog.gettext(message))  # noqa: S704
        return marked


def option_tags(options: Any, selected: object = "") -> Markup:
    """A select's <option> tags, the selected one marked; a list seen before (the industries,
    the municipalities) is escaped once per process rather than on every page."""
    return _option_tags(tuple((str(value), str(text)) for value, text in options), str(selected))


@functools.lru_cache(maxsize=512)
def _option_tags(options: tuple[tuple[str, str], ...], selected: str) -> Markup:
    return Markup("\n").join(
        Markup('<option value="{}"{}>{}</option>').format(
            value, Markup(" selected") if value == selected else "", text
        )
        for value, text in options
    )


def _hx_headers(token: str) -> Markup:
    # Escaped JSON for the hx-headers attribute (never Litestar's csrf_input helper).
    return Markup.escape(json.dumps({"X-CSRF-Token": token}))


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {key: value for key, value in {**params, **changes}.items() if value not in ("", None)}
    return "?" + urlencode(merged, doseq=True) if merged else ""


def machine_time(value: date | datetime) -> str:
    """The datetime attribute of <time>: HTML allows at most milliseconds, so whole seconds."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


@functools.cache
def static_assets() -> StaticAssets:
    """The static files of this process, read and fingerprinted once."""
    return StaticAssets(STATIC_DIR)


def build_environment(locale: str = DEFAULT_LOCALE, locale_dir: Path = LOCALE_DIR) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process, like the code and the static files: checking
        # every file's mtime on each render cost more than some pages' queries.
        auto_reload=False,
    )
    catalog = translations(locale, locale_dir)
    env.install_gettext_translations(catalog, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = env.globals["gettext"] = TemplateMessages(catalog)
    env.filters["era_date"] = dates.format_era_date
    env.filters["jdate"] = dates.format_date
    env.filters["jdatetime"] = dates.format_datetime
    env.filters["fiscal_year"] = dates.format_fiscal_year
    env.filters["machine_time"] = machine_time
    env.globals["role_labels"] = ROLE_LABELS
    env.globals["ref"] = reference
    env.globals["organisation_labels"] = organisation_labels
    env.globals["roles"] = list(Role)
    env.globals["query"] = _query
    env.globals["zip"] = zip
    env.globals["hx_headers"] = _hx_headers
    env.globals["option_tags"] = option_tags
    env.globals["csrf_field_name"] = CSRF_FIELD
    env.globals["static_url"] = static_assets().url
    return env


def wants_fragment(request: Request) -> bool:
    """An htmx swap gets the fragment; a history restore (a page htmx lost) gets the full page."""
    headers = request.headers
    return (
        headers.get("hx-request") == "true" and headers.get("hx-history-restore-request") != "true"
    )


def page(
    request: Request,
    template: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> Template:
    """A rendered page with the principal, the CSRF token and the current path in context.

    A page the anonymous cache may share between visitors gets no CSRF token (it would be
    someone else's); such pages have no forms that post.
    """
    principal = principal_of(request.scope)
    shared = serves_shared_copy(request.scope)
    context.setdefault("errors", {})
    return Template(
        template_name=template,
        context={
            "principal": principal,
            "csrf_token": "" if shared else csrf_token_of(request.scope),
            "current_path": request.url.path,
            "is_htmx": request.headers.get("hx-request") == "true",
            **context,
        },
        status_code=status_code,
        headers=headers,
    )
