"""Browser tests: the real server in a subprocess, Chromium through Playwright, axe-core and vnu.

One server (with the demo accounts) serves the whole session and one browser each test module;
every test gets a fresh browser context (no cookies shared between tests). Needs /usr/bin/chromium, Java and the
npm packages axe-core and vnu-jar under $KDX_NODE_MODULES (`bash .ci/test` installs them).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.server import ServerFailed, running_server

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(os.environ.get("KDX_NODE_MODULES") or ROOT / ".cache" / "node" / "node_modules")
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The JVM's start dominates a vnu run: the C1 compiler and the serial GC start it faster.
VNU_COMMAND = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU_JAR)]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# api/demo.py DEMO_ACCOUNTS
ADMIN = ("admin@example.jp", "demo-admin-2026")
STAFF = ("staff@example.jp", "demo-staff-2026")
MEMBER = ("member@example.jp", "demo-member-2026")
MEMBER_ADMIN = ("member-admin@example.jp", "demo-member-admin-2026")
OFFICIAL = ("official@example.jp", "demo-official-2026")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _missing_requirements() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (Debian package chromium)")
    if shutil.which("java") is None:
        missing.append("java (a Java runtime for vnu.jar)")
    for path in (AXE_JS, VNU_JAR):
        if not path.exists():
            missing.append(f"{path} (run `bash .ci/test`, it installs axe-core and vnu-jar)")
    return missing


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real server (`python -m web serve`) with demo content, on a free port."""
    missing = _missing_requirements()
    if missing:
        pytest.skip("browser tests need: " + "; ".join(missing))
    try:
        with running_server(tmp_path_factory.mktemp("browser-server"), "browser") as url:
            yield url
    except ServerFailed as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    """Chromium for one test module. Not for the session: the Playwright sync API holds an
    event loop while it runs, so asyncio.run() in the other test packages would fail."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


@dataclass
class Problems:
    """Problems a page shows in the browser itself: script errors, CSP violations, failed loads."""

    messages: list[str] = field(default_factory=list)


@pytest.fixture
def new_context(browser: Any, base_url: str, axe_source: str) -> Iterator[Any]:
    """A factory for fresh contexts. axe-core is added as an init script (the site's CSP forbids
    inline scripts, so add_script_tag would be refused; init scripts are not subject to it).
    Console errors (CSP violations among them), uncaught exceptions and failed static files
    fail the test. A document's own 4xx status is left to the test, which checks it."""
    contexts: list[Any] = []
    problems = Problems()

    def make(**options: Any) -> Any:
        options.setdefault("locale", "ja-JP")
        options.setdefault("base_url", base_url)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        if options.get("java_script_enabled", True):
            context.add_init_script(script=axe_source)

        def watch(page: Any) -> None:
            def on_console(message: Any) -> None:
                text = message.text
                # An error page's own status (401/403/404/422...) is logged as a failed load.
                if message.type == "error" and "the server responded with a status" not in text:
                    problems.messages.append(f"console error on {page.url}: {text}")

            page.on("console", on_console)
            page.on("pageerror", lambda exc: problems.messages.append(f"{page.url}: {exc}"))
            page.on(
                "response",
                lambda response: (
                    problems.messages.append(f"{response.status} for {response.url}")
                    if "/static/" in response.url and response.status >= 400
                    else None
                ),
            )

        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not problems.messages, "\n".join(problems.messages)


@pytest.fixture
def context(new_context: Any) -> Any:
    return new_context()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


# --- helpers ------------------------------------------------------------------------------------


def login(page: Any, email: str, password: str) -> None:
    """Log in through the login form (as a user would) and wait for the landing page."""
    page.goto("/login")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード", exact=False).fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="ログインする").click()
    assert "/login" not in page.url, f"login as {email} failed: {page.locator('main').inner_text()}"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now."""
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )


def describe_violations(label: str, violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{label}: [{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def check_axe(page: Any, label: str = "") -> None:
    """Zero axe-core violations for WCAG 2.0/2.1 A and AA, with every violation printed."""
    violations = axe_violations(page)
    report = describe_violations(label or page.url, violations)
    if report:
        print(report)
    assert not violations, report


STRUCTURE_SCRIPT = """() => {
    const problems = [];
    if (document.documentElement.lang !== "ja") problems.push("html lang is not ja");
    const h1 = document.querySelectorAll("h1").length;
    if (h1 !== 1) problems.push(`${h1} h1 elements (want exactly one)`);
    let previous = 0;
    for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
        const level = Number(h.tagName[1]);
        if (previous && level > previous + 1) {
            problems.push(`heading level skipped: h${previous} then h${level} "${h.textContent.trim()}"`);
        }
        previous = level;
    }
    const skip = document.querySelector("body a[href='#main']");
    if (!skip || skip !== document.querySelector("body a, body button, body input")) {
        problems.push("the skip link is not the first focusable element");
    }
    if (!document.querySelector("main#main")) problems.push("no main#main landmark");
    if (!document.title.trim()) problems.push("empty title");
    return problems;
}"""


def structure_problems(page: Any) -> list[str]:
    """What DESIGN.md asks beyond axe's WCAG rules: one h1, ordered headings, skip link, main."""
    return page.evaluate(STRUCTURE_SCRIPT)


class HtmlValidator:
    """Collects HTML documents and validates them all in one `java -jar vnu.jar` run."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.documents: dict[Path, str] = {}

    def add(self, label: str, html: str) -> None:
        path = self.directory / f"doc{len(self.documents):03d}.html"
        path.write_text(html, encoding="utf-8")
        self.documents[path] = label

    def add_page(self, page: Any, label: str = "") -> None:
        self.add(label or page.url, page.content())

    def errors(self) -> list[str]:
        if not self.documents:
            return []
        completed = subprocess.run(
            [*VNU_COMMAND, "--format", "json", "--stdout", *map(str, self.documents)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        try:
            messages = json.loads(completed.stdout)["messages"]
        except (ValueError, KeyError):
            return [f"vnu failed ({completed.returncode}): {completed.stdout}{completed.stderr}"]
        by_url = {}
        for path, label in self.documents.items():
            by_url[path.resolve().as_uri()] = label
            by_url[f"file:{path.resolve()}"] = label
        found = []
        for message in messages:
            if message.get("type") not in ("error", "non-document-error"):
                continue
            label = by_url.get(message.get("url", ""), message.get("url", "?"))
            found.append(
                f"{label}:{message.get('lastLine', '?')}: {message.get('message')}"
                f"\n    {message.get('extract', '').strip()}"
            )
        return found

    def assert_valid(self) -> None:
        errors = self.errors()
        report = "\n".join(errors)
        if report:
            print(report)
        assert not errors, f"{len(errors)} HTML errors:\n{report}"


@pytest.fixture
def html_validator(tmp_path: Path) -> HtmlValidator:
    return HtmlValidator(tmp_path)


class PageAudit:
    """Checks many pages in one test and reports every problem at the end: axe violations,
    the structure rules, and (in one vnu run) HTML errors of the served and the live document."""

    def __init__(self, validator: HtmlValidator) -> None:
        self.validator = validator
        self.problems: list[str] = []
        self.checked: list[str] = []

    def visit(self, page: Any, path: str, status: int = 200, label: str = "") -> Any:
        response = page.goto(path)
        assert response is not None
        label = label or path
        if response.status != status:
            self.problems.append(f"{label}: status {response.status}, expected {status}")
        self.validator.add(f"{label} (served)", response.text())
        self.check(page, label)
        return response

    def check(self, page: Any, label: str) -> None:
        self.checked.append(label)
        report = describe_violations(label, axe_violations(page))
        if report:
            self.problems.append(report)
        self.problems.extend(f"{label}: {problem}" for problem in structure_problems(page))
        self.validator.add_page(page, f"{label} (DOM)")

    def finish(self) -> None:
        problems = [*self.problems, *self.validator.errors()]
        report = "\n".join(problems)
        if report:
            print(report)
        assert not problems, f"problems on {len(self.checked)} pages:\n{report}"


@pytest.fixture
def audit(html_validator: HtmlValidator) -> PageAudit:
    return PageAudit(html_validator)


def latest_link(page: Any, to_address: str, path_prefix: str) -> str:
    """The path of the newest link to path_prefix in mail to to_address (outbox, as admin)."""
    import re

    page.goto("/console/mail")
    mail = page.locator("article.mail").filter(has_text=to_address).first
    body = mail.locator("pre").inner_text()
    found = re.search(re.escape(path_prefix) + r"[A-Za-z0-9_\-]+", body)
    assert found, f"no {path_prefix} link in mail to {to_address}:\n{body}"
    return found.group(0)
